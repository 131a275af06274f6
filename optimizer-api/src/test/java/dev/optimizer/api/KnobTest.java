package dev.optimizer.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class KnobTest {

  private static Knob<Integer> poolSize() {
    return Knob.ofInt("pool.size", 5).range(1, 10).maxStep(2).build();
  }

  // ---- builder validation -------------------------------------------------------------------

  @Test
  void initialValueOutsideTheRangeIsRejectedWithTheRangeInTheMessage() {
    assertThatThrownBy(() -> Knob.ofInt("pool.size", 11).range(1, 10).build())
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("pool.size initial value must be in [1, 10], but was 11");
    assertThatThrownBy(() -> Knob.ofInt("pool.size", 0).range(1, 10).build())
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("pool.size initial value must be in [1, 10], but was 0");
  }

  @Test
  void initialValueOutsideADurationRangeIsReportedFormatted() {
    assertThatThrownBy(
            () ->
                Knob.ofDuration("batch.delay", Duration.ofSeconds(2))
                    .range(Duration.ofMillis(1), Duration.ofMillis(500))
                    .build())
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("batch.delay initial value must be in [1ms, 500ms], but was 2s");
  }

  @Test
  void initialValueOnEitherBoundIsAccepted() {
    assertThat(Knob.ofInt("k", 1).range(1, 10).build().value()).isEqualTo(1);
    assertThat(Knob.ofInt("k", 10).range(1, 10).build().value()).isEqualTo(10);
    assertThat(Knob.ofInt("k", 3).range(3, 3).build().value()).isEqualTo(3);
  }

  @Test
  void rangeGivenTwiceIsAnIllegalState() {
    Knob.Builder<Integer> b = Knob.ofInt("pool.size", 5).range(1, 10);
    assertThatThrownBy(() -> b.range(1, 20))
        .isExactlyInstanceOf(IllegalStateException.class)
        .hasMessage("pool.size range was already set");
  }

  @Test
  void maxStepGivenTwiceIsAnIllegalState() {
    Knob.Builder<Integer> b = Knob.ofInt("pool.size", 5).range(1, 10).maxStep(2);
    assertThatThrownBy(() -> b.maxStep(3))
        .isExactlyInstanceOf(IllegalStateException.class)
        .hasMessage("pool.size maxStep was already set");
  }

  @Test
  void missingRangeIsAnIllegalState() {
    assertThatThrownBy(() -> Knob.ofInt("pool.size", 5).maxStep(1).build())
        .isExactlyInstanceOf(IllegalStateException.class)
        .hasMessage("pool.size range must be set");
  }

  @Test
  void maxStepMustBePositive() {
    assertThatThrownBy(() -> Knob.ofInt("pool.size", 5).range(1, 10).maxStep(0))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("pool.size maxStep must be positive, but was 0");
    assertThatThrownBy(() -> Knob.ofInt("pool.size", 5).range(1, 10).maxStep(-3))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("pool.size maxStep must be positive, but was -3");
    assertThatThrownBy(() -> Knob.ofDouble("ratio", 0.5).range(0.0, 1.0).maxStep(Double.NaN))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("ratio maxStep must be positive, but was NaN");
    assertThatThrownBy(
            () -> Knob.ofDouble("ratio", 0.5).range(0.0, 1.0).maxStep(Double.POSITIVE_INFINITY))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("ratio maxStep must be positive, but was Infinity");
    assertThatThrownBy(
            () ->
                Knob.ofDuration("delay", Duration.ofMillis(5))
                    .range(Duration.ZERO, Duration.ofMillis(10))
                    .maxStep(Duration.ZERO))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("delay maxStep must be positive, but was 0s");
  }

  @Test
  void rangeMustBeOrderedAndFinite() {
    assertThatThrownBy(() -> Knob.ofInt("pool.size", 5).range(10, 1))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("pool.size range must have min <= max, but was [10, 1]");
    assertThatThrownBy(() -> Knob.ofDouble("ratio", 0.5).range(Double.NaN, 1.0))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("ratio range must be finite, but was [NaN, 1.0]");
    assertThatThrownBy(() -> Knob.ofDouble("ratio", 0.5).range(0.0, Double.POSITIVE_INFINITY))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("ratio range must be finite, but was [0.0, Infinity]");
  }

  @Test
  void nameAndInitialValueAreChecked() {
    assertThatThrownBy(() -> Knob.ofInt(" ", 1))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("knob name must not be blank, but was ' '");
    assertThatThrownBy(() -> Knob.ofInt(null, 1))
        .isExactlyInstanceOf(NullPointerException.class)
        .hasMessage("knob name must not be null");
    assertThatThrownBy(() -> Knob.ofDuration("delay", null))
        .isExactlyInstanceOf(NullPointerException.class)
        .hasMessage("delay initial value must not be null");
    assertThatThrownBy(() -> Knob.ofDouble("ratio", Double.NaN))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("double knob value must be finite, but was NaN");
    assertThatThrownBy(() -> Knob.ofDouble("ratio", Double.NEGATIVE_INFINITY))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("double knob value must be finite, but was -Infinity");
  }

  @Test
  void nullSettingsAreRejectedByName() {
    Knob.Builder<Integer> b = Knob.ofInt("pool.size", 5);
    assertThatThrownBy(() -> b.range(null, 10))
        .isExactlyInstanceOf(NullPointerException.class)
        .hasMessage("pool.size min must not be null");
    assertThatThrownBy(() -> b.range(1, null))
        .isExactlyInstanceOf(NullPointerException.class)
        .hasMessage("pool.size max must not be null");
    assertThatThrownBy(() -> b.maxStep(null))
        .isExactlyInstanceOf(NullPointerException.class)
        .hasMessage("pool.size maxStep must not be null");
    assertThatThrownBy(() -> b.description(null))
        .isExactlyInstanceOf(NullPointerException.class)
        .hasMessage("pool.size description must not be null");
    assertThatThrownBy(() -> b.onChange(null))
        .isExactlyInstanceOf(NullPointerException.class)
        .hasMessage("pool.size onChange must not be null");
  }

  @Test
  void builtKnobExposesItsSettings() {
    Knob<Integer> k =
        Knob.ofInt("pool.size", 5).range(1, 10).maxStep(2).description("max pool size").build();
    assertThat(k.name()).isEqualTo("pool.size");
    assertThat(k.description()).isEqualTo("max pool size");
    assertThat(k.type()).isSameAs(KnobType.INT);
    assertThat(k.value()).isEqualTo(5);
    assertThat(k.min()).isEqualTo(1);
    assertThat(k.max()).isEqualTo(10);
    assertThat(k.maxStep()).isEqualTo(2);
    assertThat(k.numericValue()).isEqualTo(5.0);
    assertThat(k.isPinned()).isFalse();
    assertThat(Knob.ofInt("x", 1).range(1, 2).build().description()).isEmpty();
  }

  @Test
  void buildingDoesNotCallTheApplier() {
    AtomicInteger calls = new AtomicInteger();
    Knob.ofInt("pool.size", 5).range(1, 10).onChange(v -> calls.incrementAndGet()).build();
    assertThat(calls).hasValue(0);
  }

  // ---- default maxStep ----------------------------------------------------------------------

  @Test
  void defaultMaxStepIsAQuarterOfTheRange() {
    assertThat(Knob.ofInt("k", 10).range(2, 66).build().maxStep()).isEqualTo(16);
    assertThat(Knob.ofLong("k", 10L).range(0L, 1000L).build().maxStep()).isEqualTo(250L);
    assertThat(Knob.ofDouble("k", 0.5).range(0.0, 1.0).build().maxStep()).isEqualTo(0.25);
    assertThat(
            Knob.ofDuration("k", Duration.ofMillis(10))
                .range(Duration.ZERO, Duration.ofMillis(100))
                .build()
                .maxStep())
        .isEqualTo(Duration.ofMillis(25));
  }

  @Test
  void defaultMaxStepOfAWholeNumberKnobIsRoundedAndAtLeastOne() {
    // 9 / 4 = 2.25 rounds to 2
    assertThat(Knob.ofInt("k", 5).range(1, 10).build().maxStep()).isEqualTo(2);
    // 1 / 4 = 0.25 is below the granularity: the step is 1
    assertThat(Knob.ofInt("k", 1).range(1, 2).build().maxStep()).isEqualTo(1);
    // an empty range still gets a positive step
    assertThat(Knob.ofInt("k", 3).range(3, 3).build().maxStep()).isEqualTo(1);
    assertThat(
            Knob.ofDuration("k", Duration.ofNanos(1))
                .range(Duration.ZERO, Duration.ofNanos(2))
                .build()
                .maxStep())
        .isEqualTo(Duration.ofNanos(1));
    assertThat(Knob.ofDouble("k", 0.5).range(0.5, 0.5).build().maxStep()).isPositive();
  }

  // ---- set ------------------------------------------------------------------------------------

  @Test
  void setOutsideTheBoundsIsRejectedAndLeavesTheValue() {
    Knob<Integer> k = poolSize();
    assertThatThrownBy(() -> k.set(11))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("pool.size must be in [1, 10], but was 11");
    assertThatThrownBy(() -> k.set(0))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("pool.size must be in [1, 10], but was 0");
    assertThatThrownBy(() -> k.set(null))
        .isExactlyInstanceOf(NullPointerException.class)
        .hasMessage("pool.size must not be set to null");
    assertThat(k.value()).isEqualTo(5);
  }

  @Test
  void setOutsideDurationBoundsIsReportedFormatted() {
    Knob<Duration> k =
        Knob.ofDuration("batch.delay", Duration.ofMillis(5))
            .range(Duration.ofMillis(1), Duration.ofMillis(50))
            .build();
    assertThatThrownBy(() -> k.set(Duration.ofMillis(51)))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("batch.delay must be in [1ms, 50ms], but was 51ms");
  }

  @Test
  void setMayJumpFurtherThanMaxStepAndReachBothBounds() {
    Knob<Integer> k = poolSize();
    k.set(10);
    assertThat(k.value()).isEqualTo(10);
    k.set(1);
    assertThat(k.value()).isEqualTo(1);
  }

  @Test
  void applierRunsBeforeTheNewValueIsVisible() {
    AtomicReference<Knob<Integer>> self = new AtomicReference<>();
    List<String> seen = new ArrayList<>();
    Knob<Integer> k =
        Knob.ofInt("pool.size", 5)
            .range(1, 10)
            .onChange(v -> seen.add("apply " + v + " while value=" + self.get().value()))
            .build();
    self.set(k);
    k.set(7);
    assertThat(seen).containsExactly("apply 7 while value=5");
    assertThat(k.value()).isEqualTo(7);
  }

  @Test
  void throwingApplierLeavesTheOldValueAndPropagates() {
    List<Integer> notified = new ArrayList<>();
    Knob<Integer> k =
        Knob.ofInt("pool.size", 5)
            .range(1, 10)
            .onChange(
                v -> {
                  if (v == 8) {
                    throw new IllegalStateException("pool refused " + v);
                  }
                })
            .build();
    k.addListener((knob, oldValue, newValue) -> notified.add(newValue));
    assertThatThrownBy(() -> k.set(8))
        .isExactlyInstanceOf(IllegalStateException.class)
        .hasMessage("pool refused 8");
    assertThat(k.value()).isEqualTo(5);
    assertThat(notified).isEmpty();
    k.set(6);
    assertThat(k.value()).isEqualTo(6);
    assertThat(notified).containsExactly(6);
  }

  @Test
  void settingTheCurrentValueAgainDoesNothing() {
    AtomicInteger applied = new AtomicInteger();
    AtomicInteger notified = new AtomicInteger();
    Knob<Integer> k =
        Knob.ofInt("pool.size", 5).range(1, 10).onChange(v -> applied.incrementAndGet()).build();
    k.addListener((knob, o, n) -> notified.incrementAndGet());
    k.set(5);
    assertThat(applied).hasValue(0);
    assertThat(notified).hasValue(0);
  }

  @Test
  void listenersAreCalledAfterTheChangeWithOldAndNewValue() {
    Knob<Integer> k = poolSize();
    List<String> events = new ArrayList<>();
    k.addListener(
        (knob, oldValue, newValue) ->
            events.add(
                knob.name() + " " + oldValue + "->" + newValue + " visible=" + knob.value()));
    k.set(7);
    k.set(3);
    assertThat(events).containsExactly("pool.size 5->7 visible=7", "pool.size 7->3 visible=3");
  }

  @Test
  void throwingListenerDoesNotFailSetNorStopOtherListeners() {
    Knob<Integer> k = poolSize();
    List<Integer> second = new ArrayList<>();
    k.addListener(
        (knob, o, n) -> {
          throw new RuntimeException("listener boom (expected by the test)");
        });
    k.addListener((knob, o, n) -> second.add(n));
    k.set(9);
    assertThat(k.value()).isEqualTo(9);
    assertThat(second).containsExactly(9);
  }

  @Test
  void removedListenerIsNoLongerCalled() {
    Knob<Integer> k = poolSize();
    List<Integer> seen = new ArrayList<>();
    Knob.Listener<Integer> l = (knob, o, n) -> seen.add(n);
    k.addListener(l);
    k.set(6);
    k.removeListener(l);
    k.set(7);
    k.removeListener(l); // removing twice is harmless
    assertThat(seen).containsExactly(6);
    assertThatThrownBy(() -> k.addListener(null))
        .isExactlyInstanceOf(NullPointerException.class)
        .hasMessage("listener");
  }

  @Test
  void setNumericRoundsToTheTypesGranularity() {
    Knob<Integer> k = poolSize();
    k.setNumeric(6.6);
    assertThat(k.value()).isEqualTo(7);
    k.setNumeric(2.5);
    assertThat(k.value()).isEqualTo(3);
    assertThatThrownBy(() -> k.setNumeric(10.6))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("pool.size must be in [1, 10], but was 11");
    assertThatThrownBy(() -> k.setNumeric(Double.NaN))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("int knob value must be finite, but was NaN");
    assertThat(k.value()).isEqualTo(3);

    Knob<Duration> d =
        Knob.ofDuration("delay", Duration.ofMillis(1))
            .range(Duration.ZERO, Duration.ofSeconds(1))
            .build();
    d.setNumeric(2_500_000.4);
    assertThat(d.value()).isEqualTo(Duration.ofNanos(2_500_000));
    assertThat(d.numericValue()).isEqualTo(2_500_000.0);
  }

  // ---- pin --------------------------------------------------------------------------------------

  @Test
  void pinAtAValueSetsItAndPins() {
    Knob<Integer> k = poolSize();
    k.pin(8);
    assertThat(k.value()).isEqualTo(8);
    assertThat(k.isPinned()).isTrue();
    assertThat(k.toString()).isEqualTo("pool.size=8 in [1, 10] (pinned)");
    k.unpin();
    assertThat(k.isPinned()).isFalse();
    assertThat(k.value()).isEqualTo(8);
    assertThat(k.toString()).isEqualTo("pool.size=8 in [1, 10]");
  }

  @Test
  void pinAtTheCurrentValueKeepsTheValue() {
    Knob<Integer> k = poolSize();
    k.pin();
    assertThat(k.isPinned()).isTrue();
    assertThat(k.value()).isEqualTo(5);
    // a pinned knob may still be set by hand
    k.set(6);
    assertThat(k.value()).isEqualTo(6);
    assertThat(k.isPinned()).isTrue();
  }

  @Test
  void pinOutsideTheBoundsFailsAndDoesNotPin() {
    Knob<Integer> k = poolSize();
    assertThatThrownBy(() -> k.pin(42)).isExactlyInstanceOf(IllegalArgumentException.class);
    assertThat(k.isPinned()).isFalse();
    assertThat(k.value()).isEqualTo(5);
  }

  @Test
  void pinWhoseApplierFailsDoesNotPin() {
    Knob<Integer> k =
        Knob.ofInt("pool.size", 5)
            .range(1, 10)
            .onChange(
                v -> {
                  throw new IllegalStateException("no");
                })
            .build();
    assertThatThrownBy(() -> k.pin(6)).isExactlyInstanceOf(IllegalStateException.class);
    assertThat(k.isPinned()).isFalse();
    assertThat(k.value()).isEqualTo(5);
  }

  // ---- formatting and snapshot ----------------------------------------------------------------

  @Test
  void durationKnobsAreFormattedInTheirLargestWholeUnit() {
    Knob<Duration> k =
        Knob.ofDuration("batch.delay", Duration.ofMillis(25))
            .range(Duration.ofNanos(1500), Duration.ofSeconds(2))
            .maxStep(Duration.ofMillis(5))
            .build();
    assertThat(k.toString()).isEqualTo("batch.delay=25ms in [1500ns, 2s]");
    assertThat(k.numericValue()).isEqualTo(25_000_000.0);
  }

  @Test
  void snapshotOfADurationKnob() {
    Knob<Duration> k =
        Knob.ofDuration("batch.delay", Duration.ofMillis(25))
            .range(Duration.ZERO, Duration.ofMillis(100))
            .description("how long a batch waits")
            .build();
    assertThat(k.snapshot())
        .isEqualTo(
            new KnobSnapshot(
                "batch.delay",
                "how long a batch waits",
                "duration",
                "25ms",
                "0s",
                "100ms",
                "25ms",
                25_000_000.0,
                0.0,
                100_000_000.0,
                25_000_000.0,
                false));
  }

  @Test
  void snapshotIsAPointInTimeView() {
    Knob<Integer> k = poolSize();
    KnobSnapshot before = k.snapshot();
    k.pin(9);
    KnobSnapshot after = k.snapshot();
    assertThat(before.value()).isEqualTo("5");
    assertThat(before.numericValue()).isEqualTo(5.0);
    assertThat(before.pinned()).isFalse();
    assertThat(after.value()).isEqualTo("9");
    assertThat(after.numericValue()).isEqualTo(9.0);
    assertThat(after.pinned()).isTrue();
    assertThat(after.type()).isEqualTo("int");
    assertThat(after.maxStep()).isEqualTo("2");
    assertThat(after.numericMaxStep()).isEqualTo(2.0);
  }
}
