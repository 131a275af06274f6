package dev.optimizer.db.advisor.internal;

import dev.optimizer.db.internal.BoundParameters;
import dev.optimizer.db.internal.ExecutionSampler;
import dev.optimizer.db.internal.StatementKey;
import dev.optimizer.db.internal.StatementTable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Keeps, per fingerprint, a few real executions (a reservoir sample: every execution has the same
 * chance to be kept, whatever the order), so that the advisor can EXPLAIN statements with real
 * parameter values. Bounded three ways: fingerprints, samples per fingerprint, and the size of a
 * statement's text and values; anything beyond is simply not kept. The values are copied only when
 * a sample is taken, so a statement that is not sampled costs a map lookup and a random number.
 *
 * <p>A workload shifts: once {@code maxStatements} fingerprints are sampled, a new one takes the
 * place of those that have gone longest without running (a tenth of them at a time, so that the
 * sort is paid once per many new statements), where before it was never sampled and got no advice.
 * Time here is the count of fingerprints first sampled: one that ran since the last few hundred new
 * ones stays. The samples are also forgotten with the statement table ({@link #forgetWith}), whose
 * statements are all the advisor asks samples for.
 */
public final class WorkloadSampler implements ExecutionSampler {
  /** Longest value (string or byte array) a sample keeps; longer ones are not useful to EXPLAIN. */
  static final int MAX_VALUE_LENGTH = 4096;

  private final int perStatement;
  private final int maxStatements;
  private final int maxSqlLength;
  private final ConcurrentHashMap<Long, Reservoir> reservoirs = new ConcurrentHashMap<>();
  // Fingerprints first sampled so far: the clock that says how long a reservoir has gone unused.
  // It moves only with new statements, so reading it on each execution shares a quiet cache line.
  private final AtomicLong arrivals = new AtomicLong();
  private final ReentrantLock evicting = new ReentrantLock();

  /**
   * A sampler.
   *
   * @param perStatement samples kept per fingerprint
   * @param maxStatements fingerprints sampled at a time; a new one replaces the least recent
   * @param maxSqlLength longest text sampled
   */
  public WorkloadSampler(int perStatement, int maxStatements, int maxSqlLength) {
    this.perStatement = perStatement;
    this.maxStatements = maxStatements;
    this.maxSqlLength = maxSqlLength;
  }

  @Override
  public void executed(StatementKey key, String sql, BoundParameters parameters, long nanos) {
    if (sql.length() > maxSqlLength) {
      return;
    }
    Reservoir r = reservoirs.get(key.id());
    if (r == null) {
      if (reservoirs.size() >= maxStatements && !makeRoom()) {
        return;
      }
      r = reservoirs.computeIfAbsent(key.id(), id -> new Reservoir(key, perStatement));
      arrivals.incrementAndGet();
    }
    r.offer(sql, parameters, arrivals.get());
  }

  /**
   * Forgets the reservoirs that have gone longest without an execution, a tenth of the capacity;
   * false when another thread is doing it (this execution is then not sampled, which a uniform
   * sample of a statement's executions can afford).
   */
  private boolean makeRoom() {
    if (!evicting.tryLock()) {
      return false;
    }
    try {
      int excess = reservoirs.size() - maxStatements + 1;
      if (excess <= 0) {
        return true;
      }
      List<Map.Entry<Long, Reservoir>> all = new ArrayList<>(reservoirs.entrySet());
      all.sort(Comparator.comparingLong(e -> e.getValue().lastSeen()));
      int evict = Math.min(all.size(), Math.max(excess, maxStatements / 10));
      for (int i = 0; i < evict; i++) {
        reservoirs.remove(all.get(i).getKey(), all.get(i).getValue());
      }
      return true;
    } finally {
      evicting.unlock();
    }
  }

  /** Forgets every sample whenever {@code table} is cleared (its statistics reset). */
  public void forgetWith(StatementTable table) {
    table.onClear(this::clear);
  }

  /** The samples of one fingerprint, oldest slot first; empty if none. */
  public List<ExecutionSample> samples(long fingerprintId) {
    Reservoir r = reservoirs.get(fingerprintId);
    return r == null ? List.of() : r.samples();
  }

  /**
   * The full normalized text of a sampled fingerprint (its reservoir keeps the key it was sampled
   * under), or null when it has no samples kept; the statistics table keeps a cut one.
   */
  public String text(long fingerprintId) {
    Reservoir r = reservoirs.get(fingerprintId);
    return r == null ? null : r.key.text();
  }

  /** The fingerprints sampled so far with their keys. */
  public List<StatementKey> keys() {
    List<StatementKey> keys = new ArrayList<>();
    for (Reservoir r : reservoirs.values()) {
      keys.add(r.key);
    }
    return keys;
  }

  /** Forgets every sample. */
  public void clear() {
    reservoirs.clear();
  }

  private static boolean keepable(Object[] values) {
    for (Object v : values) {
      if (v instanceof String s && s.length() > MAX_VALUE_LENGTH
          || v instanceof byte[] b && b.length > MAX_VALUE_LENGTH) {
        return false;
      }
    }
    return true;
  }

  /** Algorithm R over the executions of one fingerprint. */
  private static final class Reservoir {
    final StatementKey key;
    final ExecutionSample[] slots;
    long seen;
    private volatile long lastSeen;

    Reservoir(StatementKey key, int size) {
      this.key = key;
      this.slots = new ExecutionSample[size];
    }

    long lastSeen() {
      return lastSeen;
    }

    void offer(String sql, BoundParameters parameters, long now) {
      int slot;
      synchronized (this) {
        lastSeen = now;
        seen++;
        long s = seen <= slots.length ? seen - 1 : ThreadLocalRandom.current().nextLong(seen);
        if (s >= slots.length) {
          return;
        }
        slot = (int) s;
      }
      Object[] values = null;
      if (parameters != null) {
        values = parameters.snapshot();
        if (values == null || !keepable(values)) {
          return; // opaque or named values cannot be replayed
        }
      }
      ExecutionSample sample = new ExecutionSample(sql, values);
      synchronized (this) {
        slots[slot] = sample;
      }
    }

    synchronized List<ExecutionSample> samples() {
      List<ExecutionSample> out = new ArrayList<>();
      for (ExecutionSample s : slots) {
        if (s != null) {
          out.add(s);
        }
      }
      return out;
    }
  }
}
