package dev.optimizer.db.advisor.internal;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * How one statement uses one table: the columns it filters on by equality or range, joins on, sorts
 * and groups by, and reads. Column and table names are as PostgreSQL folds them (unquoted names
 * lower-cased, quoted ones as written); on MariaDB/MySQL, where column names match whatever their
 * case, columns are as the table spells them. Mutable while a statement is analyzed only.
 */
public final class TableUse {
  final String schema;
  final String table;
  final Set<String> equality = new LinkedHashSet<>();
  final Set<String> range = new LinkedHashSet<>();
  final Set<String> joins = new LinkedHashSet<>();
  final List<String> orderBy = new ArrayList<>();
  final List<String> groupBy = new ArrayList<>();
  final Set<String> selected = new LinkedHashSet<>();
  boolean selectsAll;

  TableUse(String schema, String table) {
    this.schema = schema;
    this.table = table;
  }

  /** The schema named in the statement, or {@code null} when unqualified. */
  public String schema() {
    return schema;
  }

  /** The table's name. */
  public String table() {
    return table;
  }

  /** Columns compared for equality with a value (=, IN, IS NULL). */
  public Set<String> equality() {
    return equality;
  }

  /** Columns compared with a range (<, >, BETWEEN). */
  public Set<String> range() {
    return range;
  }

  /** Columns equated with another table's column. */
  public Set<String> joins() {
    return joins;
  }

  /**
   * ORDER BY columns of this table, in order; empty unless every sort key is one of its columns.
   */
  public List<String> orderBy() {
    return orderBy;
  }

  /** GROUP BY columns of this table. */
  public List<String> groupBy() {
    return groupBy;
  }

  /** Columns read (select list); meaningless when {@link #selectsAll()}. */
  public Set<String> selected() {
    return selected;
  }

  /** Whether the statement reads every column or columns we could not tell. */
  public boolean selectsAll() {
    return selectsAll;
  }

  /** Every column the statement touches in this table. */
  Set<String> allColumns() {
    Set<String> all = new LinkedHashSet<>(equality);
    all.addAll(range);
    all.addAll(joins);
    all.addAll(orderBy);
    all.addAll(groupBy);
    all.addAll(selected);
    return all;
  }

  @Override
  public String toString() {
    return table
        + "{eq="
        + equality
        + ", range="
        + range
        + ", join="
        + joins
        + ", order="
        + orderBy
        + ", group="
        + groupBy
        + ", select="
        + (selectsAll ? "*" : selected)
        + "}";
  }
}
