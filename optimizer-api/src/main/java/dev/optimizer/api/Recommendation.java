package dev.optimizer.api;

import dev.optimizer.api.internal.Checks;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Something the optimizer will not do by itself — an index, a batch rewrite, a JVM flag, a knob
 * value in RECOMMEND mode — with the evidence and the estimated gain.
 *
 * <p>Immutable. Built with {@link #builder(String, String)}.
 */
public final class Recommendation {
  private final String kind;
  private final String subject;
  private final String summary;
  private final Map<String, String> evidence;
  private final String action;
  private final Double estimatedGain;
  private final Instant time;

  private Recommendation(Builder b) {
    this.kind = b.kind;
    this.subject = b.subject;
    this.summary = b.summary;
    this.evidence = Collections.unmodifiableMap(new LinkedHashMap<>(b.evidence));
    this.action = b.action;
    this.estimatedGain = b.estimatedGain;
    this.time = b.time;
  }

  /**
   * Starts a recommendation.
   *
   * @param kind what sort of advice, e.g. {@code knob}, {@code index}, {@code n-plus-one}
   * @param subject what it is about, e.g. a knob's name or a statement fingerprint
   */
  public static Builder builder(String kind, String subject) {
    return new Builder(kind, subject);
  }

  /** What sort of advice this is, e.g. {@code index}. */
  public String kind() {
    return kind;
  }

  /** What it is about. */
  public String subject() {
    return subject;
  }

  /** One sentence for a person. */
  public String summary() {
    return summary;
  }

  /** The numbers and excerpts behind it, in insertion order. */
  public Map<String, String> evidence() {
    return evidence;
  }

  /** What to do, e.g. the DDL of an index; may be empty. */
  public String action() {
    return action;
  }

  /** The estimated relative gain (0.4 = 40% less time), when one can be estimated. */
  public Optional<Double> estimatedGain() {
    return Optional.ofNullable(estimatedGain);
  }

  /** When it was made. */
  public Instant time() {
    return time;
  }

  @Override
  public String toString() {
    return kind + " " + subject + ": " + summary;
  }

  /** Builds a {@link Recommendation}. */
  public static final class Builder {
    private final String kind;
    private final String subject;
    private String summary = "";
    private final Map<String, String> evidence = new LinkedHashMap<>();
    private String action = "";
    private Double estimatedGain;
    private Instant time = Instant.EPOCH;

    private Builder(String kind, String subject) {
      this.kind = Checks.notBlank("kind", kind);
      this.subject = Checks.notBlank("subject", subject);
    }

    /** One sentence for a person. */
    public Builder summary(String summary) {
      this.summary = Checks.notNull("summary", summary);
      return this;
    }

    /** Adds one piece of evidence, e.g. {@code ("calls", "1200")}. */
    public Builder evidence(String key, String value) {
      evidence.put(Checks.notBlank("evidence key", key), Checks.notNull("evidence value", value));
      return this;
    }

    /** What to do, e.g. DDL. */
    public Builder action(String action) {
      this.action = Checks.notNull("action", action);
      return this;
    }

    /**
     * The estimated relative gain.
     *
     * @param gain in {@code [0, 1]}
     */
    public Builder estimatedGain(double gain) {
      this.estimatedGain = Checks.inRange("estimatedGain", gain, 0.0, 1.0);
      return this;
    }

    /** When it was made. */
    public Builder time(Instant time) {
      this.time = Checks.notNull("time", time);
      return this;
    }

    /** Builds the recommendation. */
    public Recommendation build() {
      return new Recommendation(this);
    }
  }
}
