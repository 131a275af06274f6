package dev.optimizer.db.internal.pool;

import dev.optimizer.api.Controller;
import dev.optimizer.api.ControllerInput;
import dev.optimizer.api.Verdict;
import dev.optimizer.runtime.control.HillClimbController;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Proposes pool sizes from what the pool saw and from the judge's verdicts. Every proposal is a
 * judged trial; this class only chooses which size to try next, in this order:
 *
 * <ol>
 *   <li><b>Scan.</b> A pool's good sizes span orders of magnitude (a few for a database whose
 *       transactions contend for CPU or buffers, hundreds for connections held through remote
 *       calls), and its curve can dip between an oversized start and a small best size. The search
 *       opens with a coarse scan, sizes a factor of {@value #SCAN_FACTOR} apart below and then
 *       above the start, each judged against the best so far, which sees past such a dip. The scan
 *       down starts from the size callers use (their peak plus headroom) when that is below the
 *       maximum: a trial that only drops connections nobody took measures nothing, and where
 *       throughput is low (an oversized pool thrashing) each trial takes seconds.
 *   <li><b>Surplus.</b> When the most connections in use since the last trial stayed below the
 *       maximum and nobody waited, the surplus can go at no cost: propose that peak plus headroom —
 *       one move instead of a walk. If the judge does not keep it, the controller stops offering it
 *       until a move is kept, and searches instead.
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
  /**
   * The largest factor one climbing trial moves the size by. The opening scan has tried sizes a
   * factor of {@value #SCAN_FACTOR} apart, so the climb refines within a factor of that around the
   * best; a larger step would only retry the scan's losers. Near the best size, after an
   * inconclusive step the climber doubles its step, and a trial ×4 away from a sharp optimum costs
   * half the throughput while it runs (3 → 12 in the buffer-bound benchmark).
   */
  private static final double MAX_FACTOR = 2.0;

  /** The factor between the sizes of the opening scan. */
  private static final double SCAN_FACTOR = 4.0;

  private final Supplier<PoolDemand.Sample> demand;
  private final HillClimbController climber = new HillClimbController(-1, 0.5); // ×1.4 first
  private ArrayDeque<Integer> scanDown;
  private ArrayDeque<Integer> scanUp;
  private Move last = Move.CLIMB;
  private boolean surplusRefused;

  /** What kind of move the last proposal was. */
  private enum Move {
    SURPLUS,
    SCAN_DOWN,
    SCAN_UP,
    CLIMB
  }

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
    boolean idleToSpare = seen != null && !seen.exhausted();
    int inUse =
        idleToSpare
            ? (int) Math.max(in.min(), Math.min(current, withHeadroom(seen.peakInUse())))
            : current;
    if (scanDown == null) {
      // From the size the pool uses, not its maximum: connections nobody took change nothing, so
      // the scan's first point is a factor of SCAN_FACTOR below what callers really hold.
      scanDown = scan(inUse, 1 / SCAN_FACTOR, in.min(), in.max());
      scanUp = scan(current, SCAN_FACTOR, in.min(), in.max());
    }
    Integer point = next(scanDown, current);
    if (point != null) {
      last = Move.SCAN_DOWN;
      return in.bounded(point);
    }
    if (inUse < current && !surplusRefused) {
      last = Move.SURPLUS;
      return in.bounded(inUse);
    }
    if (!idleToSpare) {
      // Only a pool that ran out can gain from more connections.
      point = next(scanUp, current);
      if (point != null) {
        last = Move.SCAN_UP;
        return in.bounded(point);
      }
    }
    last = Move.CLIMB;
    if (idleToSpare) {
      // Nobody waited and the pool is within its headroom: more connections cannot help, and fewer
      // would make callers wait. Hold until demand changes.
      return in.current();
    }
    return climb(in, current);
  }

  private double climb(ControllerInput in, int current) {
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

  private static Integer next(ArrayDeque<Integer> points, int current) {
    while (!points.isEmpty()) {
      int p = points.poll();
      if (p != current) {
        return p;
      }
    }
    return null;
  }

  /**
   * One side of the coarse scan that opens the search: sizes from {@code start} on, each {@code
   * factor} times the last, within the bounds (the bound itself included). Below the start comes
   * first (smaller is cheaper); above only while nothing below paid and the pool runs out. A local
   * climb alone stops at the first dip; a pool's curve can dip between an oversized start and a
   * small best size (connections contending for the same buffers), and a trial a factor of 16 away
   * sees past it.
   */
  static ArrayDeque<Integer> scan(int start, double factor, double min, double max) {
    ArrayDeque<Integer> points = new ArrayDeque<>();
    Set<Integer> seen = new HashSet<>(List.of(start));
    // From at least 1: a start of 0 or less would never reach the lower bound.
    for (double p = Math.max(1, start) * factor; ; p *= factor) {
      int size = (int) Math.max(min, Math.min(max, Math.round(p)));
      if (seen.add(size)) {
        points.add(size);
      }
      if (p <= min || p >= max) {
        return points;
      }
    }
  }

  /** The size that serves a peak with room for a burst: 10% more, at least one connection. */
  static int withHeadroom(int peak) {
    return peak + Math.max(1, (int) Math.ceil(peak * 0.1));
  }

  /**
   * The surplus shrink and the opening scan explore: the scan's points are a factor of {@value
   * #SCAN_FACTOR} apart, and a refused surplus leads to the scan, so a point that did not pay says
   * nothing against the next, and the engine need not back off between them.
   */
  @Override
  public boolean exploring() {
    return last != Move.CLIMB;
  }

  @Override
  public void onOutcome(double from, double to, Verdict verdict, boolean kept) {
    if (kept) {
      surplusRefused = false; // the pool's size changed: its surplus may be worth offering again
    }
    switch (last) {
      case SURPLUS -> {
        // The judge could not confirm that dropping the idle connections costs nothing (a noisy
        // signal, or the idle ones mattered after all): stop offering it, and search instead.
        surplusRefused = !kept;
      }
      case SCAN_DOWN -> {
        if (verdict == Verdict.KEEP) {
          scanUp.clear(); // the peak lies below: no need to look above
        }
      }
      case CLIMB -> {
        if (from > 0 && to > 0) {
          climber.onOutcome(Math.log(from), Math.log(to), verdict, kept);
        }
      }
      default -> {
        // A shrink to the observed peak or a scan point says nothing about the local slope.
      }
    }
  }
}
