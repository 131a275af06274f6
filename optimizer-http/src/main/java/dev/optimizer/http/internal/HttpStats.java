package dev.optimizer.http.internal;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of what the pipeline did, written with adders on the path of a call and read by the
 * telemetry only when metrics are collected. Thread-safe.
 */
public final class HttpStats {
  public final LongAdder cacheHits = new LongAdder();
  public final LongAdder cacheMisses = new LongAdder();
  public final LongAdder revalidations = new LongAdder();
  public final LongAdder notModified = new LongAdder();
  public final LongAdder staleWhileRevalidate = new LongAdder();
  public final LongAdder staleIfError = new LongAdder();
  public final LongAdder stores = new LongAdder();
  public final LongAdder invalidations = new LongAdder();
  public final LongAdder hedgesSent = new LongAdder();
  public final LongAdder hedgesWon = new LongAdder();
  public final LongAdder retries = new LongAdder();
  public final LongAdder budgetExhausted = new LongAdder();
  public final LongAdder limitRejected = new LongAdder();
  public final LongAdder breakerRejected = new LongAdder();
  public final LongAdder networkRequests = new LongAdder();

  /** Remote-tier entries (or announcements) that could not be read: treated as misses. */
  public final LongAdder remoteCorrupt = new LongAdder();

  /** Entries dropped because another instance announced their invalidation. */
  public final LongAdder remoteInvalidations = new LongAdder();

  /** Invalidation announcements that did not reach the remote store within its timeout. */
  public final LongAdder remoteAnnouncementsFailed = new LongAdder();
}
