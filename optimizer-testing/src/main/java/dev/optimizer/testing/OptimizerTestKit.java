package dev.optimizer.testing;

import dev.optimizer.api.Decision;
import dev.optimizer.api.Knob;
import dev.optimizer.api.Mode;
import dev.optimizer.api.internal.Checks;
import dev.optimizer.runtime.Optimizer;
import dev.optimizer.runtime.judge.JudgeSettings;
import dev.optimizer.runtime.tuning.TuningSettings;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.DoublePointData;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.data.MetricDataType;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Drives an {@link Optimizer} deterministically in a user's own tests: manual time, tuning rounds
 * on demand, pinned knobs, the decisions made, and the metrics recorded in an in-memory
 * OpenTelemetry.
 *
 * <pre>{@code
 * try (OptimizerTestKit kit = OptimizerTestKit.create()) {
 *   Optimizer optimizer = kit.optimizer();
 *   ... register knobs and signals, using kit.time().ticker() ...
 *   kit.runFor(Duration.ofMinutes(5), Duration.ofSeconds(1), elapsed -> workload.step());
 *   assertThat(kit.decisions()).isNotEmpty();
 *   assertThat(kit.gauge("optimizer.knob.value", Attributes.empty())).isPresent();
 * }
 * }</pre>
 */
public final class OptimizerTestKit implements AutoCloseable {
  private final ManualTime time;
  private final InMemoryMetricReader metricReader;
  private final OpenTelemetrySdk openTelemetry;
  private final Optimizer optimizer;

  private OptimizerTestKit(Builder b) {
    this.time = b.time;
    this.metricReader = InMemoryMetricReader.create();
    this.openTelemetry =
        OpenTelemetrySdk.builder()
            .setMeterProvider(SdkMeterProvider.builder().registerMetricReader(metricReader).build())
            .build();
    this.optimizer =
        Optimizer.builder()
            .openTelemetry(openTelemetry)
            .ticker(time.ticker())
            .clock(time.clock())
            .manualTuning()
            .mode(b.mode)
            .judge(b.judge)
            .tuning(b.tuning)
            .build();
  }

  /** A kit with the defaults: mode AUTO, default judge, windows of 10 s, settle 2 s. */
  public static OptimizerTestKit create() {
    return builder().build();
  }

  /** Starts a kit with settings of its own. */
  public static Builder builder() {
    return new Builder();
  }

  /** The optimizer under test; tuning runs only through this kit's methods. */
  public Optimizer optimizer() {
    return optimizer;
  }

  /** The manual time the optimizer reads. */
  public ManualTime time() {
    return time;
  }

  /** The in-memory OpenTelemetry the optimizer reports to. */
  public OpenTelemetrySdk openTelemetry() {
    return openTelemetry;
  }

  /** Runs one tuning cycle now, without moving time. */
  public List<Decision> runTuningCycle() {
    return optimizer.runTuningCycle();
  }

  /** Moves time forward, then runs one tuning cycle. */
  public List<Decision> tick(Duration step) {
    time.advance(step);
    return optimizer.runTuningCycle();
  }

  /**
   * Runs {@code total / step} rounds: in each, the workload runs (it records into signals, with the
   * kit's ticker), time moves forward by {@code step}, and a tuning cycle runs. A remainder shorter
   * than a step is not run.
   *
   * @return the decisions reached
   * @throws IllegalArgumentException if {@code step} is not positive or {@code total} is shorter
   *     than one step
   */
  public List<Decision> runFor(Duration total, Duration step, Consumer<Duration> workload) {
    Checks.positive("step", step);
    Checks.notNull("total", total);
    if (total.compareTo(step) < 0) {
      // A shorter total would run no step at all, and a test asserting what the run decided
      // would pass without having run anything.
      throw new IllegalArgumentException(
          "total must be at least one step (" + step + "), but was " + total);
    }
    List<Decision> reached = new ArrayList<>();
    long rounds = total.toNanos() / step.toNanos();
    for (long i = 0; i < rounds; i++) {
      workload.accept(step);
      reached.addAll(tick(step));
    }
    return reached;
  }

  /** Pins a knob at a value, so that tuning leaves it there. */
  public <T extends Comparable<? super T>> void pin(Knob<T> knob, T value) {
    knob.pin(value);
  }

  /** All decisions the optimizer kept, oldest first. */
  public List<Decision> decisions() {
    return optimizer.decisions();
  }

  /** Collects and returns every metric recorded since the last collection. */
  public Collection<MetricData> collectMetrics() {
    return metricReader.collectAllMetrics();
  }

  /** The named metric from a fresh collection, if recorded. */
  public Optional<MetricData> metric(String name) {
    return collectMetrics().stream().filter(m -> m.getName().equals(name)).findFirst();
  }

  /**
   * The value of a gauge point (double or long) whose attributes include the given ones, from a
   * fresh collection; empty when nothing was recorded.
   *
   * @throws IllegalArgumentException if the metric was recorded but is not a gauge (reading it as
   *     absent would let an assertion that it is absent pass)
   */
  public Optional<Double> gauge(String name, Attributes attributes) {
    return metric(name)
        .flatMap(
            m ->
                switch (m.getType()) {
                  case DOUBLE_GAUGE ->
                      m.getDoubleGaugeData().getPoints().stream()
                          .filter(p -> contains(p.getAttributes(), attributes))
                          .map(DoublePointData::getValue)
                          .findFirst();
                  case LONG_GAUGE ->
                      m.getLongGaugeData().getPoints().stream()
                          .filter(p -> contains(p.getAttributes(), attributes))
                          .map(p -> (double) p.getValue())
                          .findFirst();
                  default -> throw notA("gauge (DOUBLE_GAUGE or LONG_GAUGE)", m);
                });
  }

  /**
   * The sum of the counter points (a long counter or up-down counter) whose attributes include the
   * given ones, from a fresh collection; 0 when nothing was recorded.
   *
   * @throws IllegalArgumentException if the metric was recorded but is not a long sum, such as a
   *     double counter or a histogram (reading it as 0 would let an assertion that nothing was
   *     counted pass); read those with {@link #metric}
   */
  public long counter(String name, Attributes attributes) {
    return metric(name)
        .map(
            m -> {
              if (m.getType() != MetricDataType.LONG_SUM) {
                throw notA("long counter (LONG_SUM)", m);
              }
              return m.getLongSumData().getPoints().stream()
                  .filter(p -> contains(p.getAttributes(), attributes))
                  .mapToLong(LongPointData::getValue)
                  .sum();
            })
        .orElse(0L);
  }

  private static IllegalArgumentException notA(String wanted, MetricData m) {
    return new IllegalArgumentException(
        "metric '"
            + m.getName()
            + "' is a "
            + m.getType()
            + ", not a "
            + wanted
            + ": read it with metric(name)");
  }

  private static boolean contains(Attributes all, Attributes wanted) {
    boolean[] ok = {true};
    wanted.forEach(
        (k, v) -> {
          if (!v.equals(all.get(k))) {
            ok[0] = false;
          }
        });
    return ok[0];
  }

  /** Closes the optimizer and the in-memory OpenTelemetry. */
  @Override
  public void close() {
    try {
      optimizer.close();
    } finally {
      openTelemetry.close();
    }
  }

  /** Builds an {@link OptimizerTestKit}. */
  public static final class Builder {
    private ManualTime time = ManualTime.create();
    private Mode mode = Mode.AUTO;
    private JudgeSettings judge = JudgeSettings.defaults();
    private TuningSettings tuning = TuningSettings.defaults();

    private Builder() {}

    /** The manual time to use; a new one starting at 2026-01-01 if not given. */
    public Builder time(ManualTime time) {
      this.time = Checks.notNull("time", time);
      return this;
    }

    /** The optimizer's mode; AUTO if not given. */
    public Builder mode(Mode mode) {
      this.mode = Checks.notNull("mode", mode);
      return this;
    }

    /** The judge's settings. */
    public Builder judge(JudgeSettings judge) {
      this.judge = Checks.notNull("judge", judge);
      return this;
    }

    /** The tuning rhythm. */
    public Builder tuning(TuningSettings tuning) {
      this.tuning = Checks.notNull("tuning", tuning);
      return this;
    }

    /** Builds the kit. */
    public OptimizerTestKit build() {
      return new OptimizerTestKit(this);
    }
  }
}
