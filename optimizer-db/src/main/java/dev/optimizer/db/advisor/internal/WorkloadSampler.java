package dev.optimizer.db.advisor.internal;

import dev.optimizer.db.internal.BoundParameters;
import dev.optimizer.db.internal.ExecutionSampler;
import dev.optimizer.db.internal.StatementKey;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Keeps, per fingerprint, a few real executions (a reservoir sample: every execution has the same
 * chance to be kept, whatever the order), so that the advisor can EXPLAIN statements with real
 * parameter values. Bounded three ways: fingerprints, samples per fingerprint, and the size of a
 * statement's text and values; anything beyond is simply not kept. The values are copied only when
 * a sample is taken, so a statement that is not sampled costs a map lookup and a random number.
 */
public final class WorkloadSampler implements ExecutionSampler {
  /** Longest value (string or byte array) a sample keeps; longer ones are not useful to EXPLAIN. */
  static final int MAX_VALUE_LENGTH = 4096;

  private final int perStatement;
  private final int maxStatements;
  private final int maxSqlLength;
  private final ConcurrentHashMap<Long, Reservoir> reservoirs = new ConcurrentHashMap<>();

  /**
   * A sampler.
   *
   * @param perStatement samples kept per fingerprint
   * @param maxStatements fingerprints sampled; later ones are not
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
      if (reservoirs.size() >= maxStatements) {
        return;
      }
      r = reservoirs.computeIfAbsent(key.id(), id -> new Reservoir(key, perStatement));
    }
    r.offer(sql, parameters);
  }

  /** The samples of one fingerprint, oldest slot first; empty if none. */
  public List<ExecutionSample> samples(long fingerprintId) {
    Reservoir r = reservoirs.get(fingerprintId);
    return r == null ? List.of() : r.samples();
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

    Reservoir(StatementKey key, int size) {
      this.key = key;
      this.slots = new ExecutionSample[size];
    }

    void offer(String sql, BoundParameters parameters) {
      int slot;
      synchronized (this) {
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
