package dev.optimizer.benchmarks;

import java.util.Arrays;

/**
 * Statistics of a side-by-side run measured in interleaved blocks: the baseline's block {@code b}
 * and the optimized side's block {@code b} ran next to each other in time. This machine's speed
 * steps within a run (a throttled VM), and the pooled medians of the two sides can then fall on
 * different sides of a step, where comparing them measures the step rather than the change. Paired
 * by block, each comparison sees one machine state; the median over blocks then ignores the blocks
 * a step fell in.
 */
public final class PairedBlocks {
  private PairedBlocks() {}

  /**
   * The median over blocks of optimized p50 / baseline p50, where sample {@code i} of each array
   * belongs to block {@code i / perBlock}.
   */
  public static double medianRatio(long[] optimized, long[] baseline, int perBlock) {
    return medianOverBlocks(optimized, baseline, perBlock, true);
  }

  /** The median over blocks of optimized p50 - baseline p50 (in the samples' unit). */
  public static double medianDifference(long[] optimized, long[] baseline, int perBlock) {
    return medianOverBlocks(optimized, baseline, perBlock, false);
  }

  /** The median of {@code values}; the array is left as it was. */
  public static double median(long[] values) {
    long[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }

  private static double medianOverBlocks(
      long[] optimized, long[] baseline, int perBlock, boolean ratio) {
    if (optimized.length != baseline.length || perBlock <= 0 || baseline.length % perBlock != 0) {
      throw new IllegalArgumentException(
          "both sides need the same whole number of blocks of "
              + perBlock
              + " samples; got "
              + optimized.length
              + " and "
              + baseline.length);
    }
    int blocks = baseline.length / perBlock;
    double[] perBlockValue = new double[blocks];
    for (int b = 0; b < blocks; b++) {
      double opt = median(Arrays.copyOfRange(optimized, b * perBlock, (b + 1) * perBlock));
      double base = median(Arrays.copyOfRange(baseline, b * perBlock, (b + 1) * perBlock));
      perBlockValue[b] = ratio ? opt / base : opt - base;
    }
    Arrays.sort(perBlockValue);
    return perBlockValue[blocks / 2];
  }
}
