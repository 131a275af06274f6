package dev.optimizer.ai.inference;

import dev.optimizer.ai.inference.internal.BatcherKnobs;
import dev.optimizer.api.Knob;
import dev.optimizer.api.Objective;
import dev.optimizer.api.Signal;
import dev.optimizer.runtime.Optimizer;
import dev.optimizer.runtime.batch.MicroBatcher;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The knobs of one {@link InferenceBatcher}: its largest batch and longest wait for company, which
 * move its {@code MicroBatcher}, and those of its model ({@link
 * InferenceBatcherBuilder#modelKnob}); registered with the optimizer, or tuned there on the
 * batcher's signal, and taken out again.
 *
 * <p>Kept apart from the batcher because their life is a rule of its own: a build that fails half
 * way (a knob name taken, a model-knob factory that throws, the optimizer closed) and a close must
 * both take out exactly the knobs this batcher registered, and never one of the same name that
 * belongs to someone else, so that the batcher's name can be built again.
 *
 * <p>Package-private, so that it adds nothing to what users can reach.
 */
final class BatcherKnobSet {

  private final Optimizer optimizer;
  private final String batcherName;
  private final Knob<Integer> maxBatchSize;
  private final Knob<Integer> maxDelay;
  // Filled while registering, each before it is registered, so that a failed build takes out
  // those already registered.
  private final List<Knob<?>> model = new ArrayList<>();

  /**
   * Builds the two knobs of batcher {@code name} that move {@code batcher}, bounded by the built
   * settings: the tuner moves them within [1, {@code maxBatchSize}] and [0, {@code maxDelay}].
   * Registers nothing yet.
   */
  BatcherKnobSet(
      Optimizer optimizer,
      String name,
      MicroBatcher<?, ?> batcher,
      int maxBatchSize,
      Duration maxDelay) {
    this.optimizer = optimizer;
    this.batcherName = name;
    this.maxBatchSize =
        Knob.ofInt(BatcherKnobs.maxBatchSize(name), maxBatchSize)
            .range(1, maxBatchSize)
            .description("Most items per batch sent to the model")
            .onChange(batcher::setMaxBatchSize)
            .build();
    int delayMicros = (int) (maxDelay.toNanos() / 1000);
    this.maxDelay =
        Knob.ofInt(BatcherKnobs.maxDelayMicros(name), delayMicros)
            .range(0, delayMicros)
            .description(
                "Longest time (microseconds) a batch waits for company when a worker is free")
            .onChange(us -> batcher.setMaxDelay(Duration.ofNanos(us * 1000L)))
            .build();
  }

  /**
   * Registers the batcher's knobs, then those made by {@code modelKnobs} (suffix to factory, in
   * order), each tuned on {@code signal} when {@code tuning}, else only registered. On a failure,
   * what was registered stays so until {@link #unregister()}: the caller undoes the whole build.
   */
  void register(
      boolean tuning, Map<String, Function<String, ? extends Knob<?>>> modelKnobs, Signal signal) {
    Objective objective = Objective.maximizeThroughput().withMaxErrorRate(0.01);
    if (tuning) {
      optimizer.tune(maxDelay, signal).objective(objective).start();
      optimizer.tune(maxBatchSize, signal).objective(objective).start();
    } else {
      optimizer.register(maxDelay);
      optimizer.register(maxBatchSize);
    }
    for (Map.Entry<String, Function<String, ? extends Knob<?>>> e : modelKnobs.entrySet()) {
      Knob<?> knob = modelKnob(e.getKey(), e.getValue());
      model.add(knob); // before registering: a failed build takes out what it registered
      // Tuned like the batcher's own knobs, on the same signal: the engine runs one trial at a
      // time per signal, so a thread-count trial never overlaps a batch-size trial.
      if (tuning) {
        tune(optimizer, knob, signal, objective);
      } else {
        optimizer.register(knob);
      }
    }
  }

  /** The knob of the largest batch sent to a model. */
  Knob<Integer> maxBatchSize() {
    return maxBatchSize;
  }

  /** The knob of the longest wait for company, in microseconds. */
  Knob<Integer> maxDelay() {
    return maxDelay;
  }

  /** The knobs of the model, in the order given. */
  List<Knob<?>> model() {
    return List.copyOf(model);
  }

  /**
   * Takes this batcher's knobs out of the optimizer (and out of tuning), so that nothing tunes a
   * closed batcher and its name can be used again. Only our own knobs: one whose name was taken
   * belongs to someone else. Safe to call again, or after a {@link #register} that failed.
   */
  void unregister() {
    List<Knob<?>> own = new ArrayList<>(model);
    own.add(maxDelay);
    own.add(maxBatchSize);
    for (Knob<?> knob : own) {
      if (optimizer.knob(knob.name()).filter(k -> k == knob).isPresent()) {
        optimizer.unregister(knob.name());
      }
    }
  }

  private Knob<?> modelKnob(String suffix, Function<String, ? extends Knob<?>> factory) {
    String knobName = BatcherKnobs.model(batcherName, suffix);
    Knob<?> knob = factory.apply(knobName);
    if (knob == null || !knob.name().equals(knobName)) {
      throw new IllegalStateException(
          "the modelKnob factory for '"
              + suffix
              + "' of InferenceBatcher '"
              + batcherName
              + "' must build a knob named "
              + knobName
              + ", but built "
              + (knob == null ? "null" : knob.name()));
    }
    return knob;
  }

  private static <T extends Comparable<? super T>> void tune(
      Optimizer optimizer, Knob<T> knob, Signal signal, Objective objective) {
    optimizer.tune(knob, signal).objective(objective).start();
  }
}
