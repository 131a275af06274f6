package dev.optimizer.benchmarks.ai;

import dev.optimizer.ai.semantic.FeatureGuard;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The ai-semantic-cache benchmark's choice of guard features and weights, on the fit half only:
 * which rules earn their place, which graded features stay, the logistic fit and its threshold.
 */
final class GuardSelection {

  private GuardSelection() {}

  /** Training pairs from the fit half: every scored candidate, and every pair on its own. */
  static List<FeatureGuard.Example> examples(CacheEval fit, boolean candidates) {
    List<FeatureGuard.Example> out = new ArrayList<>();
    for (CacheEval.Lookup l : fit.lookups()) {
      for (CacheEval.Cand c : l.cands()) {
        if (candidates && !c.exact()) {
          out.add(c.ex());
        }
      }
      if (!l.pairExact()) {
        out.add(l.pair());
      }
    }
    return out;
  }

  record GuardFit(FeatureGuard guard, double tau, double recall, String ablation) {}

  /**
   * The binary rules; each stays only if, as a veto on the fit half, it removes more wrong matches
   * than right ones.
   */
  static final List<String> RULES = List.of("numbers", "negation", "order", "entities", "question");

  /**
   * Feature choice on the fit half: a rule stays when, as a veto on the nearest entries with cosine
   * at least 0.90, it fires on more wrong matches than correct ones (otherwise it costs more recall
   * than it buys precision); then each graded feature (word overlap, length, closeness) is dropped
   * when the logistic fit without it reaches at least the same fit-half recall at the observed
   * precision floor.
   */
  static GuardFit select(CacheEval fit, List<FeatureGuard.Example> examples) {
    Set<String> use = new LinkedHashSet<>(FeatureGuard.FEATURES);
    for (String rule : RULES) {
      int[] fires = fires(fit, rule);
      if (fires[1] <= fires[0]) {
        use.remove(rule);
      }
    }
    StringBuilder ablation = new StringBuilder();
    double best = pointRecall(fit, FeatureGuard.fit(examples, use));
    ablation.append(
        String.format(
            Locale.ROOT, "fit-half recall at observed precision >= 0.98 with %s: %.4f", use, best));
    for (String feature : FeatureGuard.FEATURES) {
      if (!use.contains(feature) || RULES.contains(feature)) {
        continue;
      }
      Set<String> without = new LinkedHashSet<>(use);
      without.remove(feature);
      double recall = pointRecall(fit, FeatureGuard.fit(examples, without));
      boolean drop = recall >= best;
      ablation.append(
          String.format(
              Locale.ROOT, "; without %s: %.4f (%s)", feature, recall, drop ? "dropped" : "kept"));
      if (drop) {
        use = without;
        best = recall;
      }
    }
    GuardFit current = fitWith(fit, examples, use);
    double pointRecall = current.recall;
    GuardFit none = fitWith(fit, examples, Set.of());
    ablation.append(
        String.format(
            Locale.ROOT, "; similarity alone (logistic): %.4f", pointRecall(fit, none.guard)));
    return new GuardFit(current.guard, current.tau, pointRecall, ablation.toString());
  }

  private static double pointRecall(CacheEval fit, FeatureGuard g) {
    List<CacheEval.Outcome> out = fit.outcomes(g::score, SemanticCacheScenario.FLOOR);
    return fit.at(
            out,
            fit.fitThreshold(
                out, SemanticCacheScenario.PRECISION_FLOOR, SemanticCacheScenario.Z_POINT))
        .recall();
  }

  private static GuardFit fitWith(
      CacheEval fit, List<FeatureGuard.Example> examples, Set<String> use) {
    FeatureGuard g = FeatureGuard.fit(examples, use);
    List<CacheEval.Outcome> out = fit.outcomes(g::score, SemanticCacheScenario.FLOOR);
    double tau =
        fit.fitThreshold(out, SemanticCacheScenario.PRECISION_FLOOR, SemanticCacheScenario.Z_POINT);
    return new GuardFit(g, tau, fit.at(out, tau).recall(), "");
  }

  /**
   * What each rule would do alone as a veto on the fit half: among lookups whose nearest entry has
   * cosine >= 0.90 (not the exact tier), how many correct and how many wrong matches it fires on. A
   * rule that fires on more correct than wrong matches costs more recall than it buys precision.
   */
  static String ruleStats(CacheEval fit) {
    StringBuilder sb = new StringBuilder();
    for (String rule : RULES) {
      int[] f = fires(fit, rule);
      sb.append(
          String.format(
              Locale.ROOT,
              "%s%s fires on %d correct / %d wrong of %d (%s)",
              sb.length() == 0 ? "" : "; ",
              rule,
              f[0],
              f[1],
              f[2],
              f[1] > f[0] ? "kept" : "dropped"));
    }
    return sb.toString();
  }

  /**
   * {correct, wrong, considered}: where {@code rule} fires on nearest entries with cosine >= 0.90.
   */
  private static int[] fires(CacheEval fit, String rule) {
    int i = FeatureGuard.FEATURES.indexOf(rule);
    int[] out = new int[3];
    for (CacheEval.Lookup l : fit.lookups()) {
      if (l.cands().isEmpty() || l.cands().get(0).exact()) {
        continue;
      }
      CacheEval.Cand c = l.cands().get(0);
      if (c.similarity() < 0.90) {
        continue;
      }
      out[2]++;
      if (c.ex().features()[i] > 0.5) {
        out[c.correct() ? 0 : 1]++;
      }
    }
    return out;
  }
}
