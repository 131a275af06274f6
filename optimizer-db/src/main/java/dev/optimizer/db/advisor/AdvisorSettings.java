package dev.optimizer.db.advisor;

import dev.optimizer.api.internal.Checks;
import java.time.Duration;

/**
 * Settings of an {@link IndexAdvisor}; immutable, each checked when given.
 *
 * <table>
 *   <caption>Settings</caption>
 *   <tr><th>setting</th><th>default</th><th>range</th></tr>
 *   <tr><td>allowSandbox</td><td>false</td><td>build real indexes inside a rolled-back transaction
 *       when HypoPG is absent</td></tr>
 *   <tr><td>sandboxMaxTableBytes</td><td>256 MiB</td><td>[1 MiB, 1 TiB]</td></tr>
 *   <tr><td>allowApply</td><td>false</td><td>{@link IndexAdvisor#apply} refuses unless true</td></tr>
 *   <tr><td>maxIndexes</td><td>5</td><td>[1, 100]</td></tr>
 *   <tr><td>maxIndexBytes</td><td>1 GiB</td><td>[64 KiB, 1 TiB]</td></tr>
 *   <tr><td>minGain</td><td>0.5</td><td>[0.05, 0.99]</td></tr>
 *   <tr><td>minDistinctValues</td><td>100</td><td>[1, 1e9]</td></tr>
 *   <tr><td>maxValueFrequency</td><td>0.5</td><td>[0.01, 1]</td></tr>
 *   <tr><td>minTableRows</td><td>1000</td><td>[0, 1e12]</td></tr>
 *   <tr><td>writeOverhead</td><td>0.1</td><td>[0, 10]</td></tr>
 *   <tr><td>maxStatements</td><td>50</td><td>[1, 10000]</td></tr>
 *   <tr><td>lockTimeout</td><td>2 s</td><td>[10 ms, 1 min]</td></tr>
 *   <tr><td>statementTimeout</td><td>60 s</td><td>[100 ms, 1 h]</td></tr>
 *   <tr><td>validationRuns</td><td>30</td><td>[5, 100000]</td></tr>
 * </table>
 */
public final class AdvisorSettings {
  final boolean allowSandbox;
  final long sandboxMaxTableBytes;
  final boolean allowApply;
  final int maxIndexes;
  final long maxIndexBytes;
  final double minGain;
  final double minDistinctValues;
  final double maxValueFrequency;
  final double minTableRows;
  final double writeOverhead;
  final int maxStatements;
  final Duration lockTimeout;
  final Duration statementTimeout;
  final int validationRuns;

  private AdvisorSettings(Builder b) {
    allowSandbox = b.allowSandbox;
    sandboxMaxTableBytes = b.sandboxMaxTableBytes;
    allowApply = b.allowApply;
    maxIndexes = b.maxIndexes;
    maxIndexBytes = b.maxIndexBytes;
    minGain = b.minGain;
    minDistinctValues = b.minDistinctValues;
    maxValueFrequency = b.maxValueFrequency;
    minTableRows = b.minTableRows;
    writeOverhead = b.writeOverhead;
    maxStatements = b.maxStatements;
    lockTimeout = b.lockTimeout;
    statementTimeout = b.statementTimeout;
    validationRuns = b.validationRuns;
  }

  /** The defaults: recommend only, HypoPG only. */
  public static AdvisorSettings defaults() {
    return builder().build();
  }

  /** Starts from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** Whether the advisor may apply its recommendations. */
  public boolean allowApply() {
    return allowApply;
  }

  /** Whether the sandbox evaluation may build indexes in rolled-back transactions. */
  public boolean allowSandbox() {
    return allowSandbox;
  }

  /** The longest lock wait of any advisor action. */
  public Duration lockTimeout() {
    return lockTimeout;
  }

  /** Builds {@link AdvisorSettings}. */
  public static final class Builder {
    private boolean allowSandbox;
    private long sandboxMaxTableBytes = 256L << 20;
    private boolean allowApply;
    private int maxIndexes = 5;
    private long maxIndexBytes = 1L << 30;
    private double minGain = 0.5;
    private double minDistinctValues = 100;
    private double maxValueFrequency = 0.5;
    private double minTableRows = 1000;
    private double writeOverhead = 0.1;
    private int maxStatements = 50;
    private Duration lockTimeout = Duration.ofSeconds(2);
    private Duration statementTimeout = Duration.ofSeconds(60);
    private int validationRuns = 30;

    private Builder() {}

    /**
     * Allows the sandbox evaluation: where HypoPG is absent, each candidate is built for real
     * inside a transaction that is rolled back. The build blocks writers of the table while it
     * lasts, hence off by default and bounded by {@link #sandboxMaxTableBytes}.
     */
    public Builder allowSandbox(boolean allow) {
      this.allowSandbox = allow;
      return this;
    }

    /** Tables larger than this are never built on in the sandbox. */
    public Builder sandboxMaxTableBytes(long bytes) {
      this.sandboxMaxTableBytes = Checks.inRange("sandboxMaxTableBytes", bytes, 1L << 20, 1L << 40);
      return this;
    }

    /**
     * Allows {@link IndexAdvisor#apply}: {@code CREATE INDEX CONCURRENTLY}, validated by measured
     * latency, dropped again when there is no real gain.
     */
    public Builder allowApply(boolean allow) {
      this.allowApply = allow;
      return this;
    }

    /** Most indexes recommended at once. */
    public Builder maxIndexes(int max) {
      this.maxIndexes = Checks.inRange("maxIndexes", max, 1, 100);
      return this;
    }

    /** Most bytes of new indexes recommended at once. */
    public Builder maxIndexBytes(long max) {
      this.maxIndexBytes = Checks.inRange("maxIndexBytes", max, 64L << 10, 1L << 40);
      return this;
    }

    /** The smallest relative drop of a statement's plan cost that counts as a gain. */
    public Builder minGain(double gain) {
      this.minGain = Checks.inRange("minGain", gain, 0.05, 0.99);
      return this;
    }

    /** Columns with fewer distinct values are never indexed (low selectivity). */
    public Builder minDistinctValues(double min) {
      this.minDistinctValues = Checks.inRange("minDistinctValues", min, 1, 1e9);
      return this;
    }

    /** Columns whose most common value covers more of the rows are never indexed. */
    public Builder maxValueFrequency(double max) {
      this.maxValueFrequency = Checks.inRange("maxValueFrequency", max, 0.01, 1);
      return this;
    }

    /** Tables with fewer rows are not indexed: a scan of them is cheap. */
    public Builder minTableRows(double min) {
      this.minTableRows = Checks.inRange("minTableRows", min, 0, 1e12);
      return this;
    }

    /** Fraction of the time the workload spends writing a table charged to each new index. */
    public Builder writeOverhead(double fraction) {
      this.writeOverhead = Checks.inRange("writeOverhead", fraction, 0, 10);
      return this;
    }

    /** Statements considered, the largest total time first. */
    public Builder maxStatements(int max) {
      this.maxStatements = Checks.inRange("maxStatements", max, 1, 10_000);
      return this;
    }

    /** The longest any advisor action waits for a lock ({@code lock_timeout}). */
    public Builder lockTimeout(Duration timeout) {
      this.lockTimeout =
          Checks.inRange("lockTimeout", timeout, Duration.ofMillis(10), Duration.ofMinutes(1));
      return this;
    }

    /** The longest EXPLAIN, sandbox build or concurrent build ({@code statement_timeout}). */
    public Builder statementTimeout(Duration timeout) {
      this.statementTimeout =
          Checks.inRange("statementTimeout", timeout, Duration.ofMillis(100), Duration.ofHours(1));
      return this;
    }

    /** Executions of each gaining statement measured before and after an applied index. */
    public Builder validationRuns(int runs) {
      this.validationRuns = Checks.inRange("validationRuns", runs, 5, 100_000);
      return this;
    }

    /** Builds the settings. */
    public AdvisorSettings build() {
      return new AdvisorSettings(this);
    }
  }
}
