package dev.optimizer.ai.semantic.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A small gradient-boosted ensemble of regression trees for a binary label, fitted by Newton steps
 * on the logistic loss over histogram bins (the way LightGBM and XGBoost's {@code hist} method fit,
 * at a size that fits a guard: a few hundred shallow trees over a few dozen features).
 *
 * <p>Why trees rather than one more linear term: the evidence a pair of texts gives is conditional.
 * A shared long run of characters means little at cosine 0.85 and a great deal at 0.97; one
 * differing number vetoes a near-identical pair but not a loose paraphrase. A linear score cannot
 * say "only when"; shallow trees can.
 *
 * <p>Fitting is deterministic: the same examples give the same trees. The fitted model is immutable
 * and thread-safe.
 */
public final class GradientBoostedTrees {

  /** L2 penalty on each leaf's value, in units of the loss's curvature. */
  private static final double LEAF_PENALTY = 1.0;

  private final double base;
  private final double learningRate;
  private final int width;
  // The nodes of all trees in flat arrays; a leaf has feature -1 and its value in value[].
  private final int[] feature;
  private final double[] threshold;
  private final int[] left;
  private final int[] right;
  private final double[] value;
  private final int[] roots;

  private GradientBoostedTrees(
      double base, double learningRate, int width, Nodes nodes, List<Integer> roots) {
    this.base = base;
    this.learningRate = learningRate;
    this.width = width;
    this.feature = Arrays.copyOf(nodes.feature, nodes.size);
    this.threshold = Arrays.copyOf(nodes.threshold, nodes.size);
    this.left = Arrays.copyOf(nodes.left, nodes.size);
    this.right = Arrays.copyOf(nodes.right, nodes.size);
    this.value = Arrays.copyOf(nodes.value, nodes.size);
    this.roots = roots.stream().mapToInt(Integer::intValue).toArray();
  }

  /**
   * Fits the ensemble.
   *
   * @param x one row of finite features per example, all rows of the same width
   * @param y the labels
   * @param rounds trees to fit
   * @param depth the depth of each tree
   * @param learningRate the shrinkage of each tree's contribution
   * @param minLeaf the fewest examples a leaf may hold
   * @param bins the histogram bins per feature
   */
  public static GradientBoostedTrees fit(
      double[][] x,
      boolean[] y,
      int rounds,
      int depth,
      double learningRate,
      int minLeaf,
      int bins) {
    int n = x.length;
    int width = x[0].length;
    x = withoutNegativeZero(x);
    int positives = 0;
    for (boolean label : y) {
      positives += label ? 1 : 0;
    }
    double base = Math.log(positives / (double) (n - positives));
    double[][] cuts = new double[width][];
    int[][] bin = new int[width][n];
    for (int j = 0; j < width; j++) {
      cuts[j] = cutPoints(x, j, bins);
      for (int i = 0; i < n; i++) {
        bin[j][i] = binOf(cuts[j], x[i][j]);
      }
    }
    double[] margin = new double[n];
    Arrays.fill(margin, base);
    double[] g = new double[n];
    double[] h = new double[n];
    Nodes nodes = new Nodes();
    List<Integer> roots = new ArrayList<>();
    int[] all = new int[n];
    for (int i = 0; i < n; i++) {
      all[i] = i;
    }
    Grower grower = new Grower(bin, cuts, g, h, minLeaf, nodes);
    for (int r = 0; r < rounds; r++) {
      for (int i = 0; i < n; i++) {
        double p = 1 / (1 + Math.exp(-margin[i]));
        g[i] = p - (y[i] ? 1 : 0);
        h[i] = Math.max(p * (1 - p), 1e-12);
      }
      int root = grower.grow(all, depth);
      roots.add(root);
      for (int i = 0; i < n; i++) {
        margin[i] +=
            learningRate
                * nodes
                    .value[
                    leaf(nodes.feature, nodes.threshold, nodes.left, nodes.right, root, x[i])];
      }
    }
    return new GradientBoostedTrees(base, learningRate, width, nodes, roots);
  }

  /**
   * A copy with -0.0 read as 0.0: binary search orders -0.0 below 0.0 while {@code <=} at
   * prediction holds them equal, and fitting must route values as prediction will.
   */
  private static double[][] withoutNegativeZero(double[][] x) {
    double[][] out = new double[x.length][];
    for (int i = 0; i < x.length; i++) {
      out[i] = x[i].clone();
      for (int j = 0; j < out[i].length; j++) {
        out[i][j] += 0.0; // -0.0 + 0.0 is 0.0; every other value is unchanged
      }
    }
    return out;
  }

  /** The log-odds of a positive label for {@code row}. */
  public double margin(double[] row) {
    if (row.length != width) {
      throw new IllegalArgumentException(
          "row must have " + width + " features, but had " + row.length);
    }
    double m = base;
    for (int root : roots) {
      m += learningRate * value[leaf(feature, threshold, left, right, root, row)];
    }
    return m;
  }

  /** The number of trees. */
  public int trees() {
    return roots.length;
  }

  /** The number of features a row holds. */
  public int width() {
    return width;
  }

  /** The leaf {@code row} reaches from {@code root}: left where its value is at most the cut. */
  private static int leaf(
      int[] feature, double[] threshold, int[] left, int[] right, int root, double[] row) {
    int node = root;
    while (feature[node] >= 0) {
      node = row[feature[node]] <= threshold[node] ? left[node] : right[node];
    }
    return node;
  }

  /** Up to {@code bins - 1} distinct quantiles of feature {@code j}: the candidate split points. */
  private static double[] cutPoints(double[][] x, int j, int bins) {
    double[] v = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      v[i] = x[i][j];
    }
    Arrays.sort(v);
    double[] cuts = new double[bins - 1];
    int k = 0;
    for (int b = 1; b < bins; b++) {
      double q = v[(int) Math.min(v.length - 1, (long) b * v.length / bins)];
      if (k == 0 || q > cuts[k - 1]) {
        cuts[k++] = q;
      }
    }
    return Arrays.copyOf(cuts, k);
  }

  /** The bin of {@code v}: the number of cut points below it (values equal to a cut go left). */
  private static int binOf(double[] cuts, double v) {
    int i = Arrays.binarySearch(cuts, v);
    return i >= 0 ? i : -i - 1;
  }

  /** Grows one tree on the current gradients. */
  private static final class Grower {
    private final int[][] bin;
    private final double[][] cuts;
    private final double[] g;
    private final double[] h;
    private final int minLeaf;
    private final Nodes nodes;

    Grower(int[][] bin, double[][] cuts, double[] g, double[] h, int minLeaf, Nodes nodes) {
      this.bin = bin;
      this.cuts = cuts;
      this.g = g;
      this.h = h;
      this.minLeaf = minLeaf;
      this.nodes = nodes;
    }

    int grow(int[] rows, int depth) {
      double gSum = 0;
      double hSum = 0;
      for (int i : rows) {
        gSum += g[i];
        hSum += h[i];
      }
      double parent = gSum * gSum / (hSum + LEAF_PENALTY);
      double bestGain = 0;
      int bestFeature = -1;
      int bestBin = -1;
      if (depth > 0 && rows.length >= 2 * minLeaf) {
        for (int j = 0; j < cuts.length; j++) {
          int bins = cuts[j].length + 1;
          double[] gb = new double[bins];
          double[] hb = new double[bins];
          int[] cb = new int[bins];
          for (int i : rows) {
            int b = bin[j][i];
            gb[b] += g[i];
            hb[b] += h[i];
            cb[b]++;
          }
          double gl = 0;
          double hl = 0;
          int cl = 0;
          for (int b = 0; b < bins - 1; b++) {
            gl += gb[b];
            hl += hb[b];
            cl += cb[b];
            if (cl < minLeaf || rows.length - cl < minLeaf) {
              continue;
            }
            double gr = gSum - gl;
            double hr = hSum - hl;
            double gain = gl * gl / (hl + LEAF_PENALTY) + gr * gr / (hr + LEAF_PENALTY) - parent;
            if (gain > bestGain) {
              bestGain = gain;
              bestFeature = j;
              bestBin = b;
            }
          }
        }
      }
      if (bestFeature < 0) {
        return nodes.leaf(-gSum / (hSum + LEAF_PENALTY));
      }
      int leftCount = 0;
      for (int i : rows) {
        if (bin[bestFeature][i] <= bestBin) {
          leftCount++;
        }
      }
      int[] leftRows = new int[leftCount];
      int[] rightRows = new int[rows.length - leftCount];
      int li = 0;
      int ri = 0;
      for (int i : rows) {
        if (bin[bestFeature][i] <= bestBin) {
          leftRows[li++] = i;
        } else {
          rightRows[ri++] = i;
        }
      }
      int node = nodes.split(bestFeature, cuts[bestFeature][bestBin]);
      int l = grow(leftRows, depth - 1);
      int r = grow(rightRows, depth - 1);
      nodes.left[node] = l;
      nodes.right[node] = r;
      return node;
    }
  }

  /** A growable node store. */
  private static final class Nodes {
    int size;
    int[] feature = new int[256];
    double[] threshold = new double[256];
    int[] left = new int[256];
    int[] right = new int[256];
    double[] value = new double[256];

    int leaf(double v) {
      int i = add();
      feature[i] = -1;
      value[i] = v;
      return i;
    }

    int split(int f, double t) {
      int i = add();
      feature[i] = f;
      threshold[i] = t;
      return i;
    }

    private int add() {
      if (size == feature.length) {
        int cap = size * 2;
        feature = Arrays.copyOf(feature, cap);
        threshold = Arrays.copyOf(threshold, cap);
        left = Arrays.copyOf(left, cap);
        right = Arrays.copyOf(right, cap);
        value = Arrays.copyOf(value, cap);
      }
      return size++;
    }
  }
}
