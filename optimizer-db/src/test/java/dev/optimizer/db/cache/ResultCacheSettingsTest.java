package dev.optimizer.db.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ResultCacheSettingsTest {

  @Test
  void rulesSelectByTablesOrPattern() {
    ResultCacheSettings s =
        ResultCacheSettings.builder()
            .cacheTables("public.Products", "categories")
            .cacheStatementsMatching("FROM prices WHERE")
            .build();
    assertThat(s.tables()).containsExactlyInAnyOrder("products", "categories");
    assertThat(s.selects("SELECT * FROM products", Set.of("products"))).isTrue();
    assertThat(s.selects("SELECT * FROM products JOIN users", Set.of("products", "users")))
        .isFalse();
    assertThat(s.selects("SELECT p FROM prices WHERE id = ?", Set.of("prices"))).isTrue();
    assertThat(s.selects("SELECT * FROM users", Set.of("users"))).isFalse();
  }

  @Test
  void refreshAheadIsOffWithThreeHitsByDefault() {
    ResultCacheSettings s = ResultCacheSettings.builder().cacheAllReads().build();
    assertThat(s.refreshAhead()).isFalse();
    assertThat(s.refreshMinHits()).isEqualTo(3);
    ResultCacheSettings off =
        ResultCacheSettings.builder().cacheAllReads().refreshAhead(true).refreshMinHits(7).build();
    assertThat(off.refreshAhead()).isTrue();
    assertThat(off.refreshMinHits()).isEqualTo(7);
  }

  @Test
  void badSettingsAreRefusedWithTheirName() {
    assertThatThrownBy(() -> ResultCacheSettings.builder().build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("cacheTables");
    assertThatThrownBy(() -> ResultCacheSettings.builder().maximumBytes(10))
        .hasMessage("maximumBytes must be in [1024, 1099511627776], but was 10");
    assertThatThrownBy(() -> ResultCacheSettings.builder().refreshMinHits(0))
        .hasMessage("refreshMinHits must be in [1, 1000000], but was 0");
    assertThatThrownBy(() -> ResultCacheSettings.builder().timeToLive(Duration.ZERO))
        .hasMessageContaining("timeToLive");
    assertThatThrownBy(() -> ResultCacheSettings.builder().cacheStatementsMatching("(("))
        .hasMessageContaining("cacheStatementsMatching");
    assertThatThrownBy(
            () ->
                ResultCacheSettings.builder()
                    .cacheAllReads()
                    .maximumBytes(4096)
                    .maximumEntryBytes(8192)
                    .build())
        .hasMessageContaining("maximumEntryBytes must be <= maximumBytes (4096), but was 8192");
  }

  @Test
  void theEntryBoundFollowsASmallCache() {
    assertThat(
            ResultCacheSettings.builder()
                .cacheAllReads()
                .maximumBytes(4096)
                .build()
                .maximumEntryBytes())
        .isEqualTo(4096);
  }
}
