package dev.optimizer.db.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.optimizer.db.DbOptimizer;
import dev.optimizer.runtime.Optimizer;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ResultCacheTrialSettingsTest {

  @Test
  void defaults() {
    ResultCacheTrialSettings s = ResultCacheTrialSettings.defaults();
    assertThat(s.minHitRate()).isEqualTo(0.5);
    assertThat(s.minReads()).isEqualTo(1000);
    assertThat(s.maxConcurrentTrials()).isEqualTo(2);
    assertThat(s.maxTrials()).isEqualTo(64);
    assertThat(s.maximumBytes()).isEqualTo(32L << 20);
    assertThat(s.maximumEntryBytes()).isEqualTo(256L << 10);
    assertThat(s.timeToLive()).isEqualTo(Duration.ofSeconds(60));
    assertThat(s.excludedTables()).isEmpty();
    assertThat(s.excludes("SELECT * FROM t", Set.of("t"))).isFalse();
  }

  @Test
  void badValuesAreRefusedWithTheSettingTheRangeAndTheValue() {
    assertThatThrownBy(() -> ResultCacheTrialSettings.builder().minHitRate(0))
        .hasMessage("minHitRate must be in [0.01, 1.0], but was 0.0");
    assertThatThrownBy(() -> ResultCacheTrialSettings.builder().minReads(5))
        .hasMessage("minReads must be in [10, 1000000000], but was 5");
    assertThatThrownBy(() -> ResultCacheTrialSettings.builder().maxConcurrentTrials(0))
        .hasMessage("maxConcurrentTrials must be in [1, 64], but was 0");
    assertThatThrownBy(() -> ResultCacheTrialSettings.builder().maxTrials(5000))
        .hasMessage("maxTrials must be in [1, 4096], but was 5000");
    assertThatThrownBy(() -> ResultCacheTrialSettings.builder().maximumBytes(10))
        .hasMessage("maximumBytes must be in [1024, 1099511627776], but was 10");
    assertThatThrownBy(() -> ResultCacheTrialSettings.builder().timeToLive(Duration.ZERO))
        .hasMessageStartingWith("timeToLive must be in");
    assertThatThrownBy(
            () ->
                ResultCacheTrialSettings.builder()
                    .maximumBytes(4096)
                    .maximumEntryBytes(8192)
                    .build())
        .hasMessage("maximumEntryBytes must be <= maximumBytes (4096), but was 8192");
    assertThatThrownBy(() -> ResultCacheTrialSettings.builder().excludeStatementsMatching("(("))
        .hasMessage("excludeStatementsMatching must be a regular expression, but was '(('");
    assertThatThrownBy(() -> ResultCacheTrialSettings.builder().excludeTables(" "))
        .hasMessageContaining("excludeTables entry");
  }

  @Test
  void theEntryBoundFollowsASmallBudget() {
    assertThat(ResultCacheTrialSettings.builder().maximumBytes(4096).build().maximumEntryBytes())
        .isEqualTo(4096);
  }

  @Test
  void exclusionsMatchTablesCaseInsensitivelyAndTextByPattern() {
    ResultCacheTrialSettings s =
        ResultCacheTrialSettings.builder()
            .excludeTables("public.\"Balances\"")
            .excludeStatementsMatching("FROM audit")
            .build();
    assertThat(s.excludedTables()).containsExactly("balances");
    assertThat(s.excludes("SELECT * FROM balances WHERE id = ?", Set.of("balances"))).isTrue();
    assertThat(s.excludes("SELECT * FROM audit WHERE id = ?", Set.of("audit"))).isTrue();
    assertThat(s.excludes("SELECT * FROM items WHERE id = ?", Set.of("items"))).isFalse();
  }

  @Test
  void theDbOptimizerTakesTrialsOnce() {
    try (Optimizer optimizer = Optimizer.builder().manualTuning().build()) {
      DbOptimizer.Builder b =
          DbOptimizer.builder(optimizer).resultCacheTrials(ResultCacheTrialSettings.defaults());
      assertThatThrownBy(() -> b.resultCacheTrials(ResultCacheTrialSettings.defaults()))
          .hasMessageContaining("resultCacheTrials");
      assertThatThrownBy(() -> DbOptimizer.builder(optimizer).resultCacheTrials(null))
          .hasMessageContaining("resultCacheTrials");
    }
  }
}
