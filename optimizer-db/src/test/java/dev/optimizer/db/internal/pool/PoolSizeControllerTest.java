package dev.optimizer.db.internal.pool;

import static org.assertj.core.api.Assertions.assertThat;

import dev.optimizer.api.ControllerInput;
import dev.optimizer.api.Distribution;
import dev.optimizer.api.Objective;
import dev.optimizer.api.Verdict;
import dev.optimizer.api.Window;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntToDoubleFunction;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class PoolSizeControllerTest {
  private static final Objective OBJECTIVE =
      Objective.maximizeThroughput().withPreference(Objective.Preference.LOWER);

  private static ControllerInput at(double current) {
    Window w =
        new Window(
            0, 1_000_000_000L, Distribution.of(new double[] {1}), 1, 0, new double[0], Map.of());
    return new ControllerInput(current, 2, 100, 98, 1, w, OBJECTIVE);
  }

  /** A fake pool: a demand sample per proposal, set by the test. */
  private static final class Demand implements java.util.function.Supplier<PoolDemand.Sample> {
    PoolDemand.Sample next;

    @Override
    public PoolDemand.Sample get() {
      return next;
    }
  }

  @Test
  void theScanDownStartsFromTheSizeCallersUse() {
    Demand demand = new Demand();
    PoolSizeController c = new PoolSizeController(demand);
    demand.next = new PoolDemand.Sample(64, false);
    // 64 in use plus 10% is 71, not 100: the scan's first point is a quarter of that.
    assertThat(c.propose(at(100))).isEqualTo(18);
    assertThat(c.exploring()).isTrue();
  }

  @Test
  void givesUpConnectionsNobodyUsedInOneMoveOnceTheScanFoundNothingBelow() {
    Demand demand = new Demand();
    PoolSizeController c = new PoolSizeController(demand);
    demand.next = new PoolDemand.Sample(40, false);
    for (int point : new int[] {11, 3, 2}) { // a quarter of 44, and so on down to the minimum
      assertThat(c.propose(at(100))).isEqualTo(point);
      c.onOutcome(100, point, Verdict.REVERT, false);
    }
    assertThat(c.propose(at(100))).isEqualTo(44); // the peak plus 10%
  }

  @Test
  void theSurplusAndTheScanExploreTheClimbDoesNot() {
    Demand demand = new Demand();
    PoolSizeController c = new PoolSizeController(demand);
    demand.next = new PoolDemand.Sample(64, false);
    for (int point : new int[] {18, 4, 2}) {
      assertThat(c.propose(at(100))).isEqualTo(point);
      assertThat(c.exploring()).as("scan point " + point).isTrue();
      c.onOutcome(100, point, Verdict.REVERT, false);
    }
    assertThat(c.propose(at(100))).isEqualTo(71);
    assertThat(c.exploring()).as("surplus").isTrue();
    c.onOutcome(100, 71, Verdict.INCONCLUSIVE, false);
    demand.next = new PoolDemand.Sample(100, true);
    // Nothing above 100 to scan (it is the bound): the climber takes over.
    assertThat(c.propose(at(100))).isNotEqualTo(100);
    assertThat(c.exploring()).as("climb").isFalse();
  }

  @Test
  void aRefusedSurplusShrinkIsNotOfferedAgainUntilAMoveIsKept() {
    Demand demand = new Demand();
    PoolSizeController c = new PoolSizeController(demand);
    demand.next = new PoolDemand.Sample(64, false);
    for (int i = 0; i < 3; i++) { // the scan: 18, 4, 2
      c.onOutcome(100, c.propose(at(100)), Verdict.REVERT, false);
    }
    assertThat(c.propose(at(100))).isEqualTo(71);
    c.onOutcome(100, 71, Verdict.INCONCLUSIVE, false);
    assertThat(c.propose(at(100))).as("refused: hold").isEqualTo(100);
    demand.next = new PoolDemand.Sample(100, true);
    double climbed = c.propose(at(100));
    c.onOutcome(100, climbed, Verdict.KEEP, true);
    demand.next = new PoolDemand.Sample(20, false);
    assertThat(c.propose(at(climbed))).as("offered again after a kept move").isEqualTo(22);
  }

  @Test
  void scansDownByFactorsOfFourThenUpWhileNothingBelowPaid() {
    Demand demand = new Demand();
    PoolSizeController c = new PoolSizeController(demand);
    demand.next = new PoolDemand.Sample(10, true);
    List<Double> proposals = new ArrayList<>();
    double current = 10;
    for (int i = 0; i < 4; i++) {
      double p = c.propose(at(current));
      proposals.add(p);
      c.onOutcome(current, p, Verdict.REVERT, false);
    }
    // 10 / 4 rounds to 3; the next step down reaches the minimum, 2; up, 40 and the maximum.
    assertThat(proposals).containsExactly(3.0, 2.0, 40.0, 100.0);
  }

  @Test
  void aSmallerSizeThatPaysEndsTheUpwardScan() {
    Demand demand = new Demand();
    PoolSizeController c = new PoolSizeController(demand);
    demand.next = new PoolDemand.Sample(64, true);
    assertThat(c.propose(at(64))).isEqualTo(16);
    c.onOutcome(64, 16, Verdict.KEEP, true);
    assertThat(c.propose(at(16))).isEqualTo(4);
    c.onOutcome(16, 4, Verdict.REVERT, false);
    assertThat(c.propose(at(16))).isEqualTo(2);
    c.onOutcome(16, 2, Verdict.REVERT, false);
    // no upward scan from 16: the next move is the climber's, a small factor
    double next = c.propose(at(16));
    assertThat(next).isBetween(11.0, 23.0).isNotEqualTo(16.0);
  }

  @Test
  void theClimbAfterTheScanNeverMovesByMoreThanAFactorOfTwo() {
    Demand demand = new Demand();
    PoolSizeController c = new PoolSizeController(demand);
    demand.next = new PoolDemand.Sample(3, true);
    for (int i = 0; i < 4; i++) { // the scan from 3: 2, then 12, 48 and 100; none pays
      double p = c.propose(at(3));
      c.onOutcome(3, p, Verdict.REVERT, false);
    }
    // Near a flat optimum every climbing trial is inconclusive, and the climber doubles its step
    // after each: the steps stop at ×2, since the scan already tried ×4.
    for (int i = 0; i < 10; i++) {
      double p = c.propose(at(3));
      assertThat(c.exploring()).isFalse();
      assertThat(p).as("trial %d", i).isBetween(2.0, 6.0).isNotEqualTo(3.0);
      c.onOutcome(3, p, Verdict.INCONCLUSIVE, false);
    }
  }

  @Test
  void holdsWhileNobodyWaitsAndThePoolIsWithinItsHeadroom() {
    Demand demand = new Demand();
    PoolSizeController c = new PoolSizeController(demand);
    demand.next = new PoolDemand.Sample(64, true);
    double current = 10;
    for (int i = 0; i < 4; i++) { // the scan: 3, 2, 40, 100, all reverted
      c.onOutcome(current, c.propose(at(current)), Verdict.REVERT, false);
    }
    demand.next = new PoolDemand.Sample(9, false);
    assertThat(c.propose(at(10))).isEqualTo(10);
  }

  /**
   * On any single-peaked curve of throughput over pool size, a judge that keeps strict improvements
   * (and reverts the rest) leads the controller to within a factor of 2 of the peak in a bounded
   * number of trials, from either end.
   */
  @Property(tries = 200)
  void findsThePeakOfAnyUnimodalCurve(
      @ForAll @IntRange(min = 2, max = 100) int peak, @ForAll boolean startHigh) {
    IntToDoubleFunction throughput = size -> -Math.abs(Math.log(size) - Math.log(peak));
    Demand demand = new Demand();
    PoolSizeController c = new PoolSizeController(demand);
    double current = startHigh ? 100 : 10;
    for (int round = 0; round < 25; round++) {
      demand.next = new PoolDemand.Sample((int) current, true);
      double next = c.propose(at(current));
      if (next == current) {
        continue;
      }
      boolean better =
          throughput.applyAsDouble((int) next) > throughput.applyAsDouble((int) current);
      c.onOutcome(current, next, better ? Verdict.KEEP : Verdict.REVERT, better);
      if (better) {
        current = next;
      }
    }
    assertThat(Math.abs(Math.log(current) - Math.log(peak))).isLessThanOrEqualTo(Math.log(2));
  }
}
