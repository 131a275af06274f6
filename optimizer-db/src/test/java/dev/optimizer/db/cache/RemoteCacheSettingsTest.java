package dev.optimizer.db.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RemoteCacheSettingsTest {
  @Test
  void defaults() {
    RemoteCacheSettings s = RemoteCacheSettings.builder("redis://localhost:6379").build();
    assertThat(s.uri()).isEqualTo("redis://localhost:6379");
    assertThat(s.keyPrefix()).isEqualTo("optimizer:rc:");
    assertThat(s.commandTimeout()).isEqualTo(Duration.ofMillis(50));
    ResultCacheSettings cache = ResultCacheSettings.builder().cacheTables("t").remote(s).build();
    assertThat(cache.remote()).isSameAs(s);
    assertThat(ResultCacheSettings.builder().cacheTables("t").build().remote()).isNull();
  }

  @Test
  void badValuesNameTheSettingTheRangeAndTheValue() {
    assertThatThrownBy(() -> RemoteCacheSettings.builder(" "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("remote uri");
    assertThatThrownBy(() -> RemoteCacheSettings.builder("http://user:secret@host:6379"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("redis://")
        .hasMessageNotContaining("secret");
    assertThatThrownBy(
            () -> RemoteCacheSettings.builder("redis://h:1").commandTimeout(Duration.ofSeconds(11)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("commandTimeout")
        .hasMessageContaining("PT11S");
    assertThatThrownBy(
            () -> RemoteCacheSettings.builder("redis://h:1").commandTimeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("commandTimeout");
    assertThatThrownBy(() -> RemoteCacheSettings.builder("redis://h:1").keyPrefix(""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("keyPrefix");
    assertThatThrownBy(() -> RemoteCacheSettings.builder("redis://h:1").keyPrefix("p".repeat(201)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("keyPrefix");
    RemoteCacheSettings ok = RemoteCacheSettings.builder("redis://:pw@h:1").build();
    assertThat(ok.toString()).doesNotContain("pw");
    assertThatThrownBy(() -> ResultCacheSettings.builder().remote(ok).remote(ok))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("remote");
    assertThatThrownBy(() -> ResultCacheSettings.builder().remote(null))
        .hasMessageContaining("remote");
  }
}
