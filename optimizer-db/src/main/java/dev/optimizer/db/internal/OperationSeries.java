package dev.optimizer.db.internal;

import io.opentelemetry.api.common.Attributes;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The distinct attribute sets {@code db.client.operation.duration} has been given by the data
 * sources of one DbOptimizer, bounded at {@code limit}.
 *
 * <p>The OpenTelemetry SDK keeps at most 2,000 attribute sets per instrument by default (its
 * cardinality limit) and records every later one under a single {@code otel.metric.overflow=true}
 * series, which names no database, no operation and no query summary; with cumulative temporality
 * (the default) that lasts as long as the process. The statement table tracks 5,000 fingerprints by
 * default, and each may have its own summary, and each error type makes another set. So the wrapper
 * bounds the sets itself, below the SDK's limit, and folds the rest into {@code
 * db.query.summary=other}, the series the table's own overflow already uses: a person then still
 * sees the database, and the statements it could not name one by one under one summary it
 * documents. Like the SDK's, the bound is for the life of the DbOptimizer: a set admitted once
 * stays admitted, and a statement folded once stays folded.
 */
public final class OperationSeries {
  /** The default limit: half the SDK's default cardinality limit, leaving room for the folded. */
  public static final int DEFAULT_LIMIT = 1000;

  private final int limit;
  private final Set<Attributes> admitted = ConcurrentHashMap.newKeySet();

  /** A budget of {@code limit} attribute sets. */
  public OperationSeries(int limit) {
    this.limit = limit;
  }

  /**
   * Whether {@code attributes} may be recorded as they are: true when they were admitted before or
   * fewer than {@code limit} sets are; then they count towards it.
   */
  boolean admit(Attributes attributes) {
    if (admitted.contains(attributes)) {
      return true;
    }
    if (admitted.size() >= limit) {
      return false;
    }
    // Rare (once per set): the lock makes the bound exact under concurrent first recordings.
    synchronized (this) {
      if (admitted.size() >= limit) {
        return admitted.contains(attributes);
      }
      admitted.add(attributes);
      return true;
    }
  }

  /** How many sets are admitted. */
  int size() {
    return admitted.size();
  }

  /** The limit. */
  int limit() {
    return limit;
  }
}
