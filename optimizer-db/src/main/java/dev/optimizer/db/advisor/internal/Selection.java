package dev.optimizer.db.advisor.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Chooses indexes for the whole workload, greedily by benefit per byte, under a budget of count and
 * size.
 *
 * <p>A statement's estimated time saved by an index is its total time times the relative drop of
 * its plan cost: {@code w · (current − with) / base}. It counts only when the index cuts the
 * statement's current cost by at least {@code minGain} (Dexter uses 50%): smaller drops are within
 * the planner's error and not worth a write penalty. Each round takes the candidate with the most
 * benefit per byte, less the write overhead it adds to its table (a fraction of the time the
 * workload spends writing that table — it matters on write-heavy tables only), then lowers the
 * current cost of the statements it serves, so that a second index for the same statement must beat
 * the first. Candidates whose key is a prefix of a chosen one's are skipped, and a chosen index
 * made redundant by a longer chosen one is dropped at the end.
 */
public final class Selection {
  private final double minGain;
  private final int maxIndexes;
  private final long maxBytes;
  private final double writeOverhead;

  /**
   * A selection.
   *
   * @param minGain the smallest relative cost drop of a statement that counts
   * @param maxIndexes most indexes chosen
   * @param maxBytes most bytes of new indexes
   * @param writeOverhead fraction of a table's write time charged per new index
   */
  public Selection(double minGain, int maxIndexes, long maxBytes, double writeOverhead) {
    this.minGain = minGain;
    this.maxIndexes = maxIndexes;
    this.maxBytes = maxBytes;
    this.writeOverhead = writeOverhead;
  }

  /** One statement an index serves. */
  public record Gain(Probe probe, double costBefore, double costAfter, Plan planAfter) {
    /** Relative cost drop. */
    public double relative() {
      return costBefore <= 0 ? 0 : 1 - costAfter / costBefore;
    }
  }

  /** A chosen index with the statements it serves. */
  public record Chosen(Evaluation evaluation, List<Gain> gains, double benefitNanos) {}

  /**
   * Chooses.
   *
   * @param evaluations the evaluated candidates
   * @param writeNanosByTable total time the workload spends in writes, per table ({@link
   *     TableInfo#qualified()})
   */
  public List<Chosen> choose(List<Evaluation> evaluations, Map<String, Long> writeNanosByTable) {
    Map<Probe, Double> current = new HashMap<>();
    List<Evaluation> chosen = new ArrayList<>();
    Map<Evaluation, Double> benefits = new HashMap<>();
    long bytes = 0;
    while (chosen.size() < maxIndexes) {
      Evaluation best = null;
      double bestScore = 0;
      double bestBenefit = 0;
      for (Evaluation e : evaluations) {
        if (chosen.contains(e) || bytes + e.bytes() > maxBytes || redundant(e, chosen)) {
          continue;
        }
        double benefit = 0;
        for (int i = 0; i < e.probes().size(); i++) {
          Probe p = e.probes().get(i);
          double base = p.base().totalCost();
          double cur = current.getOrDefault(p, base);
          double with = e.plans().get(i).totalCost();
          if (base > 0 && cur > 0 && (cur - with) / cur >= minGain) {
            benefit += p.statement().totalNanos() * (cur - with) / base;
          }
        }
        benefit -=
            writeOverhead * writeNanosByTable.getOrDefault(e.candidate().qualifiedTable(), 0L);
        double score = benefit / Math.max(8192, e.bytes());
        if (benefit > 0 && score > bestScore) {
          best = e;
          bestScore = score;
          bestBenefit = benefit;
        }
      }
      if (best == null) {
        break;
      }
      chosen.add(best);
      benefits.put(best, bestBenefit);
      bytes += best.bytes();
      for (int i = 0; i < best.probes().size(); i++) {
        Probe p = best.probes().get(i);
        double with = best.plans().get(i).totalCost();
        current.put(p, Math.min(current.getOrDefault(p, p.base().totalCost()), with));
      }
    }
    List<Chosen> out = new ArrayList<>();
    for (Evaluation e : chosen) {
      if (chosen.stream().anyMatch(o -> e.candidate().servedBy(o.candidate()))) {
        continue; // a longer chosen index serves the same lookups
      }
      List<Gain> gains = new ArrayList<>();
      for (int i = 0; i < e.probes().size(); i++) {
        Probe p = e.probes().get(i);
        Gain g = new Gain(p, p.base().totalCost(), e.plans().get(i).totalCost(), e.plans().get(i));
        if (g.relative() >= minGain) {
          gains.add(g);
        }
      }
      out.add(new Chosen(e, gains, benefits.get(e)));
    }
    return out;
  }

  private static boolean redundant(Evaluation e, List<Evaluation> chosen) {
    for (Evaluation c : chosen) {
      if (e.candidate().servedBy(c.candidate())
          || e.candidate().key().equals(c.candidate().key())
              && e.candidate().table().equals(c.candidate().table())) {
        return true;
      }
    }
    return false;
  }
}
