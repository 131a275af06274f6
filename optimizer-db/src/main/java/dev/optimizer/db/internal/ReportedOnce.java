package dev.optimizer.db.internal;

import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The statement-and-call-site pairs one data source has already reported (an N+1 loop, a write
 * loop), so that each is reported once; bounded at {@link #MAX} pairs. An application whose
 * statements or call sites vary without end (SQL built per request, generated classes) would
 * otherwise grow it, and the findings kept beside it, for as long as it runs. The bound is checked
 * before a pair is added: once it is reached, a new pair is neither reported nor remembered.
 */
public final class ReportedOnce {
  /** The most statement-and-site pairs reported (and remembered) per data source. */
  public static final int MAX = 10_000;

  private final Set<String> reported = ConcurrentHashMap.newKeySet();

  /**
   * Whether this statement and site are reported now: true the first time, while fewer than {@link
   * #MAX} pairs are remembered; false afterwards.
   */
  public boolean first(long fingerprintId, Optional<String> site) {
    String pair = fingerprintId + "@" + site.orElse("?");
    if (reported.contains(pair) || reported.size() >= MAX) {
      return false;
    }
    // Rare (once per pair): the lock makes the bound exact under concurrent first reports.
    synchronized (this) {
      return reported.size() < MAX && reported.add(pair);
    }
  }

  /** How many pairs are remembered. */
  public int size() {
    return reported.size();
  }
}
