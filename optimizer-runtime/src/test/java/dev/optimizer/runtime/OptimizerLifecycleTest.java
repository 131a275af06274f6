package dev.optimizer.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.Test;

class OptimizerLifecycleTest {

  @Test
  void buildingWithoutOpenTelemetryLeavesTheGlobalInstanceForTheApplicationToRegister() {
    GlobalOpenTelemetry.resetForTest();
    try {
      try (Optimizer optimizer = Optimizer.builder().manualTuning().build()) {
        assertThat(GlobalOpenTelemetry.isSet()).isFalse();
      }
      // An application that sets up its SDK after the optimizer can still register it.
      assertThatCode(() -> GlobalOpenTelemetry.set(OpenTelemetry.noop()))
          .doesNotThrowAnyException();
    } finally {
      GlobalOpenTelemetry.resetForTest();
    }
  }

  @Test
  void anErrorFromOneResourceStillClosesTheOthersAndStopsTheTunerThread() {
    Optimizer optimizer = Optimizer.builder().openTelemetry(OpenTelemetry.noop()).build();
    ScheduledExecutorService scheduler = optimizer.scheduler().orElseThrow();
    List<String> closed = new ArrayList<>();
    optimizer.onClose(() -> closed.add("first"));
    optimizer.onClose(
        () -> {
          throw new NoClassDefFoundError("reactor/core/publisher/Mono");
        });
    optimizer.onClose(() -> closed.add("third"));

    assertThatThrownBy(optimizer::close)
        .isExactlyInstanceOf(NoClassDefFoundError.class)
        .hasMessage("reactor/core/publisher/Mono");
    assertThat(closed).containsExactlyInAnyOrder("first", "third");
    assertThat(scheduler.isShutdown()).isTrue();
    assertThat(optimizer.isClosed()).isTrue();
  }

  @Test
  void anExceptionAfterAnErrorIsKeptAsSuppressed() {
    Optimizer optimizer = Optimizer.builder().openTelemetry(OpenTelemetry.noop()).build();
    // Closed in reverse order: the IOException first, then the Error.
    optimizer.onClose(
        () -> {
          throw new AssertionError("boom");
        });
    optimizer.onClose(
        () -> {
          throw new java.io.IOException("disk");
        });

    assertThatThrownBy(optimizer::close)
        .isExactlyInstanceOf(AssertionError.class)
        .satisfies(
            e ->
                assertThat(e.getSuppressed())
                    .singleElement()
                    .isInstanceOf(IllegalStateException.class)
                    .satisfies(s -> assertThat(s.getCause()).hasMessage("disk")));
    assertThat(optimizer.scheduler().orElseThrow().isShutdown()).isTrue();
  }

  @Test
  void aReleasedRegistrationIsNoLongerHeldNorClosed() {
    Optimizer optimizer = Optimizer.builder().openTelemetry(OpenTelemetry.noop()).build();
    List<String> closed = new ArrayList<>();
    optimizer.onClose(() -> closed.add("kept-first"));
    // What an application that wraps and closes things repeatedly does: none of them may stay.
    for (int i = 0; i < 1_000; i++) {
      String name = "closed-" + i;
      Optimizer.Registration r = optimizer.onClose(() -> closed.add(name));
      r.release();
      r.release(); // idempotent
    }
    Optimizer.Registration last = optimizer.onClose(() -> closed.add("kept-last"));
    assertThat(optimizer.registrations()).isEqualTo(2);

    optimizer.close();
    assertThat(closed).containsExactly("kept-last", "kept-first");
    assertThat(optimizer.registrations()).isZero();
    assertThatCode(last::release).doesNotThrowAnyException(); // after close: harmless
    assertThatThrownBy(() -> optimizer.onClose(() -> {}))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("optimizer is closed");
  }

  @Test
  void anObjectClosingItselfWhileTheOptimizerClosesIsClosedOnceAndNotHeld() throws Exception {
    // The two closes race; whichever comes first, the object's resource is released exactly once
    // and nothing fails.
    for (int round = 0; round < 200; round++) {
      Optimizer optimizer =
          Optimizer.builder().openTelemetry(OpenTelemetry.noop()).manualTuning().build();
      SelfClosing object = new SelfClosing(optimizer);
      java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(2);
      Thread own =
          new Thread(
              () -> {
                try {
                  start.await();
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
                object.close();
              },
              "self-close-" + round);
      own.start();
      start.await();
      optimizer.close();
      own.join();
      assertThat(object.releases.get()).isEqualTo(1);
      assertThat(optimizer.registrations()).isZero();
    }
  }

  /** An object registered with the optimizer that can also be closed on its own. */
  private static final class SelfClosing implements AutoCloseable {
    final java.util.concurrent.atomic.AtomicInteger releases =
        new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.concurrent.atomic.AtomicBoolean closed =
        new java.util.concurrent.atomic.AtomicBoolean();
    private final Optimizer.Registration registration;

    SelfClosing(Optimizer optimizer) {
      this.registration = optimizer.onClose(this);
    }

    @Override
    public void close() {
      registration.release();
      if (closed.compareAndSet(false, true)) {
        releases.incrementAndGet();
      }
    }
  }
}
