package dev.optimizer.db.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.optimizer.db.StatementStats;
import dev.optimizer.db.internal.sql.SqlDialect;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class StatementTableTest {
  private static StatementKey key(long id) {
    return new StatementKey(id, "SELECT * FROM t" + id + " WHERE id = ?", "SELECT", "t" + id, "");
  }

  private static long exact(long[] sorted, double percentile) {
    return sorted[(int) Math.max(1, (long) Math.ceil(percentile * sorted.length / 100.0)) - 1];
  }

  @Test
  void aFingerprintTakesAFewKilobytesOfHeap() {
    StatementTable table = new StatementTable(1_000);
    long[] latencies = LatencyHistogramTest.query(100_000, 5);
    table.entryFor(key(-1)).add(1, 0, false); // classes loaded and initialized outside the count
    int n = 50;
    StatementKey[] keys = new StatementKey[n];
    for (int i = 0; i < n; i++) {
      keys[i] = key(i * 7_919L);
    }
    com.sun.management.ThreadMXBean threads = LatencyHistogramTest.allocationCounter();

    long before = threads.getCurrentThreadAllocatedBytes();
    for (StatementKey k : keys) {
      StatementTable.Entry e = table.entryFor(k);
      for (long v : latencies) {
        e.add(v, 1, false);
      }
    }
    long perFingerprint = (threads.getCurrentThreadAllocatedBytes() - before) / n;

    // Measured: 2,545 bytes with everything a fingerprint's entry allocates (its map node, adders
    // and histogram); 37,801 with the fixed-range AtomicHistogram this replaced.
    assertThat(perFingerprint).isLessThan(4_096);
    assertThat(table.get(keys[0].id()).orElseThrow().calls()).isEqualTo(latencies.length);
  }

  @Test
  void statisticsReportTheMedianAndTailOfAKnownDistributionWithinTwoPercent() {
    StatementTable table = new StatementTable(10);
    long[] latencies = LatencyHistogramTest.query(200_000, 6);
    for (long v : latencies) {
      table.record(key(1), v, 1, false);
    }
    long[] sorted = latencies.clone();
    Arrays.sort(sorted);
    StatementStats stats = table.get(1).orElseThrow();
    assertThat((double) stats.p50Nanos()).isCloseTo(exact(sorted, 50), within(exact(sorted, 50)));
    assertThat((double) stats.p99Nanos()).isCloseTo(exact(sorted, 99), within(exact(sorted, 99)));
    assertThat(stats.maxNanos()).isEqualTo(sorted[sorted.length - 1]);
    assertThat(stats.calls()).isEqualTo(latencies.length);
    assertThat(stats.totalNanos()).isEqualTo(Arrays.stream(latencies).sum());
  }

  private static org.assertj.core.data.Offset<Double> within(long value) {
    return org.assertj.core.data.Offset.offset(value * 0.02);
  }

  @Test
  void statementsBeyondTheCapacityShareTheOverflowEntryAndItsHistogram() {
    StatementTable table = new StatementTable(10);
    for (int id = 1; id <= 10; id++) {
      table.record(key(id), 1_000_000, 1, false);
    }
    table.record(key(11), 2_000_000, 2, false);
    table.record(key(12), 4_000_000, 3, true);
    table.addRowsCounted(key(12), 5);

    assertThat(table.effectiveKey(key(12)).id()).isEqualTo(StatementTable.OVERFLOW_ID);
    assertThat(table.effectiveKey(key(3))).isEqualTo(key(3));
    assertThat(table.get(11)).isEmpty();
    StatementStats other = table.get(StatementTable.OVERFLOW_ID).orElseThrow();
    assertThat(other.calls()).isEqualTo(2);
    assertThat(other.errors()).isEqualTo(1);
    assertThat(other.rows()).isEqualTo(10);
    assertThat((double) other.p50Nanos()).isCloseTo(2_000_000, within(2_000_000));
    assertThat(other.p99Nanos()).isEqualTo(4_000_000); // the bucket's middle, capped at the max
    assertThat(other.maxNanos()).isEqualTo(4_000_000);
    List<StatementStats> top = table.topByTotalTime(20);
    assertThat(top).hasSize(11);
    assertThat(top.get(0).fingerprintId()).isEqualTo(StatementTable.OVERFLOW_ID);
  }

  @Test
  void clearForgetsEveryEntryAndTheHistogramsStartAfresh() {
    StatementTable table = new StatementTable(10);
    for (int id = 1; id <= 12; id++) {
      table.record(key(id), 9_000_000, 1, false);
    }
    int generation = table.generation();

    table.clear();

    assertThat(table.generation()).isNotEqualTo(generation);
    assertThat(table.topByTotalTime(20)).isEmpty();
    table.record(key(12), 30_000, 1, false); // room again: its own entry, not the overflow's
    StatementStats stats = table.get(12).orElseThrow();
    assertThat(stats.calls()).isEqualTo(1);
    assertThat(stats.maxNanos()).isEqualTo(30_000);
    assertThat((double) stats.p99Nanos()).isCloseTo(30_000, within(30_000));
    assertThat(table.get(StatementTable.OVERFLOW_ID)).isEmpty();
  }

  /** A SELECT of 2,000 columns (a normalized text of about 13 KB) from {@code table}. */
  private static String wideSelect(String table) {
    StringBuilder sql = new StringBuilder("SELECT c0");
    for (int i = 1; i < 2000; i++) {
      sql.append(", c").append(i);
    }
    return sql.append(" FROM ").append(table).append(" WHERE id = ").append(42).toString();
  }

  @Test
  void anEntryKeepsABoundedTextAndStatementsDifferingPastTheCutKeepTheirOwnEntries() {
    Function<String, StatementKey> fingerprints =
        Fingerprints.forDialect(SqlDialect.POSTGRESQL, 65536);
    StatementKey orders = fingerprints.apply(wideSelect("orders"));
    StatementKey invoices = fingerprints.apply(wideSelect("invoices"));
    StatementKey small = fingerprints.apply("SELECT v FROM t WHERE id = 7");
    assertThat(orders.text().length()).isGreaterThan(10_000);
    StatementTable table = new StatementTable(10);

    table.record(orders, 1_000, 1, false);
    table.record(orders, 1_000, 1, false);
    table.record(invoices, 5_000, 1, false);
    table.record(small, 1_000, 1, false);

    // Identity is the full text's: the two differ only in their last table name, past the cut.
    assertThat(orders.id()).isNotEqualTo(invoices.id());
    StatementStats o = table.get(orders.id()).orElseThrow();
    StatementStats i = table.get(invoices.id()).orElseThrow();
    assertThat(o.calls()).isEqualTo(2);
    assertThat(i.calls()).isEqualTo(1);
    // Each keeps the first 4,096 characters and the mark: the same text, under its own id.
    assertThat(o.text())
        .hasSize(StatementKey.MAX_STATISTICS_TEXT + StatementKey.TRUNCATION_MARK.length())
        .isEqualTo(orders.text().substring(0, 4096) + " …")
        .isEqualTo(i.text());
    assertThat(o.summary()).isEqualTo(orders.summary());
    assertThat(table.topByTotalTime(10))
        .extracting(StatementStats::fingerprintId, StatementStats::text)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(invoices.id(), i.text()),
            org.assertj.core.groups.Tuple.tuple(orders.id(), o.text()),
            org.assertj.core.groups.Tuple.tuple(small.id(), small.text()));
    // A short text is kept as it is: the very String the fingerprint made, no copy.
    assertThat(table.get(small.id()).orElseThrow().text()).isSameAs(small.text());
  }
}
