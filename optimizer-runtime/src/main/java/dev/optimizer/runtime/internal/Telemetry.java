package dev.optimizer.runtime.internal;

import dev.optimizer.api.Decision;
import dev.optimizer.api.Knob;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.metrics.ObservableDoubleGauge;
import java.util.Collection;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * The optimizer's own instruments: {@code optimizer.knob.value} (an observable gauge per knob) and
 * {@code optimizer.decisions} (a counter by knob, verdict and outcome). Not part of the public API.
 */
public final class Telemetry implements AutoCloseable {
  /** The instrumentation scope name. */
  public static final String SCOPE = "dev.optimizer";

  static final AttributeKey<String> KNOB = AttributeKey.stringKey("optimizer.knob.name");
  static final AttributeKey<String> VERDICT = AttributeKey.stringKey("optimizer.decision.verdict");
  static final AttributeKey<Boolean> KEPT = AttributeKey.booleanKey("optimizer.decision.kept");

  private final Meter meter;
  private final LongCounter decisions;
  private final ObservableDoubleGauge knobValues;

  /** Creates the instruments; the gauge reads the knobs the supplier returns at each collection. */
  public Telemetry(OpenTelemetry otel, Supplier<Collection<Knob<?>>> knobs) {
    this.meter = otel.getMeter(SCOPE);
    this.decisions =
        meter
            .counterBuilder("optimizer.decisions")
            .setDescription("Trials judged by the tuning engine, by knob, verdict and outcome.")
            .setUnit("{decision}")
            .build();
    this.knobValues =
        meter
            .gaugeBuilder("optimizer.knob.value")
            .setDescription("Current value of each tuned knob, on the knob type's numeric line.")
            .buildWithCallback(
                m -> {
                  for (Knob<?> k : knobs.get()) {
                    m.record(k.numericValue(), Attributes.of(KNOB, k.name()));
                  }
                });
  }

  /** The meter other parts of the runtime create their instruments from. */
  public Meter meter() {
    return meter;
  }

  /** Counts a decision. */
  public void decision(Decision d) {
    decisions.add(
        1,
        Attributes.of(
            KNOB, d.knob(), VERDICT, d.verdict().name().toLowerCase(Locale.ROOT), KEPT, d.kept()));
  }

  @Override
  public void close() {
    knobValues.close();
  }
}
