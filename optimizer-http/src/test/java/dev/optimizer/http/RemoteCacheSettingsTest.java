package dev.optimizer.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.optimizer.runtime.Optimizer;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RemoteCacheSettingsTest {

  @Test
  void defaults() {
    RemoteCacheSettings s = RemoteCacheSettings.builder("redis://cache:6379").build();
    assertThat(s.keyPrefix()).isEqualTo("optimizer:http:");
    assertThat(s.commandTimeout()).isEqualTo(Duration.ofMillis(50));
    assertThat(s.privateEntries()).isFalse();
  }

  @Test
  void badValuesAreRefusedNamingTheSettingTheRangeAndTheValue() {
    assertThatThrownBy(() -> RemoteCacheSettings.builder("http://cache:6379"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("remote uri must be a redis:// or rediss:// URI")
        .hasMessageContaining("http://cache:6379");
    assertThatThrownBy(() -> RemoteCacheSettings.builder("ftp://user:secret@cache"))
        .hasMessageNotContaining("secret");
    assertThatThrownBy(() -> RemoteCacheSettings.builder("redis://:secret@"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must name a host")
        .hasMessageNotContaining("secret");
    assertThatThrownBy(
            () ->
                RemoteCacheSettings.builder("redis://cache").commandTimeout(Duration.ofSeconds(11)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("commandTimeout")
        .hasMessageContaining("PT11S");
    assertThatThrownBy(() -> RemoteCacheSettings.builder("redis://cache").keyPrefix(" "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("keyPrefix");
  }

  @Test
  void toStringNeverShowsTheUriItMayHoldAPassword() {
    assertThat(RemoteCacheSettings.builder("redis://:hunter2@cache:6379").build().toString())
        .doesNotContain("hunter2");
  }

  @Test
  void aRemoteTierNeedsTheCache() {
    try (Optimizer optimizer = Optimizer.builder().manualTuning().build()) {
      assertThatThrownBy(
              () ->
                  HttpOptimizer.builder(optimizer)
                      .cache(false)
                      .cacheRemote(RemoteCacheSettings.builder("redis://cache").build())
                      .build())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("cacheRemote needs the cache");
    }
  }
}
