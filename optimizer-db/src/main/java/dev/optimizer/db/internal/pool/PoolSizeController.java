package dev.optimizer.db.internal.pool;

import dev.optimizer.api.Controller;
import dev.optimizer.api.ControllerInput;
import dev.optimizer.api.Verdict;
import dev.optimizer.runtime.control.HillClimbController;
import java.util.function.Supplier;

/**
 * Proposes pool sizes from what the pool saw and from the judge's verdicts. Every proposal is a
 * judged trial; this class only chooses which size to try next, in this order:
 *
 * <ol>
 *   <li><b>Surplus.</b> When the most connections in use since the last trial stayed below the
 *       maximum and nobody waited, the surplus can go at no cost: propose that peak plus headroom —
 *       one move instead of a walk.
 *   <li><b>Scan.</b> A pool's good sizes span orders of magnitude (a few for a database whose
 *       transactions contend for CPU or buffers, hundreds for connections held through remote
 *       calls), and its curve can dip between an oversized start and a small best size. The search
 *       opens with a coarse scan, sizes a factor of {@value #SCAN_FACTOR} apart below and then
 *       above the start, each judged against the best so far, which sees past such a dip.
 *   <li><b>Climb.</b> Then a hill climber ({@link HillClimbController}) on the logarithm of the
 *       size refines: its steps are factors (×1.4 at first, up to ×{@value #MAX_FACTOR}), the same
 *       relative change at 4 as at 96.
 *   <li><b>Hold.</b> While nobody waits and the pool is within its headroom, more connections
 *       cannot help and fewer would make callers wait: no trial until demand changes.
 * </ol>
 *
 * <p>Not thread-safe; the engine calls it from one thread.
 */
final class PoolSizeController implements Controller {
  /** The largest factor one trial moves the size by. */
  private static final double MAX_FACTOR = 4.0;

  private final Supplier<PoolDemand.Sample> demand;
  private final HillClimbController climber = new HillClimbController(-1, 0.25);
  private static final double SCAN_FACTOR = 4.0;

  private java.util.ArrayDeque<Integer> scan;
  private boolean lastWasLeap;

  /**
   * @param demand what callers wanted since the last call: the pool's peak use and whether it ran
   *     out; null when too few leases were seen to say
   */
  PoolSizeController(Supplier<PoolDemand.Sample> demand) {
    this.demand = demand;
  }

  @Override
  public String name() {
    return "pool-size";
  }

  @Override
  public double propose(ControllerInput in) {
    int current = (int) Math.round(in.current());
    PoolDemand.Sample seen = demand.get();
    if (seen != null && !seen.exhausted()) {
      int target = withHeadroom(seen.peakInUse());
      if (target < current) {
        lastWasLeap = true;
        return in.bounded(Math.max(in.min(), target));
      }
    }
    if (scan == null) {
      scan = scanFrom(current, in.min(), in.max());
    }
    while (!scan.isEmpty()) {
      int point = scan.poll();
      if (point != current) {
        lastWasLeap = true;
        return in.bounded(point);
      }
    }
    lastWasLeap = false;
    if (seen != null && !seen.exhausted()) {
      // Nobody waited and the pool is within its headroom: more connections cannot help, and fewer
      // would make callers wait. Hold until demand changes.
      return in.current();
    }
    double logMin = Math.log(Math.max(1.0, in.min()));
    double logMax = Math.log(Math.max(1.0, in.max()));
    double logCurrent = Math.log(Math.max(1.0, in.current()));
    ControllerInput log =
        new ControllerInput(
            Math.max(logMin, Math.min(logMax, logCurrent)),
            logMin,
            logMax,
            Math.log(MAX_FACTOR),
            0.0,
            in.window(),
            in.objective());
    double proposed = climber.propose(log);
    double next = Math.round(Math.exp(proposed));
    if (next == current) {
      // At small sizes the factor rounds to no change: move by one connection that way instead.
      next = current + Math.signum(proposed - log.current());
    }
    return in.bounded(next);
  }

  /**
   * The coarse scan that opens the search: sizes a factor of {@value #SCAN_FACTOR} apart, first
   * below the start (smaller is cheaper), then above, each judged against the best size so far. A
   * local climb alone stops at the first dip; a pool's curve can dip between an oversized start and
   * a small best size (connections contending for the same buffers), and one trial a factor of 16
   * away sees past it.
   */
  static java.util.ArrayDeque<Integer> scanFrom(int start, double min, double max) {
    java.util.ArrayDeque<Integer> points = new java.util.ArrayDeque<>();
    java.util.Set<Integer> seen = new java.util.HashSet<>(java.util.List.of(start));
    for (double p = start / SCAN_FACTOR; ; p /= SCAN_FACTOR) {
      int size = (int) Math.max(min, Math.round(p));
      if (seen.add(size)) {
        points.add(size);
      }
      if (p <= min) {
        break;
      }
    }
    for (double p = start * SCAN_FACTOR; ; p *= SCAN_FACTOR) {
      int size = (int) Math.min(max, Math.round(p));
      if (seen.add(size)) {
        points.add(size);
      }
      if (p >= max) {
        break;
      }
    }
    return points;
  }

  /** The size that serves a peak with room for a burst: 10% more, at least one connection. */
  static int withHeadroom(int peak) {
    return peak + Math.max(1, (int) Math.ceil(peak * 0.1));
  }

  @Override
  public void onOutcome(double from, double to, Verdict verdict, boolean kept) {
    if (lastWasLeap || from <= 0 || to <= 0) {
      // A shrink to the observed peak or a scan point says nothing about the local slope.
      return;
    }
    climber.onOutcome(Math.log(from), Math.log(to), verdict, kept);
  }
}
