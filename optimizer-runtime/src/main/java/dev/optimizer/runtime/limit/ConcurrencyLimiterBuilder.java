package dev.optimizer.runtime.limit;

import dev.optimizer.api.Ticker;
import dev.optimizer.api.internal.Checks;
import java.util.ArrayList;
import java.util.List;

/**
 * Settings of a {@link ConcurrencyLimiter}, each checked when given; rules between settings are
 * checked by {@link #build()}. A setting may be given once; listeners may be added several times.
 * Obtain one from {@link ConcurrencyLimiter#builder()}.
 *
 * <table>
 *   <caption>Settings</caption>
 *   <tr><th>setting</th><th>default</th><th>range</th></tr>
 *   <tr><td>minLimit</td><td>1</td><td>[1, 100000]</td></tr>
 *   <tr><td>maxLimit</td><td>1000</td><td>[1, 100000], at least minLimit</td></tr>
 *   <tr><td>initialLimit</td><td>20, or the nearest bound</td><td>[minLimit, maxLimit]</td></tr>
 *   <tr><td>maxQueued</td><td>1000</td><td>[0, 1000000]</td></tr>
 * </table>
 */
public final class ConcurrencyLimiterBuilder {

  // Read by ConcurrencyLimiter's constructor once build() has filled in the defaults.
  String name;
  Integer minLimit;
  Integer maxLimit;
  Integer initialLimit;
  Integer maxQueued;
  Ticker ticker;
  final List<LimiterListener> listeners = new ArrayList<>();

  ConcurrencyLimiterBuilder() {}

  /** Names the limiter in errors and logs. Default {@code "limiter"}. */
  public ConcurrencyLimiterBuilder name(String name) {
    Checks.notSetBefore("name", this.name != null);
    this.name = Checks.notBlank("name", name);
    return this;
  }

  /** Sets the lowest value {@link ConcurrencyLimiter#setLimit} accepts, in {@code [1, 100000]}. */
  public ConcurrencyLimiterBuilder minLimit(int minLimit) {
    Checks.notSetBefore("minLimit", this.minLimit != null);
    this.minLimit = Checks.inRange("minLimit", minLimit, 1, ConcurrencyLimiter.MAX_LIMIT);
    return this;
  }

  /** Sets the highest value {@link ConcurrencyLimiter#setLimit} accepts, in {@code [1, 100000]}. */
  public ConcurrencyLimiterBuilder maxLimit(int maxLimit) {
    Checks.notSetBefore("maxLimit", this.maxLimit != null);
    this.maxLimit = Checks.inRange("maxLimit", maxLimit, 1, ConcurrencyLimiter.MAX_LIMIT);
    return this;
  }

  /** Sets the limit to start with, in {@code [1, 100000]} and within the min and max limits. */
  public ConcurrencyLimiterBuilder initialLimit(int initialLimit) {
    Checks.notSetBefore("initialLimit", this.initialLimit != null);
    this.initialLimit =
        Checks.inRange("initialLimit", initialLimit, 1, ConcurrencyLimiter.MAX_LIMIT);
    return this;
  }

  /** Sets how many callers may wait in {@code acquire}, in {@code [0, 1000000]}; default 1000. */
  public ConcurrencyLimiterBuilder maxQueued(int maxQueued) {
    Checks.notSetBefore("maxQueued", this.maxQueued != null);
    this.maxQueued = Checks.inRange("maxQueued", maxQueued, 0, ConcurrencyLimiter.MAX_QUEUED);
    return this;
  }

  /** Sets the time source of the round-trip times given to listeners. Default system. */
  public ConcurrencyLimiterBuilder ticker(Ticker ticker) {
    Checks.notSetBefore("ticker", this.ticker != null);
    this.ticker = Checks.notNull("ticker", ticker);
    return this;
  }

  /** Adds a listener of finished calls; listeners are called in the order added. */
  public ConcurrencyLimiterBuilder addListener(LimiterListener listener) {
    listeners.add(Checks.notNull("listener", listener));
    return this;
  }

  /**
   * Checks the rules between settings and builds the limiter.
   *
   * @throws IllegalArgumentException if {@code minLimit > maxLimit}, or if {@code initialLimit} is
   *     not in {@code [minLimit, maxLimit]}
   */
  public ConcurrencyLimiter build() {
    name = name == null ? "limiter" : name;
    minLimit = minLimit == null ? 1 : minLimit;
    maxLimit = maxLimit == null ? Math.max(1000, minLimit) : maxLimit;
    if (minLimit > maxLimit) {
      throw new IllegalArgumentException(
          "minLimit must be <= maxLimit, but minLimit was "
              + minLimit
              + " and maxLimit was "
              + maxLimit);
    }
    initialLimit =
        initialLimit == null
            ? Math.max(minLimit, Math.min(20, maxLimit))
            : Checks.inRange("initialLimit", initialLimit, minLimit, maxLimit);
    maxQueued = maxQueued == null ? 1000 : maxQueued;
    ticker = ticker == null ? Ticker.system() : ticker;
    return new ConcurrencyLimiter(this);
  }
}
