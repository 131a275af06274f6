package dev.optimizer.spring.boot.autoconfigure;

import dev.optimizer.api.Mode;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.NestedConfigurationProperty;

/**
 * The {@code optimizer.*} properties. Unknown properties anywhere under {@code optimizer} fail
 * start-up ({@code ignoreUnknownFields = false}), and every setter checks its range, naming the
 * property, the range and the value; the defaults and ranges are those of the module builders
 * ({@code Optimizer.Builder}, {@code TuningSettings}, {@code DbOptimizer.Builder}, {@code
 * ResultCacheSettings}, {@code HttpOptimizerBuilder}, {@code AiOptimizerBuilder}).
 *
 * <p>The areas live in {@link DbProperties}, {@link HttpProperties} and {@link AiProperties} (one
 * file each, to keep files short); they bind as nested properties of this one class.
 */
@ConfigurationProperties(prefix = "optimizer", ignoreUnknownFields = false)
public class OptimizerProperties {

  /**
   * Whether optimizer is on. false: no optimizer beans at all, nothing wrapped or customized, no
   * endpoint (a pure pass-through). Default true.
   */
  private boolean enabled = true;

  /**
   * What the optimizer may do: OFF (wrappers pass through and measure nothing), OBSERVE (measure),
   * RECOMMEND (measure and recommend), AUTO (also apply judged trials). Default AUTO.
   */
  private Mode mode = Mode.AUTO;

  /** The tuning engine's rhythm. */
  private final Tuning tuning = new Tuning();

  /** The report. */
  private final Report report = new Report();

  /** JDBC DataSource wrapping (optimizer-db). */
  @NestedConfigurationProperty private final DbProperties db = new DbProperties();

  /** RestClient, WebClient and JDK HttpClient optimization (optimizer-http). */
  @NestedConfigurationProperty private final HttpProperties http = new HttpProperties();

  /** LangChain4j ChatModel, StreamingChatModel and EmbeddingModel wrapping (optimizer-ai). */
  @NestedConfigurationProperty private final AiProperties ai = new AiProperties();

  public boolean isEnabled() {
    return enabled;
  }

  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  public Mode getMode() {
    return mode;
  }

  public void setMode(Mode mode) {
    this.mode = Bounds.notNull("optimizer.mode", mode);
  }

  public Tuning getTuning() {
    return tuning;
  }

  public Report getReport() {
    return report;
  }

  public DbProperties getDb() {
    return db;
  }

  public HttpProperties getHttp() {
    return http;
  }

  public AiProperties getAi() {
    return ai;
  }

  /** {@code optimizer.tuning.*}: the rhythm of the tuning engine ({@code TuningSettings}). */
  public static class Tuning {
    /** How often the engine looks at its knobs. Default 1s, range [1ms, 1m]. */
    private Duration tickInterval = Duration.ofSeconds(1);

    /** Shortest baseline or trial window. Default 10s, range [1ms, 1h]. */
    private Duration minWindow = Duration.ofSeconds(10);

    /**
     * Longest window; a signal that has not gathered enough samples by then is sparse and tuning
     * waits. Default 2m, range [1ms, 24h], at least min-window.
     */
    private Duration maxWindow = Duration.ofMinutes(2);

    /** Time after a change whose measurements are discarded. Default 2s, range [0, 1h]. */
    private Duration settle = Duration.ofSeconds(2);

    /**
     * Most baseline windows waited between trials after trials that did not pay. Default 16, range
     * [0, 1024].
     */
    private int maxBackoffWindows = 16;

    /** Decisions kept for the report. Default 1000, range [1, 1000000]. */
    private int decisionHistory = 1000;

    public Duration getTickInterval() {
      return tickInterval;
    }

    public void setTickInterval(Duration v) {
      this.tickInterval =
          Bounds.check(
              "optimizer.tuning.tick-interval", v, Duration.ofMillis(1), Duration.ofMinutes(1));
    }

    public Duration getMinWindow() {
      return minWindow;
    }

    public void setMinWindow(Duration v) {
      this.minWindow =
          Bounds.check("optimizer.tuning.min-window", v, Duration.ofMillis(1), Duration.ofHours(1));
    }

    public Duration getMaxWindow() {
      return maxWindow;
    }

    public void setMaxWindow(Duration v) {
      this.maxWindow =
          Bounds.check(
              "optimizer.tuning.max-window", v, Duration.ofMillis(1), Duration.ofHours(24));
    }

    public Duration getSettle() {
      return settle;
    }

    public void setSettle(Duration v) {
      this.settle = Bounds.check("optimizer.tuning.settle", v, Duration.ZERO, Duration.ofHours(1));
    }

    public int getMaxBackoffWindows() {
      return maxBackoffWindows;
    }

    public void setMaxBackoffWindows(int v) {
      this.maxBackoffWindows = Bounds.check("optimizer.tuning.max-backoff-windows", v, 0, 1024);
    }

    public int getDecisionHistory() {
      return decisionHistory;
    }

    public void setDecisionHistory(int v) {
      this.decisionHistory = Bounds.check("optimizer.tuning.decision-history", v, 1, 1_000_000);
    }
  }

  /** {@code optimizer.report.*}. */
  public static class Report {
    /**
     * A file the report (JSON, as served by /actuator/optimizer) is written to when the application
     * context closes. Default none.
     */
    private String file;

    public String getFile() {
      return file;
    }

    public void setFile(String file) {
      this.file = file == null || file.isBlank() ? null : file.trim();
    }
  }
}
