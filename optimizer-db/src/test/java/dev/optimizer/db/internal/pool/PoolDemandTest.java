package dev.optimizer.db.internal.pool;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PoolDemandTest {
  @Test
  void reportsThePeakOnceEnoughLeasesWereSeen() {
    PoolDemand d = new PoolDemand();
    for (int i = 0; i < 3; i++) {
      d.leaseStarted(0);
    }
    assertThat(d.take(10)).as("3 leases are too few for a pool of 10").isNull();
    for (int i = 0; i < 3; i++) {
      d.leaseEnded();
    }
    for (int i = 0; i < 20; i++) {
      d.leaseStarted(0);
      d.leaseEnded();
    }
    assertThat(d.take(10)).isEqualTo(new PoolDemand.Sample(3, false));
  }

  @Test
  void aWaitingCallerOrAFullyLentPoolMeansExhausted() {
    PoolDemand d = new PoolDemand();
    for (int i = 0; i < 8; i++) {
      d.leaseStarted(i == 5 ? 2 : 0);
      d.leaseEnded();
    }
    assertThat(d.take(4)).isEqualTo(new PoolDemand.Sample(1, true));
    for (int i = 0; i < 4; i++) {
      d.leaseStarted(0);
    }
    for (int i = 0; i < 4; i++) {
      d.leaseEnded();
    }
    assertThat(d.take(2)).isEqualTo(new PoolDemand.Sample(4, true));
  }

  @Test
  void aNewPeriodStartsFromTheConnectionsStillInUse() {
    PoolDemand d = new PoolDemand();
    for (int i = 0; i < 6; i++) {
      d.leaseStarted(0);
    }
    d.restart();
    for (int i = 0; i < 6; i++) {
      d.leaseEnded();
    }
    for (int i = 0; i < 4; i++) {
      d.leaseStarted(0);
      d.leaseEnded();
    }
    assertThat(d.take(2)).isEqualTo(new PoolDemand.Sample(6, true));
  }
}
