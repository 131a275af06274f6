package dev.optimizer.benchmarks.ai;

import dev.optimizer.ai.semantic.FeatureGuard;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Scores of the ai-semantic-cache protocol: what each lookup would be served under a scoring rule
 * and a threshold, precision / duplicate recall / false-hit rate, the threshold fitted for a
 * precision floor, the precision-recall curve, and the pair AUC.
 */
final class CacheEval {

  /** One candidate entry of a lookup: exact-tier or semantic, and whether serving it is correct. */
  record Cand(
      String text, double similarity, boolean exact, boolean correct, FeatureGuard.Example ex) {}

  /**
   * One lookup ({@code b}) with its candidates, and its own pair ({@code b} against its {@code a}):
   * the pair's label, similarity, features and whether the texts are equal once normalised.
   */
  record Lookup(
      boolean duplicate, List<Cand> cands, boolean pairExact, FeatureGuard.Example pair) {}

  /** The entry a lookup would be served, if its score reaches the threshold. */
  record Outcome(double score, boolean correct, boolean duplicate) {}

  /** One operating point. */
  record Point(double threshold, double precision, double recall, double falseHitRate, int hits) {

    Map<String, Object> json() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("threshold", Double.isInfinite(threshold) ? "exact-only" : threshold);
      m.put("precision", precision);
      m.put("duplicate_recall", recall);
      m.put("false_hit_rate", falseHitRate);
      m.put("hits", hits);
      return m;
    }
  }

  private final List<Lookup> lookups;
  private final int duplicatePairs;
  private final int nonDuplicateLookups;

  CacheEval(List<Lookup> lookups) {
    this.lookups = lookups;
    int d = 0;
    for (Lookup l : lookups) {
      if (l.duplicate()) {
        d++;
      }
    }
    this.duplicatePairs = d;
    this.nonDuplicateLookups = lookups.size() - d;
  }

  List<Lookup> lookups() {
    return lookups;
  }

  /**
   * The best candidate of each lookup under {@code score} (exact-tier candidates always win, with
   * score +infinity; candidates under {@code minSimilarity} are not considered).
   */
  List<Outcome> outcomes(ToDoubleFunction<FeatureGuard.Example> score, double minSimilarity) {
    List<Outcome> out = new ArrayList<>(lookups.size());
    for (Lookup l : lookups) {
      double best = Double.NEGATIVE_INFINITY;
      boolean correct = false;
      for (Cand c : l.cands()) {
        double s;
        if (c.exact()) {
          s = Double.POSITIVE_INFINITY;
        } else if (c.similarity() >= minSimilarity) {
          s = score.applyAsDouble(c.ex());
        } else {
          continue;
        }
        if (s > best) {
          best = s;
          correct = c.correct();
        }
      }
      out.add(new Outcome(best, correct, l.duplicate()));
    }
    return out;
  }

  /** The operating point of serving every lookup whose best score is at least {@code tau}. */
  Point at(List<Outcome> outcomes, double tau) {
    int hits = 0;
    int correct = 0;
    int falseOnNonDup = 0;
    for (Outcome o : outcomes) {
      if (o.score() >= tau) {
        hits++;
        if (o.correct()) {
          correct++;
        } else if (!o.duplicate()) {
          falseOnNonDup++;
        }
      }
    }
    return new Point(
        tau,
        hits == 0 ? 1.0 : correct / (double) hits,
        correct / (double) duplicatePairs,
        falseOnNonDup / (double) nonDuplicateLookups,
        hits);
  }

  /**
   * The lowest threshold whose hits' precision has a one-sided lower confidence bound (Wilson,
   * {@code z}) of at least {@code floor}; +infinity (exact tier only) if none has. With {@code z =
   * 0} it is the lowest threshold whose observed precision reaches the floor.
   */
  double fitThreshold(List<Outcome> outcomes, double floor, double z) {
    Outcome[] sorted = outcomes.toArray(new Outcome[0]);
    Arrays.sort(sorted, Comparator.comparingDouble(Outcome::score).reversed());
    double chosen = Double.POSITIVE_INFINITY;
    int hits = 0;
    int correct = 0;
    for (int i = 0; i < sorted.length; i++) {
      if (sorted[i].score() == Double.NEGATIVE_INFINITY) {
        break;
      }
      hits++;
      if (sorted[i].correct()) {
        correct++;
      }
      boolean boundary = i + 1 == sorted.length || sorted[i + 1].score() < sorted[i].score();
      if (boundary && wilsonLower(correct, hits, z) >= floor) {
        chosen = sorted[i].score();
      }
    }
    return chosen;
  }

  static double wilsonLower(int correct, int n, double z) {
    if (z == 0) {
      return correct / (double) n;
    }
    double p = correct / (double) n;
    double z2 = z * z;
    double centre = p + z2 / (2.0 * n);
    double spread = z * Math.sqrt(p * (1 - p) / n + z2 / (4.0 * n * n));
    return (centre - spread) / (1 + z2 / n);
  }

  /** Operating points at the given thresholds. */
  List<Map<String, Object>> curve(List<Outcome> outcomes, double[] thresholds) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (double t : thresholds) {
      out.add(at(outcomes, t).json());
    }
    return out;
  }

  /**
   * The pair protocol's AUC: each pair scored alone ({@code b} against its own {@code a}; equal
   * normalised texts score as the exact tier would, +infinity), against its duplicate label.
   */
  double pairAuc(ToDoubleFunction<FeatureGuard.Example> score) {
    int n = lookups.size();
    double[] s = new double[n];
    boolean[] y = new boolean[n];
    for (int i = 0; i < n; i++) {
      Lookup l = lookups.get(i);
      s[i] = l.pairExact() ? Double.POSITIVE_INFINITY : score.applyAsDouble(l.pair());
      y[i] = l.duplicate();
    }
    return auc(s, y);
  }

  /** Mann-Whitney AUC with ties counted half. */
  static double auc(double[] s, boolean[] y) {
    Integer[] idx = new Integer[s.length];
    for (int i = 0; i < idx.length; i++) {
      idx[i] = i;
    }
    Arrays.sort(idx, Comparator.comparingDouble(i -> s[i]));
    double rankSumPos = 0;
    long pos = 0;
    int i = 0;
    while (i < idx.length) {
      int j = i;
      while (j + 1 < idx.length && s[idx[j + 1]] == s[idx[i]]) {
        j++;
      }
      double rank = (i + j) / 2.0 + 1;
      for (int k = i; k <= j; k++) {
        if (y[idx[k]]) {
          rankSumPos += rank;
          pos++;
        }
      }
      i = j + 1;
    }
    long neg = s.length - pos;
    return (rankSumPos - pos * (pos + 1) / 2.0) / (pos * (double) neg);
  }
}
