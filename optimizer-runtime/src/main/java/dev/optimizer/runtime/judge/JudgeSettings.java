package dev.optimizer.runtime.judge;

import dev.optimizer.api.internal.Checks;

/**
 * How demanding the {@link Judge} is. Immutable; built with {@link #builder()}.
 *
 * <table>
 *   <caption>Settings</caption>
 *   <tr><th>setting</th><th>default</th><th>range</th><th>meaning</th></tr>
 *   <tr><td>confidence</td><td>0.99</td><td>[0.5, 0.9999]</td><td>1 − the family-wise error rate
 *       of a verdict; split across the tests run (Bonferroni)</td></tr>
 *   <tr><td>minSamplesPerArm</td><td>500</td><td>[20, 10⁹]</td><td>latency samples each arm
 *       needs before a verdict other than INCONCLUSIVE</td></tr>
 *   <tr><td>minSlicesPerArm</td><td>6</td><td>[3, 10⁶]</td><td>throughput slices each arm needs
 *       when the objective is throughput</td></tr>
 *   <tr><td>minEffect</td><td>0.05</td><td>[0, 1]</td><td>smallest relative change that counts
 *       (Hodges–Lehmann shift over the baseline median, or the ratio of tail percentiles)</td></tr>
 *   <tr><td>minErrorRateIncrease</td><td>0.001</td><td>[0, 1]</td><td>smallest absolute rise of
 *       the error rate that counts</td></tr>
 *   <tr><td>minTailExceedances</td><td>10</td><td>[1, 10⁶]</td><td>expected exceedances of the
 *       pooled tail threshold per arm below which the tail test abstains</td></tr>
 * </table>
 */
public final class JudgeSettings {
  private final double confidence;
  private final long minSamplesPerArm;
  private final int minSlicesPerArm;
  private final double minEffect;
  private final double minErrorRateIncrease;
  private final int minTailExceedances;

  private JudgeSettings(Builder b) {
    this.confidence = b.confidence;
    this.minSamplesPerArm = b.minSamplesPerArm;
    this.minSlicesPerArm = b.minSlicesPerArm;
    this.minEffect = b.minEffect;
    this.minErrorRateIncrease = b.minErrorRateIncrease;
    this.minTailExceedances = b.minTailExceedances;
  }

  /** The defaults. */
  public static JudgeSettings defaults() {
    return builder().build();
  }

  /** Starts from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** 1 − the family-wise error rate of a verdict. */
  public double confidence() {
    return confidence;
  }

  /** Latency samples each arm needs. */
  public long minSamplesPerArm() {
    return minSamplesPerArm;
  }

  /** Throughput slices each arm needs when the objective is throughput. */
  public int minSlicesPerArm() {
    return minSlicesPerArm;
  }

  /** Smallest relative change that counts. */
  public double minEffect() {
    return minEffect;
  }

  /** Smallest absolute rise of the error rate that counts. */
  public double minErrorRateIncrease() {
    return minErrorRateIncrease;
  }

  /** Expected tail exceedances per arm below which the tail test abstains. */
  public int minTailExceedances() {
    return minTailExceedances;
  }

  @Override
  public String toString() {
    return "JudgeSettings[confidence="
        + confidence
        + ", minSamplesPerArm="
        + minSamplesPerArm
        + ", minSlicesPerArm="
        + minSlicesPerArm
        + ", minEffect="
        + minEffect
        + ", minErrorRateIncrease="
        + minErrorRateIncrease
        + ", minTailExceedances="
        + minTailExceedances
        + "]";
  }

  /** Builds {@link JudgeSettings}; each setting is checked when given. */
  public static final class Builder {
    private double confidence = 0.99;
    private long minSamplesPerArm = 500;
    private int minSlicesPerArm = 6;
    private double minEffect = 0.05;
    private double minErrorRateIncrease = 0.001;
    private int minTailExceedances = 10;

    private Builder() {}

    /** Sets the confidence, in {@code [0.5, 0.9999]}. */
    public Builder confidence(double confidence) {
      this.confidence = Checks.inRange("confidence", confidence, 0.5, 0.9999);
      return this;
    }

    /** Sets the latency samples each arm needs, in {@code [20, 1000000000]}. */
    public Builder minSamplesPerArm(long minSamplesPerArm) {
      this.minSamplesPerArm =
          Checks.inRange("minSamplesPerArm", minSamplesPerArm, 20, 1_000_000_000);
      return this;
    }

    /** Sets the throughput slices each arm needs, in {@code [3, 1000000]}. */
    public Builder minSlicesPerArm(int minSlicesPerArm) {
      this.minSlicesPerArm = Checks.inRange("minSlicesPerArm", minSlicesPerArm, 3, 1_000_000);
      return this;
    }

    /** Sets the smallest relative change that counts, in {@code [0, 1]}. */
    public Builder minEffect(double minEffect) {
      this.minEffect = Checks.inRange("minEffect", minEffect, 0.0, 1.0);
      return this;
    }

    /** Sets the smallest absolute rise of the error rate that counts, in {@code [0, 1]}. */
    public Builder minErrorRateIncrease(double minErrorRateIncrease) {
      this.minErrorRateIncrease =
          Checks.inRange("minErrorRateIncrease", minErrorRateIncrease, 0.0, 1.0);
      return this;
    }

    /** Sets the expected tail exceedances per arm the tail test needs, in {@code [1, 1000000]}. */
    public Builder minTailExceedances(int minTailExceedances) {
      this.minTailExceedances =
          Checks.inRange("minTailExceedances", minTailExceedances, 1, 1_000_000);
      return this;
    }

    /** Builds the settings. */
    public JudgeSettings build() {
      return new JudgeSettings(this);
    }
  }
}
