package dev.optimizer.api;

/**
 * A point-in-time view of a {@link Knob}, for reports. Values are given both formatted for people
 * ({@code "25ms"}) and on the knob type's numeric line.
 *
 * @param name the knob's name
 * @param description what the knob controls
 * @param type the knob type's name
 * @param value the current value, formatted
 * @param min the lower bound, formatted
 * @param max the upper bound, formatted
 * @param maxStep the step limit, formatted
 * @param numericValue the current value on the numeric line
 * @param numericMin the lower bound on the numeric line
 * @param numericMax the upper bound on the numeric line
 * @param numericMaxStep the step limit on the numeric line
 * @param pinned whether the tuning engine must leave the knob alone
 */
public record KnobSnapshot(
    String name,
    String description,
    String type,
    String value,
    String min,
    String max,
    String maxStep,
    double numericValue,
    double numericMin,
    double numericMax,
    double numericMaxStep,
    boolean pinned) {}
