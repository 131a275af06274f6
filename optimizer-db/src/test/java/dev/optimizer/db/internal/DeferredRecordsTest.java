package dev.optimizer.db.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class DeferredRecordsTest {
  private record Applied(Object what, long a, long b) {}

  @Test
  void flushAppliesEveryRecordHandedOffInOrder() {
    List<Applied> applied = new ArrayList<>();
    DeferredRecords records =
        new DeferredRecords((w, a, b) -> applied.add(new Applied(w, a, b)), "test", false);
    Object x = new Object();
    for (int i = 0; i < 10; i++) {
      assertThat(records.offer(x, i, 100 + i)).isTrue();
    }
    assertThat(applied).isEmpty(); // without a drainer, nothing happens until a flush

    records.flush();

    assertThat(applied).hasSize(10);
    for (int i = 0; i < 10; i++) {
      assertThat(applied.get(i)).isEqualTo(new Applied(x, i, 100 + i));
    }
    records.flush();
    assertThat(applied).hasSize(10); // applied once only
  }

  @Test
  void aFullBufferRefusesSoThatTheCallerRecordsItselfAndFlushFreesIt() {
    AtomicLong sum = new AtomicLong();
    DeferredRecords records = new DeferredRecords((w, a, b) -> sum.addAndGet(a), "test", false);
    Object x = new Object();
    for (int i = 0; i < DeferredRecords.CAPACITY; i++) {
      assertThat(records.offer(x, 1, 0)).isTrue();
    }
    assertThat(records.offer(x, 1, 0)).isFalse(); // this thread's stripe is full

    records.flush();

    assertThat(sum.get()).isEqualTo(DeferredRecords.CAPACITY);
    assertThat(records.offer(x, 1, 0)).isTrue();
  }

  @Test
  void aFailingRecordDoesNotStopTheOthers() {
    AtomicLong sum = new AtomicLong();
    DeferredRecords records =
        new DeferredRecords(
            (w, a, b) -> {
              if (a == 2) {
                throw new IllegalStateException("boom");
              }
              sum.addAndGet(a);
            },
            "test",
            false);
    Object x = new Object();
    records.offer(x, 1, 0);
    records.offer(x, 2, 0);
    records.offer(x, 4, 0);

    records.flush();

    assertThat(sum.get()).isEqualTo(5);
  }

  @Test
  void manyThreadsLoseNothingWhileTheDrainerRuns() throws Exception {
    AtomicLong drained = new AtomicLong(); // applied by the drainer or a flush, one at a time
    AtomicLong inline = new AtomicLong(); // refused: applied by the producer itself
    DeferredRecords records =
        new DeferredRecords((w, a, b) -> drained.addAndGet(a), "optimizer-db-records-test");
    int threads = 4;
    int perThread = 200_000;
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> producers = new ArrayList<>();
    Object x = new Object();
    for (int t = 0; t < threads; t++) {
      Thread p =
          new Thread(
              () -> {
                try {
                  start.await();
                } catch (InterruptedException e) {
                  return;
                }
                for (int i = 0; i < perThread; i++) {
                  if (!records.offer(x, 1, 0)) {
                    inline.incrementAndGet();
                  }
                }
              });
      p.start();
      producers.add(p);
    }
    start.countDown();
    for (Thread p : producers) {
      p.join();
    }

    records.flush();

    assertThat(drained.get() + inline.get()).isEqualTo((long) threads * perThread);
    records.close();
  }

  @Test
  void closeAppliesWhatIsLeftStopsTheThreadAndRefusesLaterRecords() {
    AtomicLong sum = new AtomicLong();
    DeferredRecords records =
        new DeferredRecords((w, a, b) -> sum.addAndGet(a), "optimizer-db-records-test");
    Object x = new Object();
    assertThat(records.draining()).isTrue();
    records.offer(x, 3, 0);
    records.offer(x, 4, 0);

    records.close();

    assertThat(sum.get()).isEqualTo(7);
    assertThat(records.draining()).isFalse();
    assertThat(records.offer(x, 1, 0)).isFalse();
    records.close(); // idempotent
    assertThat(sum.get()).isEqualTo(7);
  }
}
