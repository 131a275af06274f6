package dev.optimizer.db.internal;

import dev.optimizer.db.cache.internal.CacheCandidates;
import io.opentelemetry.api.common.Attributes;

/**
 * A statement text's key and, once resolved, where its executions are counted: the statistics entry
 * and the telemetry attributes. Resolving means map lookups (boxed ids, a few cache lines each)
 * that every execution of a known statement would otherwise repeat; a prepared statement resolves
 * once per text, and the slot lives in {@link Instrumentation}'s table of recent texts.
 *
 * <p>The resolution is an immutable value in a plain field: a racy read sees a whole one or null,
 * and the worst a race costs is resolving twice. It is redone when the statistics table was
 * cleared.
 */
final class StatementSlot {
  final StatementKey key;
  private Counted counted;
  private CacheCandidates.Tracker tracker;

  StatementSlot(StatementKey key) {
    this.key = key;
  }

  /** Where executions are counted: the entry (its key may be the overflow's) and its attributes. */
  record Counted(StatementTable.Entry entry, Attributes attributes, int generation) {}

  /** The current resolution, resolving it when there is none or the table was cleared. */
  Counted counted(StatementTable table, DbTelemetry telemetry) {
    Counted c = counted;
    int generation = table.generation();
    if (c == null || c.generation() != generation) {
      StatementTable.Entry e = table.entryFor(key);
      c = new Counted(e, telemetry.attributes(e.key), generation);
      counted = c;
    }
    return c;
  }

  /**
   * What this statement's executions count towards in the cache-candidate finder, resolved once per
   * finder (null while the mode does not recommend or the statement's analysis is being made in the
   * background: resolved again at a later execution).
   */
  CacheCandidates.Tracker tracker(CacheCandidates candidates) {
    CacheCandidates.Tracker t = tracker;
    if (t == null || !t.of(candidates)) {
      t = candidates.tracker(key);
      tracker = t;
    }
    return t;
  }

  /** The current resolution, or null when there is none or the table was cleared since. */
  Counted resolved(StatementTable table) {
    Counted c = counted;
    return c != null && c.generation() == table.generation() ? c : null;
  }
}
