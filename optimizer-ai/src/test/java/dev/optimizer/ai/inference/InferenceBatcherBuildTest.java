package dev.optimizer.ai.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.optimizer.api.Knob;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.metrics.data.MetricData;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Building an {@link InferenceBatcher}: settings refused with their range, its knobs registered,
 * moving it and taken out again on close, and a build that fails leaving nothing behind.
 */
class InferenceBatcherBuildTest extends BatcherFixture {

  @Test
  void aQueueShorterThanABatchIsRefusedNotRaised() {
    assertThatThrownBy(
            () ->
                InferenceBatcher.builder(optimizer, new GatedWorker())
                    .name("short")
                    .maxQueuedItems(10)
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxQueuedItems must be in [maxBatchSize (64), 10000000], but was 10");
    assertThat(optimizer.knob("optimizer.ai.short.max_batch_size")).isEmpty();
  }

  @Test
  void closingABatcherTakesItsKnobsOutSoItsNameCanBeBuiltAgain() {
    GatedWorker worker = new GatedWorker();
    InferenceBatcher<String, String> first =
        InferenceBatcher.builder(optimizer, worker).name("x").build();
    first.close();
    assertThat(optimizer.knob("optimizer.ai.x.max_batch_size")).isEmpty();
    assertThat(optimizer.knob("optimizer.ai.x.max_delay_us")).isEmpty();
    InferenceBatcher<String, String> second =
        InferenceBatcher.builder(optimizer, new GatedWorker()).name("x").build();
    assertThat(optimizer.knob("optimizer.ai.x.max_batch_size").orElseThrow())
        .isSameAs(second.maxBatchSizeKnob());
    // The first batcher's close does not take the second's knobs, however often it runs.
    first.close();
    assertThat(optimizer.knob("optimizer.ai.x.max_delay_us")).isPresent();
    second.close();
    assertThat(worker.closed).isTrue();
  }

  @Test
  void aBuildThatFailsOnATakenKnobNameLeavesNothingBehind() {
    optimizer.register(Knob.ofInt("optimizer.ai.dup.max_batch_size", 1).range(1, 2).build());
    GatedWorker worker = new GatedWorker();
    assertThatThrownBy(() -> InferenceBatcher.builder(optimizer, worker).name("dup").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("optimizer.ai.dup.max_batch_size");
    // Neither its other knob nor the batcher's metric callbacks stay registered.
    assertThat(optimizer.knob("optimizer.ai.dup.max_delay_us")).isEmpty();
    assertThat(optimizer.knob("optimizer.ai.dup.max_batch_size")).isPresent();
    Set<String> batchers =
        reader.collectAllMetrics().stream()
            .flatMap(m -> m.getData().getPoints().stream())
            .map(p -> p.getAttributes().get(AttributeKey.stringKey("optimizer.batcher.name")))
            .filter(java.util.Objects::nonNull)
            .collect(Collectors.toSet());
    assertThat(batchers).doesNotContain("ai-dup");
    assertThat(worker.closed).as("workers given to a failed build stay the caller's").isFalse();
  }

  @Test
  void workersFromAFactoryAreMadeAtBuildAndClosedWhenItFails() {
    List<GatedWorker> made = new CopyOnWriteArrayList<>();
    java.util.function.Supplier<GatedWorker> factory =
        () -> {
          GatedWorker w = new GatedWorker();
          made.add(w);
          return w;
        };
    assertThatThrownBy(() -> InferenceBatcher.builder(optimizer, 2, factory).maxBatchSize(0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(made).isEmpty();
    optimizer.register(Knob.ofInt("optimizer.ai.taken.max_delay_us", 1).range(1, 2).build());
    assertThatThrownBy(() -> InferenceBatcher.builder(optimizer, 2, factory).name("taken").build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(made).hasSize(2).allMatch(w -> w.closed);
  }

  @Test
  void buildingOnAClosedOptimizerIsRefusedBeforeAnythingStarts() {
    List<GatedWorker> made = new CopyOnWriteArrayList<>();
    java.util.function.Supplier<GatedWorker> factory =
        () -> {
          GatedWorker w = new GatedWorker();
          made.add(w);
          return w;
        };
    Set<Thread> before = Thread.getAllStackTraces().keySet();
    optimizer.close();
    for (boolean tuning : List.of(true, false)) {
      assertThatThrownBy(
              () ->
                  InferenceBatcher.builder(optimizer, 2, factory)
                      .name("late")
                      .tuning(tuning)
                      .build())
          .isExactlyInstanceOf(IllegalStateException.class)
          .hasMessage("optimizer is closed: InferenceBatcher 'late' was not built");
    }
    GatedWorker given = new GatedWorker();
    assertThatThrownBy(() -> InferenceBatcher.builder(optimizer, given).name("late").build())
        .hasMessage("optimizer is closed: InferenceBatcher 'late' was not built");
    // No thread of its batcher, no instrument or callback on the meter, no knob, no worker made.
    assertThat(Thread.getAllStackTraces().keySet())
        .filteredOn(t -> !before.contains(t) && t.getName().startsWith("ai-late"))
        .isEmpty();
    Collection<MetricData> metrics = reader.collectAllMetrics();
    assertThat(metrics)
        .flatExtracting(m -> List.copyOf(m.getData().getPoints()))
        .extracting(p -> p.getAttributes().get(AttributeKey.stringKey("optimizer.batcher.name")))
        .doesNotContain("ai-late");
    assertThat(optimizer.knob("optimizer.ai.late.max_delay_us")).isEmpty();
    assertThat(optimizer.knob("optimizer.ai.late.max_batch_size")).isEmpty();
    assertThat(given.closed).as("workers given to a failed build stay the caller's").isFalse();
    assertThat(made).as("workers a factory would make for it").isEmpty();
  }

  @Test
  void itsKnobsAreRegisteredAndMoveTheBatcher() {
    GatedWorker worker = new GatedWorker();
    worker.release.countDown();
    InferenceBatcher<String, String> batcher = batcher(worker);
    assertThat(optimizer.knob("optimizer.ai.test.max_delay_us")).isPresent();
    assertThat(optimizer.knob("optimizer.ai.test.max_batch_size")).isPresent();
    batcher.maxBatchSizeKnob().set(3);
    assertThat(batcher.maxBatchSizeKnob().value()).isEqualTo(3);
    assertThatThrownBy(() -> batcher.maxBatchSizeKnob().set(9))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void badSettingsAreRefusedWithTheirRange() {
    GatedWorker worker = new GatedWorker();
    assertThatThrownBy(() -> InferenceBatcher.builder(optimizer, worker).maxBatchSize(0))
        .hasMessage("maxBatchSize must be in [1, 4096], but was 0");
    assertThatThrownBy(
            () -> InferenceBatcher.builder(optimizer, worker).maxDelay(Duration.ofSeconds(2)))
        .hasMessage("maxDelay must be in [PT0S, PT1S], but was PT2S");
    assertThatThrownBy(() -> InferenceBatcher.<String, String>builder(optimizer, List.of()))
        .hasMessage("workers must be in [1, 256], but was 0");
  }
}
