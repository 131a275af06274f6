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
}
