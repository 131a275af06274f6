package dev.optimizer.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.optimizer.db.DbOptimizer;
import dev.optimizer.db.cache.CacheCandidate;
import dev.optimizer.db.cache.ResultCacheTrialSettings;
import dev.optimizer.runtime.Optimizer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * {@code optimizer.db.result-cache-trials.*} reach the DbOptimizer: in AUTO mode a repeated query
 * over H2 becomes a trial (a {@code db.result_cache.*} knob), while queries of excluded tables and
 * patterns do not; the other values reach the settings the auto-configuration builds.
 */
class ResultCacheTrialsTest {
  private final ApplicationContextRunner runner = Runners.runner();

  @Configuration(proxyBeanMethods = false)
  static class Pool {
    @Bean(destroyMethod = "close")
    HikariDataSource dataSource() {
      return Runners.hikari();
    }
  }

  private static void repeat(DataSource ds, String sql, int times) throws Exception {
    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < times; i++) {
        ps.setInt(1, 1);
        try (ResultSet rs = ps.executeQuery()) {
          assertThat(rs.next()).isTrue();
        }
      }
    }
  }

  private static String knobOf(DbOptimizer db, String table) {
    CacheCandidate c =
        db.cacheCandidates().stream()
            .filter(x -> x.text().toLowerCase().contains(table))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no candidate for " + table));
    return "." + Long.toHexString(c.fingerprintId());
  }

  private static boolean hasKnob(Optimizer optimizer, String suffix) {
    return optimizer.knobs().stream()
        .anyMatch(k -> k.name().startsWith("db.result_cache.") && k.name().endsWith(suffix));
  }

  @Test
  void aRepeatedQueryBecomesATrialUnlessExcluded() {
    runner
        .withUserConfiguration(Pool.class)
        .withPropertyValues(
            "optimizer.db.pool-sizing=false",
            "optimizer.db.result-cache-trials.enabled=true",
            "optimizer.db.result-cache-trials.min-reads=10",
            "optimizer.db.result-cache-trials.exclude-tables=trial_b",
            "optimizer.db.result-cache-trials.exclude-patterns=FROM trial_c\\b")
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed();
              DataSource ds = ctx.getBean(DataSource.class);
              try (Connection c = ds.getConnection();
                  Statement s = c.createStatement()) {
                for (String t : List.of("trial_a", "trial_b", "trial_c")) {
                  s.execute("CREATE TABLE " + t + " (k INT PRIMARY KEY, v INT)");
                  s.execute("INSERT INTO " + t + " VALUES (1, 1)");
                }
              }
              // Each read past min-reads is considered with probability 1/64: 2000 reads make a
              // miss of all of them (about e^-30) impossible in practice.
              for (String t : List.of("trial_a", "trial_b", "trial_c")) {
                repeat(ds, "SELECT v FROM " + t + " WHERE k = ?", 2000);
              }
              DbOptimizer db = ctx.getBean(DbOptimizer.class);
              Optimizer optimizer = ctx.getBean(Optimizer.class);
              String a = knobOf(db, "trial_a");
              // The trial registers on the optimizer's scheduler.
              Runners.await(() -> hasKnob(optimizer, a), "the trial of trial_a");
              // Exclusion is decided on the query thread, before any registration: already final.
              assertThat(hasKnob(optimizer, knobOf(db, "trial_b"))).as("excluded table").isFalse();
              assertThat(hasKnob(optimizer, knobOf(db, "trial_c")))
                  .as("excluded pattern")
                  .isFalse();
            });
  }

  @Test
  void withoutTheSwitchNothingIsTrialled() {
    runner
        .withUserConfiguration(Pool.class)
        .withPropertyValues(
            "optimizer.db.pool-sizing=false", "optimizer.db.result-cache-trials.min-reads=10")
        .run(
            ctx -> {
              DataSource ds = ctx.getBean(DataSource.class);
              try (Connection c = ds.getConnection();
                  Statement s = c.createStatement()) {
                s.execute("CREATE TABLE trial_off (k INT PRIMARY KEY, v INT)");
                s.execute("INSERT INTO trial_off VALUES (1, 1)");
              }
              repeat(ds, "SELECT v FROM trial_off WHERE k = ?", 2000);
              DbOptimizer db = ctx.getBean(DbOptimizer.class);
              assertThat(knobOf(db, "trial_off")).as("still a candidate").isNotEmpty();
              assertThat(ctx.getBean(Optimizer.class).knobs())
                  .noneMatch(k -> k.name().startsWith("db.result_cache."));
              assertThat(
                      DbCacheSettings.trials(
                          ctx.getBean(OptimizerProperties.class).getDb().getResultCacheTrials()))
                  .isNull();
            });
  }

  @Test
  void everyValueReachesTheTrialSettings() {
    runner
        .withPropertyValues(
            "optimizer.db.result-cache-trials.enabled=true",
            "optimizer.db.result-cache-trials.min-hit-rate=0.8",
            "optimizer.db.result-cache-trials.min-reads=500",
            "optimizer.db.result-cache-trials.max-concurrent-trials=3",
            "optimizer.db.result-cache-trials.max-trials=10",
            "optimizer.db.result-cache-trials.max-bytes=4MB",
            "optimizer.db.result-cache-trials.max-entry-bytes=64KB",
            "optimizer.db.result-cache-trials.ttl=5s",
            "optimizer.db.result-cache-trials.exclude-tables=public.Accounts,ledger",
            "optimizer.db.result-cache-trials.exclude-patterns=FOR SHARE,^SELECT now")
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed().hasSingleBean(DbOptimizer.class);
              ResultCacheTrialSettings s =
                  DbCacheSettings.trials(
                      ctx.getBean(OptimizerProperties.class).getDb().getResultCacheTrials());
              assertThat(s.minHitRate()).isEqualTo(0.8);
              assertThat(s.minReads()).isEqualTo(500);
              assertThat(s.maxConcurrentTrials()).isEqualTo(3);
              assertThat(s.maxTrials()).isEqualTo(10);
              assertThat(s.maximumBytes()).isEqualTo(4L << 20);
              assertThat(s.maximumEntryBytes()).isEqualTo(64L << 10);
              assertThat(s.timeToLive()).isEqualTo(Duration.ofSeconds(5));
              assertThat(s.excludedTables()).containsExactlyInAnyOrder("accounts", "ledger");
              assertThat(s.excludedPatterns())
                  .extracting(Pattern::pattern)
                  .containsExactly("FOR SHARE", "^SELECT now");
            });
  }

  @Test
  void theDefaultsAreTheLibrarysAndTheEntryBoundFollowsASmallerCache() {
    runner
        .withPropertyValues("optimizer.db.result-cache-trials.enabled=true")
        .run(
            ctx -> {
              ResultCacheTrialSettings s =
                  DbCacheSettings.trials(
                      ctx.getBean(OptimizerProperties.class).getDb().getResultCacheTrials());
              assertThat(s.toString()).isEqualTo(ResultCacheTrialSettings.defaults().toString());
            });
    runner
        .withPropertyValues(
            "optimizer.db.result-cache-trials.enabled=true",
            "optimizer.db.result-cache-trials.max-bytes=100KB")
        .run(
            ctx ->
                assertThat(
                        DbCacheSettings.trials(
                                ctx.getBean(OptimizerProperties.class)
                                    .getDb()
                                    .getResultCacheTrials())
                            .maximumEntryBytes())
                    .isEqualTo(100 * 1024));
  }
}
