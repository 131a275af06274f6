package dev.optimizer.ai.semantic;

import dev.optimizer.ai.semantic.internal.PairFeatures;
import dev.optimizer.api.internal.Checks;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A {@link PrecisionGuard} that reads more than the cosine: a logistic model over the similarity
 * and a handful of surface features of the pair, each 0 when the texts agree:
 *
 * <ul>
 *   <li>{@code numbers} — the texts name different numbers, counted with repeats ("iPhone 6" /
 *       "iPhone 7", years, "two");
 *   <li>{@code negation} — one side is negated (not, never, no, n't, without...), the other not;
 *   <li>{@code order} — the words both use, or the numbers both name, appear in another order
 *       ("convert X to Y" / "convert Y to X", "10 minus 3" / "3 minus 10");
 *   <li>{@code content} — share of content words only one side uses;
 *   <li>{@code entities} — names (capitalised words, acronyms) only one side mentions;
 *   <li>{@code length} — {@code 1 - shorter / longer}, in words;
 *   <li>{@code question}, {@code overlap}, {@code query_only}, {@code candidate_only}, {@code
 *       both_extra} — a different question word, and words (function words included) one side only
 *       uses;
 *   <li>{@code trigrams}, {@code edit}, {@code sorted_edit}, {@code common_run} — character-level
 *       distances of the two word sequences (shared trigrams, edit distance, edit distance of the
 *       words sorted, the longest shared run);
 *   <li>{@code first_word}, {@code first_two}, {@code last_word} — the opening and closing words
 *       differ; {@code size} — both texts' words over 100 (not a mismatch: long texts that agree
 *       share more by chance);
 *   <li>{@code closeness} — {@code -ln(1 - similarity)}.
 * </ul>
 *
 * <p>A weighted sum cannot make one feature count only in the presence of another; {@link
 * BoostedGuard} fits shallow trees over the same features where that matters.
 *
 * <p>The score is {@code sigmoid(bias + w_sim * similarity + sum(w_i * feature_i))}, one number per
 * pair in {@code (0, 1)}. The rules are generic English (a function-word list, number words,
 * negation cues); only the few weights are fitted, with {@link #fit}, from labelled pairs — an
 * application can refit them from its own verified hits. {@link #defaults()} is a plain rule set (a
 * high cosine and no rule firing); the ai-semantic-cache benchmark fits and measures the weights on
 * QQP. Fit a threshold on your own data where precision matters.
 *
 * <p>Immutable and thread-safe.
 */
public final class FeatureGuard implements PrecisionGuard {

  /** The feature names, in the order {@link Example#features()} holds them. */
  public static final List<String> FEATURES = features();

  private static List<String> features() {
    List<String> names = new java.util.ArrayList<>(PairFeatures.NAMES);
    names.add("closeness");
    return List.copyOf(names);
  }

  /**
   * The shipped weights: {@code sigmoid(200 * (similarity - 0.995) - 4 * (numbers + negation +
   * order + entities))}. With the default decision threshold of 0.5 that reads "cosine at least
   * 0.995, and none of the four rules fires" (a rule moves the needed cosine past 1). Generic on
   * purpose: the weights fitted on QQP by the benchmark are reported there, not shipped.
   */
  private static final FeatureGuard DEFAULTS = new FeatureGuard(-199.0, 200.0, defaultWeights());

  private static double[] defaultWeights() {
    double[] w = new double[FEATURES.size()];
    for (String rule : List.of("numbers", "negation", "order", "entities")) {
      w[FEATURES.indexOf(rule)] = -4.0;
    }
    return w;
  }

  private final double bias;
  private final double similarityWeight;
  private final double[] weights;

  private FeatureGuard(double bias, double similarityWeight, double[] weights) {
    this.bias = bias;
    this.similarityWeight = similarityWeight;
    this.weights = weights;
  }

  /** The shipped weights; see the class comment for where they come from. */
  public static FeatureGuard defaults() {
    return DEFAULTS;
  }

  /**
   * A guard with explicit weights.
   *
   * @param weights by feature name ({@link #FEATURES}); a feature left out weighs 0
   * @throws IllegalArgumentException for an unknown feature name or a non-finite weight
   */
  public static FeatureGuard of(double bias, double similarityWeight, Map<String, Double> weights) {
    Checks.inRange("bias", bias, -1e6, 1e6);
    Checks.inRange("similarityWeight", similarityWeight, -1e6, 1e6);
    double[] w = new double[FEATURES.size()];
    Checks.notNull("weights", weights)
        .forEach(
            (name, value) -> {
              int i = FEATURES.indexOf(name);
              if (i < 0) {
                throw new IllegalArgumentException(
                    "weights: feature must be one of " + FEATURES + ", but was '" + name + "'");
              }
              w[i] = Checks.inRange("weights." + name, Checks.notNull(name, value), -1e6, 1e6);
            });
    return new FeatureGuard(bias, similarityWeight, w);
  }

  /**
   * One labelled pair with its features computed once: {@code same} is whether the candidate's
   * answer is right for the query.
   */
  public record Example(double similarity, double[] features, boolean same) {

    /** Computes the features of ({@code query}, {@code candidate}). */
    public static Example of(String query, String candidate, double similarity, boolean same) {
      return new Example(similarity, pairFeatures(query, candidate, similarity), same);
    }
  }

  /**
   * Fits the weights of the given features (the others weigh 0) by L2-regularised logistic
   * regression (Newton's method) on the examples.
   *
   * @param use feature names to fit, a subset of {@link #FEATURES}; empty gives a guard on the
   *     similarity alone
   * @throws IllegalArgumentException if there are no examples of either label
   */
  public static FeatureGuard fit(Collection<Example> examples, Set<String> use) {
    Checks.notNull("examples", examples);
    for (String name : Checks.notNull("use", use)) {
      if (!FEATURES.contains(name)) {
        throw new IllegalArgumentException(
            "use: feature must be one of " + FEATURES + ", but was '" + name + "'");
      }
    }
    requireBothLabels(examples.stream().filter(Example::same).count(), examples.size());
    int[] cols = FEATURES.stream().filter(use::contains).mapToInt(FEATURES::indexOf).toArray();
    int p = cols.length + 2;
    double[] beta = new double[p];
    double lambda = 1e-3 * examples.size();
    double[] x = new double[p];
    for (int iter = 0; iter < 50; iter++) {
      double[] grad = new double[p];
      double[][] hess = new double[p][p];
      for (Example e : examples) {
        row(e, cols, x);
        double z = 0;
        for (int j = 0; j < p; j++) {
          z += beta[j] * x[j];
        }
        double mu = 1 / (1 + Math.exp(-z));
        double r = (e.same() ? 1 : 0) - mu;
        double w = Math.max(mu * (1 - mu), 1e-9);
        for (int j = 0; j < p; j++) {
          grad[j] += r * x[j];
          for (int k = 0; k < p; k++) {
            hess[j][k] += w * x[j] * x[k];
          }
        }
      }
      for (int j = 1; j < p; j++) {
        grad[j] -= lambda * beta[j];
        hess[j][j] += lambda;
      }
      double[] step = solve(hess, grad);
      double change = 0;
      for (int j = 0; j < p; j++) {
        beta[j] += step[j];
        change = Math.max(change, Math.abs(step[j]));
      }
      if (change < 1e-7) {
        break;
      }
    }
    double[] w = new double[FEATURES.size()];
    for (int c = 0; c < cols.length; c++) {
      w[cols[c]] = beta[c + 2];
    }
    return new FeatureGuard(beta[0], beta[1], w);
  }

  /** Refuses training examples that are all of one label: nothing could be learnt from them. */
  static void requireBothLabels(long positives, int examples) {
    if (positives == 0 || positives == examples) {
      throw new IllegalArgumentException(
          "examples must hold both labels, but had " + positives + " positive of " + examples);
    }
  }

  private static void row(Example e, int[] cols, double[] x) {
    x[0] = 1;
    x[1] = e.similarity();
    for (int c = 0; c < cols.length; c++) {
      x[c + 2] = e.features()[cols[c]];
    }
  }

  /** Solves {@code a * x = b} by Gaussian elimination with partial pivoting (a is small). */
  private static double[] solve(double[][] a, double[] b) {
    int n = b.length;
    double[][] m = new double[n][];
    for (int i = 0; i < n; i++) {
      m[i] = Arrays.copyOf(a[i], n + 1);
      m[i][n] = b[i];
    }
    for (int col = 0; col < n; col++) {
      int pivot = col;
      for (int r = col + 1; r < n; r++) {
        if (Math.abs(m[r][col]) > Math.abs(m[pivot][col])) {
          pivot = r;
        }
      }
      double[] t = m[col];
      m[col] = m[pivot];
      m[pivot] = t;
      if (Math.abs(m[col][col]) < 1e-12) {
        m[col][col] = 1e-12;
      }
      for (int r = col + 1; r < n; r++) {
        double f = m[r][col] / m[col][col];
        for (int k = col; k <= n; k++) {
          m[r][k] -= f * m[col][k];
        }
      }
    }
    double[] x = new double[n];
    for (int i = n - 1; i >= 0; i--) {
      double s = m[i][n];
      for (int k = i + 1; k < n; k++) {
        s -= m[i][k] * x[k];
      }
      x[i] = s / m[i][i];
    }
    return x;
  }

  @Override
  public double score(String query, String candidate, double similarity) {
    return score(similarity, pairFeatures(query, candidate, similarity));
  }

  /**
   * The features of a pair: {@link PairFeatures}' surface features, then {@code closeness = -ln(1 -
   * similarity)} (floored at 1e-4), which spreads out the similarities near 1 where the decisions
   * are made.
   */
  static double[] pairFeatures(String query, String candidate, double similarity) {
    double[] surface = PairFeatures.of(query, candidate);
    double[] f = Arrays.copyOf(surface, surface.length + 1);
    f[surface.length] = -Math.log(Math.max(1e-4, 1 - similarity));
    return f;
  }

  /** The score of an example whose features are already computed. */
  public double score(Example example) {
    return score(example.similarity(), example.features());
  }

  private double score(double similarity, double[] features) {
    double z = bias + similarityWeight * similarity;
    for (int i = 0; i < weights.length; i++) {
      z += weights[i] * features[i];
    }
    return 1 / (1 + Math.exp(-z));
  }

  /** The intercept. */
  public double bias() {
    return bias;
  }

  /** The weight of the cosine similarity. */
  public double similarityWeight() {
    return similarityWeight;
  }

  /** The feature weights by name, in {@link #FEATURES} order. */
  public Map<String, Double> weights() {
    Map<String, Double> m = new LinkedHashMap<>();
    for (int i = 0; i < weights.length; i++) {
      m.put(FEATURES.get(i), weights[i]);
    }
    return m;
  }

  @Override
  public String toString() {
    StringBuilder sb =
        new StringBuilder("FeatureGuard{bias=")
            .append(round(bias))
            .append(", similarity=")
            .append(round(similarityWeight));
    for (int i = 0; i < weights.length; i++) {
      sb.append(", ").append(FEATURES.get(i)).append('=').append(round(weights[i]));
    }
    return sb.append('}').toString();
  }

  private static String round(double d) {
    return String.format(java.util.Locale.ROOT, "%.3f", d);
  }
}
