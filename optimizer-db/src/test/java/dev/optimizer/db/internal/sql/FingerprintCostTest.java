package dev.optimizer.db.internal.sql;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Bounded time on hostile input (asserted, with a limit far above the expected time so that a noisy
 * machine cannot fail it) and the cost of fingerprinting (measured and printed, not asserted). The
 * figures are printed and also written to {@code target/fingerprint-cost.txt}.
 */
class FingerprintCostTest {

  private static final long LIMIT_NANOS = 2_000_000_000L;
  private static final int ONE_MB = 1024 * 1024;
  private static final int ROUNDS = 3;
  private static final int STATEMENTS = 10_000;

  @Test
  void aOneMegabyteStatementIsFingerprintedFromItsPrefixQuickly() {
    Fingerprinter fingerprinter = Fingerprinter.create(SqlDialect.POSTGRESQL);
    StringBuilder sql = new StringBuilder("INSERT INTO t (a, b) VALUES (1, 'x')");
    Random random = new Random(7);
    while (sql.length() < ONE_MB) {
      sql.append(", (").append(random.nextInt()).append(", 'it''s a \\ value')");
    }
    String statement = sql.toString();

    long cold = time(() -> fingerprinter.fingerprint(statement));
    long warm = bestOf(50, () -> fingerprinter.fingerprint(statement));
    Fingerprint fingerprint = fingerprinter.fingerprint(statement);

    assertThat(fingerprint.truncated()).isTrue();
    assertThat(fingerprint.normalizedText()).startsWith("INSERT INTO t(a, b) VALUES (?, ?)");
    assertThat(cold).isLessThan(LIMIT_NANOS);
    report("1 MB statement (64 KiB prefix): first call %.2f ms, warm best %.3f ms", cold, warm);
  }

  @Test
  void aOneMegabyteStatementIsNormalizedInFullInLinearTime() {
    Fingerprinter fingerprinter =
        Fingerprinter.builder(SqlDialect.MYSQL).maxStatementLength(16 * ONE_MB).build();
    StringBuilder sql = new StringBuilder("SELECT * FROM t WHERE id IN (0");
    for (int i = 1; sql.length() < ONE_MB; i++) {
      sql.append(", ").append(i).append(i % 2 == 0 ? "" : ", 'x\\'y'");
    }
    String statement = sql.append(")").toString();

    long cold = time(() -> fingerprinter.fingerprint(statement));
    long warm = bestOf(20, () -> fingerprinter.fingerprint(statement));

    assertThat(fingerprinter.fingerprint(statement).normalizedText())
        .isEqualTo("SELECT * FROM t WHERE id IN (?)");
    assertThat(cold).isLessThan(LIMIT_NANOS);
    report("1 MB statement in full: first call %.2f ms, warm best %.3f ms", cold, warm);
  }

  @Test
  void aHundredThousandDeepNestNeitherOverflowsTheStackNorStalls() {
    String nest = "SELECT " + "(".repeat(100_000) + "1" + ")".repeat(100_000);
    Fingerprinter whole =
        Fingerprinter.builder(SqlDialect.POSTGRESQL).maxStatementLength(16 * ONE_MB).build();
    Fingerprinter prefix = Fingerprinter.create(SqlDialect.POSTGRESQL);

    long cold = time(() -> whole.fingerprint(nest));
    long warm = bestOf(20, () -> whole.fingerprint(nest));
    Fingerprint fingerprint = whole.fingerprint(nest);
    long coldPrefix = time(() -> prefix.fingerprint(nest));

    assertThat(fingerprint.fallback()).isTrue();
    assertThat(fingerprint.normalizedText()).hasSize(nest.length()).contains("(?)");
    assertThat(prefix.fingerprint(nest).truncated()).isTrue();
    assertThat(cold).isLessThan(LIMIT_NANOS);
    assertThat(coldPrefix).isLessThan(LIMIT_NANOS);
    report("100k-deep nest (200 KB, in full): first call %.2f ms, warm best %.3f ms", cold, warm);
  }

  @Test
  void measuresTheCostOfNewAndOfCachedStatements() {
    // Warm the JIT on other statements through both the miss and the hit path.
    Fingerprinter warmUp = Fingerprinter.builder(SqlDialect.POSTGRESQL).cacheSize(40_000).build();
    List<String> warmUpStatements = RealisticStatements.generate(new Random(1), 40_000);
    for (int round = 0; round < 3; round++) {
      warmUpStatements.forEach(warmUp::fingerprint);
    }
    // Three independent rounds, so one pause of a shared machine does not make the figure.
    double[] newP50 = new double[ROUNDS];
    double[] newP99 = new double[ROUNDS];
    double[] cachedP50 = new double[ROUNDS];
    for (int round = 0; round < ROUNDS; round++) {
      List<String> statements = RealisticStatements.generate(new Random(2 + round), STATEMENTS);
      Fingerprinter fingerprinter =
          Fingerprinter.builder(SqlDialect.POSTGRESQL).cacheSize(2 * STATEMENTS).build();
      long[] fresh = timeEach(fingerprinter, statements);
      long[] cached = null;
      for (int pass = 0; pass < 5; pass++) {
        cached = timeEach(fingerprinter, statements);
      }
      newP50[round] = percentile(fresh, 50) / 1e3;
      newP99[round] = percentile(fresh, 99) / 1e3;
      cachedP50[round] = percentile(cached, 50) / 1e3;
      report(
          "round %d, %d new statements (mean %.0f chars): new p50 %.2f us, p99 %.2f us,"
              + " max %.0f us; cached p50 %.3f us, p99 %.3f us",
          round + 1,
          statements.size(),
          statements.stream().mapToInt(String::length).average().orElse(0),
          newP50[round],
          newP99[round],
          fresh[fresh.length - 1] / 1e3,
          cachedP50[round],
          percentile(cached, 99) / 1e3);
    }
    report(
        "median of %d rounds: fingerprint_new_p99_us %.2f, fingerprint_cached_p50_us %.3f"
            + " (targets 50 and 1)",
        ROUNDS, median(newP99), median(cachedP50));
    assertThat(median(cachedP50)).isLessThan(median(newP50));
  }

  private static long[] timeEach(Fingerprinter fingerprinter, List<String> statements) {
    long[] nanos = new long[statements.size()];
    for (int i = 0; i < nanos.length; i++) {
      String sql = statements.get(i);
      long start = System.nanoTime();
      fingerprinter.fingerprint(sql);
      nanos[i] = System.nanoTime() - start;
    }
    Arrays.sort(nanos);
    return nanos;
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }

  private static long time(Runnable work) {
    long start = System.nanoTime();
    work.run();
    return System.nanoTime() - start;
  }

  private static long bestOf(int runs, Runnable work) {
    long best = Long.MAX_VALUE;
    for (int i = 0; i < runs; i++) {
      best = Math.min(best, time(work));
    }
    return best;
  }

  private static double percentile(long[] sorted, int p) {
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(sorted.length * p / 100.0) - 1)];
  }

  private static void report(String format, long cold, long warm) {
    report(format, cold / 1e6, warm / 1e6);
  }

  private static void report(String format, Object... args) {
    String line = String.format(Locale.ROOT, format, args);
    System.out.println("[fingerprint-cost] " + line);
    try {
      Path file = Path.of("target", "fingerprint-cost.txt");
      Files.createDirectories(file.getParent());
      Files.writeString(
          file,
          line + System.lineSeparator(),
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      // The figure is printed already; the file is a convenience.
    }
  }
}
