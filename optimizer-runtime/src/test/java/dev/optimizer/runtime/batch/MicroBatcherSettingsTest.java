package dev.optimizer.runtime.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class MicroBatcherSettingsTest {

  private final ManualClock clock = new ManualClock();
  private final List<List<Integer>> seen = new CopyOnWriteArrayList<>();

  private List<Integer> record(List<Integer> items) {
    seen.add(List.copyOf(items));
    return items;
  }

  private MicroBatcherBuilder<Integer, Integer> builder() {
    return MicroBatcher.<Integer, Integer>builder(this::record)
        .ticker(clock)
        .scheduler(clock)
        .executor(Runnable::run);
  }

  @Test
  void builderRejectsOutOfRangeSettingsNamingSettingRangeAndValue() {
    assertThatThrownBy(() -> builder().maxBatchSize(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxBatchSize must be in [1, 10000], but was 0");
    assertThatThrownBy(() -> builder().maxDelay(Duration.ofMillis(-1)))
        .hasMessage("maxDelay must be in [PT0S, PT10S], but was PT-0.001S");
    assertThatThrownBy(() -> builder().maxQueuedItems(0))
        .hasMessage("maxQueuedItems must be in [1, 10000000], but was 0");
    assertThatThrownBy(() -> builder().maxConcurrentBatches(257))
        .hasMessage("maxConcurrentBatches must be in [1, 256], but was 257");
    assertThatThrownBy(() -> builder().closeTimeout(Duration.ofMinutes(11)))
        .hasMessage("closeTimeout must be in [PT0S, PT10M], but was PT11M");
    assertThatThrownBy(() -> builder().name(" ")).hasMessage("name must not be blank, but was ' '");
    assertThatThrownBy(() -> MicroBatcher.builder(this::record).executor(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("executor must not be null");
    assertThatThrownBy(() -> MicroBatcher.builder(null))
        .hasMessage("batchFunction must not be null");
  }

  @Test
  void builderRejectsASettingGivenTwice() {
    assertThatThrownBy(() -> builder().maxBatchSize(5).maxBatchSize(6))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("maxBatchSize was already set");
    assertThatThrownBy(() -> builder().ticker(clock))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("ticker was already set");
  }

  @Test
  void buildRejectsAQueueSmallerThanABatch() {
    assertThatThrownBy(() -> builder().maxBatchSize(100).maxQueuedItems(50).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "maxQueuedItems must be >= maxBatchSize, but maxQueuedItems was 50 and maxBatchSize"
                + " was 100");
  }

  @Test
  void maxBatchSizeIsAKnobCheckedAgainstTheBuildersBounds() {
    try (MicroBatcher<Integer, Integer> batcher =
        builder().maxBatchSize(10).maxQueuedItems(500).build()) {
      assertThatThrownBy(() -> batcher.setMaxBatchSize(0))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("maxBatchSize must be in [1, 500], but was 0");
      assertThatThrownBy(() -> batcher.setMaxBatchSize(501))
          .hasMessage("maxBatchSize must be in [1, 500], but was 501");

      for (int i = 0; i < 5; i++) {
        batcher.submit(i);
      }
      batcher.setMaxBatchSize(2);

      assertThat(batcher.maxBatchSize()).isEqualTo(2);
      assertThat(seen).containsExactly(List.of(0, 1), List.of(2, 3));
      assertThat(batcher.stats().queuedItems()).as("the remainder keeps waiting").isOne();
      assertThat(clock.pending()).as("with its original timer").isOne();
    }
  }

  @Test
  void maxDelayIsAKnobForBatchesStartedAfterwards() {
    try (MicroBatcher<Integer, Integer> batcher =
        builder().maxDelay(Duration.ofMillis(5)).build()) {
      assertThatThrownBy(() -> batcher.setMaxDelay(Duration.ofSeconds(11)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("maxDelay must be in [PT0S, PT10S], but was PT11S");
      batcher.setMaxDelay(Duration.ofMillis(20));
      assertThat(batcher.maxDelay()).isEqualTo(Duration.ofMillis(20));

      batcher.submit(1);
      assertThat(clock.lastScheduledDelayNanos()).isEqualTo(Duration.ofMillis(20).toNanos());
      clock.advance(Duration.ofMillis(20));
      assertThat(seen).containsExactly(List.of(1));
    }
  }

  @Test
  void delayPolicyIsConsultedPerBatchWithWhatTheBatcherObserved() {
    AtomicReference<String> observed = new AtomicReference<>();
    DelayPolicy policy =
        context -> {
          observed.set(
              context.maxBatchSize()
                  + "/"
                  + context.queuedItems()
                  + "/"
                  + context.inFlightBatches()
                  + "/"
                  + context.recentBatchSize()
                  + "/"
                  + context.arrivalRatePerSecond());
          return Duration.ofMillis(2).toNanos();
        };
    try (MicroBatcher<Integer, Integer> batcher =
        builder().maxBatchSize(3).maxDelay(Duration.ofMillis(5)).delayPolicy(policy).build()) {
      batcher.submit(1);
      assertThat(observed.get()).isEqualTo("3/1/0/0.0/0.0");
      clock.advance(Duration.ofMillis(1));
      batcher.submit(2);
      clock.advance(Duration.ofMillis(1)); // the policy's 2 ms, not maxDelay's 5 ms
      assertThat(seen).containsExactly(List.of(1, 2));

      batcher.submit(3);
      // two gaps of 1 ms each: 1000 items per second; one batch of 2 so far.
      assertThat(observed.get()).isEqualTo("3/1/0/2.0/1000.0");
    }
  }

  @Test
  void aPolicyAnswerBeyondMaxDelayIsBoundedAndAFailingPolicyMeansMaxDelay() {
    DelayPolicy tooLong = context -> Duration.ofHours(1).toNanos();
    try (MicroBatcher<Integer, Integer> batcher =
        builder().maxDelay(Duration.ofMillis(5)).delayPolicy(tooLong).build()) {
      batcher.submit(1);
      assertThat(clock.lastScheduledDelayNanos()).isEqualTo(Duration.ofMillis(5).toNanos());
    }
    DelayPolicy failing =
        context -> {
          throw new IllegalStateException("policy bug");
        };
    try (MicroBatcher<Integer, Integer> batcher =
        MicroBatcher.<Integer, Integer>builder(this::record)
            .scheduler(clock)
            .executor(Runnable::run)
            .maxDelay(Duration.ofMillis(7))
            .delayPolicy(failing)
            .build()) {
      batcher.submit(1);
      assertThat(clock.lastScheduledDelayNanos()).isEqualTo(Duration.ofMillis(7).toNanos());
    }
  }

  @Test
  void skipWhenSparseFlushesAtOnceWhenNobodyElseIsExpected() {
    try (MicroBatcher<Integer, Integer> batcher =
        builder()
            .maxBatchSize(10)
            .maxDelay(Duration.ofMillis(5))
            .delayPolicy(DelayPolicy.skipWhenSparse())
            .build()) {
      batcher.submit(1); // no rate known yet: flush at once
      clock.advance(Duration.ofSeconds(1));
      batcher.submit(2); // one item per second: nobody expected within 5 ms
      assertThat(seen).containsExactly(List.of(1), List.of(2));
      assertThat(clock.pending()).isZero();

      // A burst, 100 us apart: once the moving average has forgotten the 1 s gap (about 24
      // arrivals), some 50 arrivals are expected within 5 ms and batches fill up.
      for (int i = 0; i < 60; i++) {
        clock.advance(Duration.ofNanos(100_000));
        batcher.submit(100 + i);
      }
      assertThat(seen.stream().map(List::size).collect(Collectors.toList()))
          .as("once the rate is up, items wait for each other again")
          .contains(10);
    }
  }
}
