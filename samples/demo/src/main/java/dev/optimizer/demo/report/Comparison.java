package dev.optimizer.demo.report;

import dev.optimizer.demo.load.Area;
import dev.optimizer.demo.load.Infrastructure;
import dev.optimizer.demo.load.PhaseResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The side-by-side comparison of the two phases: per area, what a user of the service saw (p50,
 * p99, throughput at the endpoints) and what reached the real dependency (counted on the
 * dependency's side).
 */
public final class Comparison {
  /** One line of the table; {@code ratio} is ON/OFF (NaN where it means nothing). */
  public record Row(Area area, String metric, double off, double on, double ratio) {}

  private final List<Row> rows = new ArrayList<>();
  private final PhaseResult off;
  private final PhaseResult on;

  /** Compares {@code off} with {@code on}. */
  public Comparison(PhaseResult off, PhaseResult on) {
    this.off = off;
    this.on = on;
    Infrastructure.Counters a = off.received();
    Infrastructure.Counters b = on.received();
    for (Area area : Area.values()) {
      add(area, "p50 latency (ms)", p(off, area, 50), p(on, area, 50));
      add(area, "p99 latency (ms)", p(off, area, 99), p(on, area, 99));
      add(area, "throughput (req/s)", off.throughput(area), on.throughput(area));
      add(area, "errors", off.latencies().errors(area), on.latencies().errors(area));
      switch (area) {
        case DB -> {
          add(area, "PostgreSQL transactions", a.dbTransactions(), b.dbTransactions());
          add(area, "PostgreSQL table scans", a.dbScans(), b.dbScans());
          add(area, "stale reads of own orders", off.staleReads(), on.staleReads());
        }
        case HTTP -> add(area, "downstream requests", a.httpRequests(), b.httpRequests());
        case AI -> {
          add(area, "LLM calls", a.llmCalls(), b.llmCalls());
          add(area, "LLM tokens", a.llmTokens(), b.llmTokens());
          rows.add(
              new Row(
                  area, "tokens saved (OFF - ON)", 0, a.llmTokens() - b.llmTokens(), Double.NaN));
        }
      }
    }
  }

  private static double p(PhaseResult r, Area area, double percentile) {
    return r.latencies().percentileMillis(area, percentile);
  }

  private void add(Area area, String metric, double offValue, double onValue) {
    rows.add(
        new Row(area, metric, offValue, onValue, offValue == 0 ? Double.NaN : onValue / offValue));
  }

  /** The rows, area by area. */
  public List<Row> rows() {
    return List.copyOf(rows);
  }

  /** The value of a row, by area and metric. */
  public Row row(Area area, String metric) {
    return rows.stream()
        .filter(r -> r.area() == area && r.metric().equals(metric))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no row " + area + " " + metric));
  }

  /** The OFF phase. */
  public PhaseResult off() {
    return off;
  }

  /** The ON phase. */
  public PhaseResult on() {
    return on;
  }

  /** The table as text, for the console. */
  public String toText() {
    StringBuilder sb = new StringBuilder();
    sb.append(
        String.format(
            Locale.ROOT, "%-5s %-28s %12s %12s %8s%n", "Area", "", "OFF", "ON", "ON/OFF"));
    Area last = null;
    for (Row r : rows) {
      if (r.area() != last && last != null) {
        sb.append('\n');
      }
      sb.append(
          String.format(
              Locale.ROOT,
              "%-5s %-28s %12s %12s %8s%n",
              r.area() == last ? "" : r.area().label(),
              r.metric(),
              r.metric().startsWith("tokens saved") ? "" : number(r.off()),
              number(r.on()),
              Double.isNaN(r.ratio()) ? "" : String.format(Locale.ROOT, "%.2f", r.ratio())));
      last = r.area();
    }
    return sb.toString();
  }

  /** A number as the table shows it. */
  static String number(double v) {
    if (Double.isNaN(v)) {
      return "-";
    }
    if (v == Math.rint(v)) { // counts (calls, errors, stale reads) stay whole
      return String.format(Locale.ROOT, "%,d", (long) v);
    }
    return String.format(Locale.ROOT, Math.abs(v) >= 100 ? "%.0f" : "%.1f", v);
  }
}
