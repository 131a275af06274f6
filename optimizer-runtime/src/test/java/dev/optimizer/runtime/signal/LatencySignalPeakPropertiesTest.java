package dev.optimizer.runtime.signal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.optimizer.api.Signal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * A peak gauge's window value, for any interleaving of samples, cursor openings and reads, is what
 * the documented rule gives: the largest sample recorded after the cursor opened, together with the
 * samples from before the opening in the slice it opened in if (and only if) samples arrived in
 * that slice after the opening too. Hence never below the true peak of the window.
 */
class LatencySignalPeakPropertiesTest {
  private static final long SLICE = 10_000_000L; // 10 ms

  private record Sample(long nanos, double value) {}

  private record Opened(Signal.Cursor cursor, long nanos, int firstSample) {}

  @Property(tries = 300)
  void windowPeakFollowsTheSliceRule(
      @ForAll long seed, @ForAll @IntRange(min = 1, max = 400) int steps) {
    SplittableRandom r = new SplittableRandom(seed);
    AtomicLong now = new AtomicLong(r.nextLong(0, 5 * SLICE));
    LatencySignal s =
        LatencySignal.builder("http.limit")
            .ticker(now::get)
            .slice(Duration.ofNanos(SLICE))
            .sliceRing(100_000)
            .build();
    long origin = now.get();
    List<Sample> samples = new ArrayList<>();
    List<Opened> cursors = new ArrayList<>();
    for (int step = 0; step < steps; step++) {
      int op = r.nextInt(10);
      if (op < 3) {
        // Mostly within a slice, now and then across several, now and then exactly onto a boundary.
        long step0 = r.nextInt(4) == 0 ? r.nextLong(0, 3 * SLICE) : r.nextLong(0, SLICE / 4);
        long t = now.get() + step0;
        if (r.nextInt(8) == 0) {
          t = t - Math.floorMod(t - origin, SLICE);
          t = Math.max(t, now.get());
        }
        now.set(t);
      } else if (op < 8) {
        double v = r.nextInt(4) == 0 ? r.nextDouble() * 1000 : r.nextInt(50);
        s.recordPeak("inflight", v);
        samples.add(new Sample(now.get(), v));
      } else if (op == 8) {
        cursors.add(new Opened(s.open(), now.get(), samples.size()));
      } else {
        checkAll(cursors, samples, origin);
      }
    }
    checkAll(cursors, samples, origin);
  }

  private static void checkAll(List<Opened> cursors, List<Sample> samples, long origin) {
    for (Opened o : cursors) {
      Double actual = o.cursor().read().gauges().get("inflight");
      OptionalDouble expected = expected(o, samples, origin);
      OptionalDouble truePeak =
          samples.subList(o.firstSample(), samples.size()).stream()
              .mapToDouble(Sample::value)
              .max();
      if (expected.isEmpty()) {
        assertThat(actual).as("opened at %d", o.nanos()).isNull();
      } else {
        assertThat(actual).as("opened at %d", o.nanos()).isEqualTo(expected.getAsDouble());
        assertThat(actual).isGreaterThanOrEqualTo(truePeak.getAsDouble());
      }
    }
  }

  private static OptionalDouble expected(Opened o, List<Sample> samples, long origin) {
    long openingSlice = Math.floorDiv(o.nanos() - origin, SLICE);
    boolean openingSliceHasLater = false;
    double peak = Double.NEGATIVE_INFINITY;
    boolean any = false;
    for (int i = o.firstSample(); i < samples.size(); i++) {
      Sample x = samples.get(i);
      any = true;
      peak = Math.max(peak, x.value());
      if (Math.floorDiv(x.nanos() - origin, SLICE) == openingSlice) {
        openingSliceHasLater = true;
      }
    }
    if (openingSliceHasLater) {
      for (int i = 0; i < o.firstSample(); i++) {
        Sample x = samples.get(i);
        if (Math.floorDiv(x.nanos() - origin, SLICE) == openingSlice) {
          peak = Math.max(peak, x.value());
        }
      }
    }
    return any ? OptionalDouble.of(peak) : OptionalDouble.empty();
  }
}
