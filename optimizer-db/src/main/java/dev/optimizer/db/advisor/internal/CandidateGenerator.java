package dev.optimizer.db.advisor.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Candidate indexes for one statement's use of one table. Equality columns come first (most
 * distinct first), then at most one range or sort column, because a B-tree can seek on equalities
 * and then scan one range in order. Also: each join key alone (the inner side of a nested loop),
 * sort and group keys alone (top-N, ordered aggregation), and a covering variant (INCLUDE) when the
 * statement reads few other columns. Nothing at all when the equalities already pin a unique index
 * (at most one row). Left out: columns of low selectivity (few distinct values or one dominant
 * value, from {@code pg_stats}), columns the table does not have, and any key that an existing
 * valid B-tree index starts with.
 */
public final class CandidateGenerator {
  private final double minDistinct;
  private final double maxTopFrequency;
  private final int maxKeyColumns;
  private final int maxIncludeColumns;

  /**
   * A generator.
   *
   * @param minDistinct columns with fewer distinct values are low-selectivity
   * @param maxTopFrequency columns whose most common value is more frequent are low-selectivity
   * @param maxKeyColumns longest key
   * @param maxIncludeColumns most covering columns
   */
  public CandidateGenerator(
      double minDistinct, double maxTopFrequency, int maxKeyColumns, int maxIncludeColumns) {
    this.minDistinct = minDistinct;
    this.maxTopFrequency = maxTopFrequency;
    this.maxKeyColumns = maxKeyColumns;
    this.maxIncludeColumns = maxIncludeColumns;
  }

  /** Whether an index on this column would select too many rows to pay. */
  public boolean lowSelectivity(TableInfo t, String column) {
    TableInfo.ColumnStats s = t.stats().get(column);
    return s != null && (s.distinct() < minDistinct || s.topFrequency() > maxTopFrequency);
  }

  /** The candidates, without duplicates, in a stable order. */
  public List<Candidate> candidates(TableUse use, TableInfo t, boolean reads) {
    for (ExistingIndex i : t.indexes()) {
      if (i.unique() && i.valid() && i.plain() && use.equality().containsAll(i.keyColumns())) {
        return List.of(); // at most one row, found through a unique index already
      }
    }
    List<String> eq = usable(use.equality(), t);
    eq.sort(Comparator.comparingDouble((String c) -> distinct(t, c)).reversed());
    List<String> range = usable(use.range(), t);
    List<String> joins = usable(use.joins(), t);
    List<String> order = usable(use.orderBy(), t);
    List<String> group = usable(use.groupBy(), t);
    boolean sortUsable = order.size() == use.orderBy().size();
    boolean groupUsable = group.size() == use.groupBy().size();

    Set<List<String>> keys = new LinkedHashSet<>();
    if (!eq.isEmpty()) {
      keys.add(cap(eq));
      for (String r : range) {
        keys.add(cap(concat(eq, List.of(r))));
      }
      if (sortUsable && !order.isEmpty()) {
        keys.add(cap(concat(eq, order)));
      }
      if (eq.size() > 1) {
        keys.add(List.of(eq.get(0)));
      }
    }
    for (String r : range) {
      keys.add(List.of(r));
    }
    for (String j : joins) {
      keys.add(List.of(j));
      if (!eq.isEmpty() && !eq.contains(j)) {
        keys.add(cap(concat(List.of(j), eq)));
      }
    }
    if (sortUsable && !order.isEmpty() && eq.isEmpty()) {
      keys.add(cap(order));
    }
    if (groupUsable && !group.isEmpty() && eq.isEmpty()) {
      keys.add(cap(group));
    }

    List<Candidate> out = new ArrayList<>();
    for (List<String> key : keys) {
      if (key.isEmpty() || servedByExisting(t, key)) {
        continue;
      }
      Candidate plain = new Candidate(t.schema(), t.name(), key, List.of());
      out.add(plain);
      if (reads && !use.selectsAll()) {
        List<String> extra = new ArrayList<>();
        for (String c : use.allColumns()) {
          if (!key.contains(c) && t.columns().contains(c)) {
            extra.add(c);
          }
        }
        if (!extra.isEmpty() && extra.size() <= maxIncludeColumns) {
          out.add(new Candidate(t.schema(), t.name(), key, extra));
        }
      }
    }
    return out;
  }

  private static boolean servedByExisting(TableInfo t, List<String> key) {
    for (ExistingIndex i : t.indexes()) {
      if (i.startsWith(key)) {
        return true;
      }
    }
    return false;
  }

  private List<String> usable(Iterable<String> columns, TableInfo t) {
    List<String> out = new ArrayList<>();
    for (String c : columns) {
      if (t.columns().contains(c) && !lowSelectivity(t, c) && !out.contains(c)) {
        out.add(c);
      }
    }
    return out;
  }

  private static double distinct(TableInfo t, String column) {
    TableInfo.ColumnStats s = t.stats().get(column);
    return s == null ? Double.MAX_VALUE : s.distinct();
  }

  private List<String> cap(List<String> key) {
    List<String> distinct = new ArrayList<>(new LinkedHashSet<>(key));
    return List.copyOf(distinct.subList(0, Math.min(maxKeyColumns, distinct.size())));
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }
}
