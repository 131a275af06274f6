package dev.optimizer.ai.inference.vector;

import java.util.Arrays;

/** The best {@code capacity} (ordinal, score) pairs, as a min-heap on score. */
final class TopK {
  final int[] ordinals;
  final double[] scores;
  int size;

  TopK(int capacity) {
    ordinals = new int[capacity];
    scores = new double[capacity];
  }

  /** Whether {@link #offer} would keep {@code score}: asked before a costly filter. */
  boolean accepts(double score) {
    return size < ordinals.length || score > scores[0];
  }

  void offer(int ordinal, double score) {
    if (size < ordinals.length) {
      ordinals[size] = ordinal;
      scores[size] = score;
      up(size++);
    } else if (score > scores[0]) {
      ordinals[0] = ordinal;
      scores[0] = score;
      down(0);
    }
  }

  int[] sortedIndices() {
    Integer[] idx = new Integer[size];
    for (int i = 0; i < size; i++) {
      idx[i] = i;
    }
    Arrays.sort(idx, (a, b) -> Double.compare(scores[b], scores[a]));
    int[] out = new int[size];
    for (int i = 0; i < size; i++) {
      out[i] = idx[i];
    }
    return out;
  }

  private void up(int i) {
    while (i > 0) {
      int p = (i - 1) / 2;
      if (scores[p] <= scores[i]) {
        return;
      }
      swap(i, p);
      i = p;
    }
  }

  private void down(int i) {
    while (true) {
      int l = 2 * i + 1;
      int r = l + 1;
      int s = i;
      if (l < size && scores[l] < scores[s]) {
        s = l;
      }
      if (r < size && scores[r] < scores[s]) {
        s = r;
      }
      if (s == i) {
        return;
      }
      swap(i, s);
      i = s;
    }
  }

  private void swap(int a, int b) {
    int o = ordinals[a];
    ordinals[a] = ordinals[b];
    ordinals[b] = o;
    double s = scores[a];
    scores[a] = scores[b];
    scores[b] = s;
  }
}
