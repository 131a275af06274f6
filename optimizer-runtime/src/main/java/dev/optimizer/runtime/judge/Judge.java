package dev.optimizer.runtime.judge;

import dev.optimizer.api.ArmSummary;
import dev.optimizer.api.Distribution;
import dev.optimizer.api.Evidence;
import dev.optimizer.api.Finding;
import dev.optimizer.api.Finding.Direction;
import dev.optimizer.api.Objective;
import dev.optimizer.api.Verdict;
import dev.optimizer.api.Window;
import dev.optimizer.api.internal.Checks;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Compares a trial window with its baseline window and decides: keep, revert or inconclusive.
 *
 * <p>Most regressions live in the tail while the median stays put, and most improvements a tuner
 * finds are shifts of the whole distribution; so the judge runs one test for each, plus one for
 * errors and, when the objective is throughput, one for throughput:
 *
 * <ul>
 *   <li><b>body</b> — Mann–Whitney U on latencies (tie-corrected), with the Hodges–Lehmann shift
 *       relative to the baseline median as the effect size;
 *   <li><b>tail</b> — the threshold τ is the objective's percentile of both arms pooled, so that
 *       under the null hypothesis both arms exceed it with the same probability; the counts of
 *       exceedances are compared with Fisher's exact test, and the effect is the ratio of the arms'
 *       own percentiles;
 *   <li><b>errors</b> — Fisher's exact test on error counts, with an absolute floor on the rise;
 *   <li><b>throughput</b> — Mann–Whitney U on per-slice throughput; with a throughput objective
 *       mean latency is a guard (Welch's z-test): the same throughput at a higher mean latency is a
 *       regression, a real throughput gain may cost latency (bounded by a latency limit).
 * </ul>
 *
 * <p>A difference counts only when it is both significant and larger than the effect-size floor, so
 * that huge samples do not turn trivial differences into reverts. The family-wise error rate of a
 * revert is held to {@code 1 − confidence} by splitting it evenly across the harm tests run
 * (Bonferroni); a keep needs its single objective test at the same level. Arms smaller than the
 * minimum give INCONCLUSIVE, never a coin flip.
 *
 * <p>Stateless and thread-safe.
 */
public final class Judge {
  private static final double NON_INFERIORITY_ALPHA = 0.05;

  private final JudgeSettings settings;

  /** A judge with the given settings. */
  public Judge(JudgeSettings settings) {
    this.settings = Checks.notNull("settings", settings);
  }

  /** The settings this judge applies. */
  public JudgeSettings settings() {
    return settings;
  }

  /**
   * The latency samples each arm needs for every test the objective calls for: the minimum per arm,
   * and enough for {@code minTailExceedances} values beyond the objective's percentile.
   */
  public long requiredSamplesPerArm(Objective objective) {
    if (objective.goal() != Objective.Goal.MINIMIZE_LATENCY || objective.percentile() <= 75) {
      return settings.minSamplesPerArm();
    }
    double beyond = 1 - objective.percentile() / 100;
    long forTail =
        (long) Math.ceil(settings.minTailExceedances() / beyond - 1e-6); // 1 - 0.999 is inexact
    return Math.max(settings.minSamplesPerArm(), forTail);
  }

  /**
   * Whether {@code n} samples are expected to hold fewer than {@code minTailExceedances} values
   * beyond {@code percentile}. With a tolerance: {@code 1 - 99.9 / 100} is a little under 0.001 in
   * binary, so without it exactly the {@link #requiredSamplesPerArm} samples counted as too few.
   */
  private boolean tooFewBeyond(double percentile, double n) {
    return (1 - percentile / 100) * n < settings.minTailExceedances() - 1e-6;
  }

  /** Judges a trial against its baseline for an objective. */
  public Judgement judge(Window baseline, Window trial, Objective objective) {
    Checks.notNull("baseline", baseline);
    Checks.notNull("trial", trial);
    Checks.notNull("objective", objective);
    double percentile = objective.percentile();
    ArmSummary b = ArmSummary.of(baseline, percentile);
    ArmSummary t = ArmSummary.of(trial, percentile);
    List<Finding> findings = new ArrayList<>();
    boolean throughputGoal = objective.goal() == Objective.Goal.MAXIMIZE_THROUGHPUT;

    long nb = baseline.latencyNanos().count();
    long nt = trial.latencyNanos().count();
    if (nb < settings.minSamplesPerArm() || nt < settings.minSamplesPerArm()) {
      return inconclusive(
          b,
          t,
          findings,
          String.format(
              Locale.ROOT,
              "insufficient samples: baseline n=%d, trial n=%d, need >= %d per arm",
              nb,
              nt,
              settings.minSamplesPerArm()));
    }
    double[] sb = baseline.throughputSlices();
    double[] st = trial.throughputSlices();
    if (throughputGoal
        && (sb.length < settings.minSlicesPerArm() || st.length < settings.minSlicesPerArm())) {
      return inconclusive(
          b,
          t,
          findings,
          String.format(
              Locale.ROOT,
              "insufficient throughput slices: baseline %d, trial %d, need >= %d per arm",
              sb.length,
              st.length,
              settings.minSlicesPerArm()));
    }

    Grouped gb = Grouped.of(baseline.latencyNanos());
    Grouped gt = Grouped.of(trial.latencyNanos());
    boolean anyErrors = baseline.errors() + trial.errors() > 0;
    boolean latencyGoal = !throughputGoal;
    boolean limit = objective.latencyLimit().isPresent();
    // Weighted Bonferroni: the objective's own test gets half of the family's alpha, the guards
    // (errors, the other latency test, a latency limit) share the other half. The family-wise
    // error rate of a revert stays within 1 - confidence, and the test that matters most is not
    // diluted by guards that rarely fire.
    int guards = (anyErrors ? 1 : 0) + 1 + (limit ? 1 : 0); // errors, latency body, limit
    double familyAlpha = 1 - settings.confidence();
    double objectiveAlpha = guards == 0 ? familyAlpha : familyAlpha / 2;
    double guardAlpha = guards == 0 ? 0 : familyAlpha / 2 / guards;
    double keepAlpha = familyAlpha;

    Finding objectiveFinding = null;
    if (anyErrors) {
      findings.add(errorTest(baseline, trial, guardAlpha));
    }
    if (latencyGoal) {
      boolean bodyIsObjective = percentile <= 75;
      // With too few samples to test the tail itself, a significant improvement of the whole
      // distribution (with the tail's point estimate not worse) is the best evidence of a better
      // tail there is; harm is still caught by the body test.
      boolean tailAbstains = tooFewBeyond(percentile, Math.min(nb, nt));
      Finding body =
          bodyTest(
              gb,
              gt,
              bodyIsObjective ? objectiveAlpha : guardAlpha,
              bodyIsObjective || tailAbstains ? keepAlpha : 0);
      Finding tail =
          tailTest(
              gb,
              gt,
              percentile,
              bodyIsObjective ? guardAlpha : objectiveAlpha,
              bodyIsObjective ? 0 : keepAlpha);
      findings.add(body);
      findings.add(tail);
      objectiveFinding = bodyIsObjective || (tailAbstains && tail.effect() <= 0) ? body : tail;
    }
    Finding latencyGuard = null;
    if (throughputGoal) {
      // Same throughput at a higher latency is worse (an oversized pool queues without serving
      // more); a real throughput gain may cost latency, which the latency limit bounds.
      latencyGuard =
          latencyGuard(gb, gt, baseline.latencyNanos(), trial.latencyNanos(), guardAlpha);
      findings.add(latencyGuard);
      objectiveFinding =
          throughputTest(
              Grouped.of(Distribution.of(sb)),
              Grouped.of(Distribution.of(st)),
              objectiveAlpha,
              keepAlpha);
      findings.add(objectiveFinding);
    }
    if (limit) {
      findings.add(
          limitTest(
              gb,
              gt,
              objective.latencyLimitPercentile(),
              objective.latencyLimit().get().toNanos(),
              guardAlpha));
    }

    objective.minGauges().forEach((g, min) -> findings.add(gaugeFloor(trial, g, min)));

    boolean objectiveBetter =
        objectiveFinding != null && objectiveFinding.direction() == Direction.BETTER;
    for (Finding f : findings) {
      if (f.direction() == Direction.WORSE && !(f == latencyGuard && objectiveBetter)) {
        return new Judgement(Verdict.REVERT, new Evidence(b, t, findings, f.detail()));
      }
    }
    if (objectiveFinding != null && objectiveFinding.direction() == Direction.BETTER) {
      return new Judgement(Verdict.KEEP, new Evidence(b, t, findings, objectiveFinding.detail()));
    }
    return inconclusive(
        b,
        t,
        findings,
        String.format(
            Locale.ROOT,
            "no significant change beyond %.1f%% at confidence %.4g",
            settings.minEffect() * 100,
            settings.confidence()));
  }

  private static Judgement inconclusive(
      ArmSummary b, ArmSummary t, List<Finding> findings, String reason) {
    return new Judgement(Verdict.INCONCLUSIVE, new Evidence(b, t, findings, reason));
  }

  private Finding errorTest(Window baseline, Window trial, double alpha) {
    long eb = baseline.errors();
    long et = trial.errors();
    long nb = baseline.operations();
    long nt = trial.operations();
    double p = ExactProportionTest.pTrialHigher(eb, nb, et, nt);
    double rise = trial.errorRate() - baseline.errorRate();
    boolean worse = p < alpha && rise >= settings.minErrorRateIncrease();
    return new Finding(
        "fisher-exact",
        "errors",
        worse ? Direction.WORSE : Direction.NO_CHANGE,
        p,
        rise,
        alpha,
        String.format(
            Locale.ROOT,
            "error rate %.4f%% -> %.4f%% (%d/%d vs %d/%d), p=%.3g",
            baseline.errorRate() * 100,
            trial.errorRate() * 100,
            eb,
            nb,
            et,
            nt,
            p));
  }

  /** Mann–Whitney U on latencies: larger is worse. */
  private Finding bodyTest(Grouped gb, Grouped gt, double harmAlpha, double keepAlpha) {
    Shift s = shift(gb, gt, true, harmAlpha, keepAlpha);
    return new Finding(
        "mann-whitney-u",
        "latency",
        s.direction,
        s.p,
        s.effect,
        s.alpha,
        String.format(
            Locale.ROOT,
            "latency shift %+.1f%% of the baseline median (Hodges-Lehmann %+.3f ms), z=%.2f, p=%.3g",
            s.effect * 100,
            s.shift / 1e6,
            s.z,
            s.p));
  }

  /**
   * The latency guard of a throughput objective: the rank-sum test gives the power (latencies are
   * skewed, and a mean test on them is weak), the mean's shift says whether the latency is really
   * higher. At a given throughput a closed loop's mean latency is fixed (Little's law) while its
   * median moves with how the waiting is shared out: a pool that hands a returned connection back
   * to the thread that returned it gives most leases no wait and a few long ones, and one more
   * connection spreads the waits, lifting the median at no cost. So a significant shift counts as
   * worse only if the mean rose beyond the effect floor too.
   */
  private Finding latencyGuard(
      Grouped gb, Grouped gt, Distribution baseline, Distribution trial, double harmAlpha) {
    Finding body = bodyTest(gb, gt, harmAlpha, 0);
    double meanBefore = baseline.mean();
    double meanRise = meanBefore > 0 ? trial.mean() / meanBefore - 1 : 0;
    String detail =
        String.format(
            Locale.ROOT,
            "%s; mean latency %.3f ms -> %.3f ms (%+.1f%%)",
            body.detail(),
            meanBefore / 1e6,
            trial.mean() / 1e6,
            meanRise * 100);
    Direction d =
        body.direction() == Direction.WORSE && meanRise < settings.minEffect()
            ? Direction.NO_CHANGE
            : body.direction();
    return new Finding(
        body.test(), body.metric(), d, body.pValue(), body.effect(), body.alpha(), detail);
  }

  /**
   * Whether the trial is shown to be no worse than the baseline by more than the effect floor: a
   * one-sided non-inferiority test at level {@value #NON_INFERIORITY_ALPHA}. An inconclusive
   * verdict only says the judge could not tell; a cheaper value is worth keeping on that verdict
   * only when this holds, or noise would ratchet a knob towards its cheap end one "can't tell" at a
   * time.
   *
   * <p>For a throughput objective, the trial's per-slice throughput is tested against the
   * baseline's scaled down by the floor; for a latency objective, the trial's latencies against the
   * baseline's scaled up by the floor (Mann–Whitney U both).
   */
  public boolean nonInferior(Window baseline, Window trial, Objective objective) {
    Checks.notNull("baseline", baseline);
    Checks.notNull("trial", trial);
    Checks.notNull("objective", objective);
    double floor = settings.minEffect();
    if (objective.goal() == Objective.Goal.MAXIMIZE_THROUGHPUT) {
      double[] sb = baseline.throughputSlices();
      double[] st = trial.throughputSlices();
      if (sb.length < settings.minSlicesPerArm() || st.length < settings.minSlicesPerArm()) {
        return false;
      }
      double[] lowered = new double[sb.length];
      for (int i = 0; i < sb.length; i++) {
        lowered[i] = sb[i] * (1 - floor);
      }
      RankSumTest.Result r =
          RankSumTest.test(Grouped.of(Distribution.of(lowered)), Grouped.of(Distribution.of(st)));
      return r.pTrialLarger() < NON_INFERIORITY_ALPHA;
    }
    // Latency: the trial's latencies against the baseline's raised by the floor.
    RankSumTest.Result r =
        RankSumTest.test(
            Grouped.of(scaled(baseline.latencyNanos(), 1 + floor)),
            Grouped.of(trial.latencyNanos()));
    return r.pTrialSmaller() < NON_INFERIORITY_ALPHA;
  }

  /** A view of a distribution with every value multiplied by {@code factor}. */
  private static Distribution scaled(Distribution d, double factor) {
    return new Distribution() {
      @Override
      public long count() {
        return d.count();
      }

      @Override
      public void forEachValue(ValueCount visitor) {
        d.forEachValue((v, n) -> visitor.accept(v * factor, n));
      }

      @Override
      public double valueAtQuantile(double q) {
        return d.valueAtQuantile(q) * factor;
      }

      @Override
      public double mean() {
        return d.mean() * factor;
      }
    };
  }

  /** Mann–Whitney U on per-slice throughput: smaller is worse. */
  private Finding throughputTest(Grouped gb, Grouped gt, double harmAlpha, double keepAlpha) {
    Shift s = shift(gb, gt, false, harmAlpha, keepAlpha);
    return new Finding(
        "mann-whitney-u",
        "throughput",
        s.direction,
        s.p,
        s.effect,
        s.alpha,
        String.format(
            Locale.ROOT,
            "throughput %.1f/s -> %.1f/s per slice (shift %+.1f%%), z=%.2f, p=%.3g",
            gb.quantile(0.5),
            gt.quantile(0.5),
            s.effect * 100,
            s.z,
            s.p));
  }

  private record Shift(
      Direction direction, double p, double effect, double shift, double z, double alpha) {}

  /**
   * The rank-sum test with the Hodges–Lehmann shift relative to the baseline median as effect; a
   * shift counts when significant at its level and beyond the effect floor.
   */
  private Shift shift(
      Grouped gb, Grouped gt, boolean largerIsWorse, double harmAlpha, double keepAlpha) {
    RankSumTest.Result r = RankSumTest.test(gb, gt);
    double median = gb.quantile(0.5);
    double shift = RankSumTest.hodgesLehmannShift(gb, gt);
    double effect = median > 0 ? shift / median : 0;
    double pWorse = largerIsWorse ? r.pTrialLarger() : r.pTrialSmaller();
    double pBetter = largerIsWorse ? r.pTrialSmaller() : r.pTrialLarger();
    double worseEffect = largerIsWorse ? effect : -effect;
    if (pWorse < harmAlpha && worseEffect >= settings.minEffect()) {
      return new Shift(Direction.WORSE, pWorse, effect, shift, r.z(), harmAlpha);
    }
    if (pBetter < keepAlpha && -worseEffect >= settings.minEffect()) {
      return new Shift(Direction.BETTER, pBetter, effect, shift, r.z(), keepAlpha);
    }
    return new Shift(
        Direction.NO_CHANGE, Math.min(pWorse, pBetter), effect, shift, r.z(), harmAlpha);
  }

  private Finding tailTest(
      Grouped gb, Grouped gt, double percentile, double harmAlpha, double keepAlpha) {
    double q = percentile / 100;
    String metric = "latency.p" + trim(percentile);
    double expected = (1 - q) * Math.min(gb.total, gt.total);
    double pb = gb.quantile(q);
    double pt = gt.quantile(q);
    double effect = pb > 0 ? pt / pb - 1 : 0;
    if (tooFewBeyond(percentile, Math.min(gb.total, gt.total))) {
      return new Finding(
          "tail-exceedance",
          metric,
          Direction.NO_CHANGE,
          1,
          effect,
          harmAlpha,
          String.format(
              Locale.ROOT,
              "too few samples for the p%s tail: %.1f expected exceedances per arm, need %d",
              trim(percentile),
              expected,
              settings.minTailExceedances()));
    }
    double threshold = Grouped.pooledQuantile(gb, gt, q);
    long eb = gb.countAbove(threshold);
    long et = gt.countAbove(threshold);
    double pHigher = ExactProportionTest.pTrialHigher(eb, gb.total, et, gt.total);
    double pLower = ExactProportionTest.pTrialLower(eb, gb.total, et, gt.total);
    Direction d = Direction.NO_CHANGE;
    double p = Math.min(pHigher, pLower);
    if (pHigher < harmAlpha && effect >= settings.minEffect()) {
      d = Direction.WORSE;
      p = pHigher;
    } else if (pLower < keepAlpha && -effect >= settings.minEffect()) {
      d = Direction.BETTER;
      p = pLower;
    }
    return new Finding(
        "tail-exceedance",
        metric,
        d,
        p,
        effect,
        d == Direction.BETTER ? keepAlpha : harmAlpha,
        String.format(
            Locale.ROOT,
            "p%s %.3f ms -> %.3f ms (%+.1f%%); above pooled %.3f ms: %d/%d vs %d/%d, p=%.3g",
            trim(percentile),
            pb / 1e6,
            pt / 1e6,
            effect * 100,
            threshold / 1e6,
            eb,
            gb.total,
            et,
            gt.total,
            p));
  }

  private Finding limitTest(
      Grouped gb, Grouped gt, double percentile, double limitNanos, double alpha) {
    double pt = gt.quantile(percentile / 100);
    long eb = gb.countAbove(limitNanos);
    long et = gt.countAbove(limitNanos);
    double p = ExactProportionTest.pTrialHigher(eb, gb.total, et, gt.total);
    boolean worse = pt > limitNanos && p < alpha;
    return new Finding(
        "fisher-exact",
        "latency.limit",
        worse ? Direction.WORSE : Direction.NO_CHANGE,
        p,
        limitNanos > 0 ? pt / limitNanos - 1 : 0,
        alpha,
        String.format(
            Locale.ROOT,
            "p%s %.3f ms against a limit of %.3f ms; above the limit %d/%d vs %d/%d, p=%.3g",
            trim(percentile),
            pt / 1e6,
            limitNanos / 1e6,
            eb,
            gb.total,
            et,
            gt.total,
            p));
  }

  /**
   * A floor on the trial window's mean of a gauge: not a test against the baseline but a condition
   * the trial must meet (a cache trial's hit rate); a gauge the trial never recorded fails it.
   */
  private static Finding gaugeFloor(Window trial, String gauge, double minimum) {
    Double mean = trial.gauges().get(gauge);
    boolean worse = mean == null || mean < minimum;
    double effect = mean == null || minimum == 0 ? 0 : mean / minimum - 1;
    return new Finding(
        "floor",
        "gauge." + gauge,
        worse ? Direction.WORSE : Direction.NO_CHANGE,
        1,
        effect,
        0,
        mean == null
            ? String.format(
                Locale.ROOT,
                "%s was not recorded in the trial, which must reach %.4g",
                gauge,
                minimum)
            : String.format(
                Locale.ROOT,
                "%s %.4g in the trial %s the floor %.4g",
                gauge,
                mean,
                worse ? "is below" : "reaches",
                minimum));
  }

  private static String trim(double percentile) {
    return percentile == Math.rint(percentile)
        ? Long.toString((long) percentile)
        : Double.toString(percentile);
  }
}
