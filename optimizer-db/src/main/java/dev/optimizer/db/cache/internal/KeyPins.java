package dev.optimizer.db.cache.internal;

import dev.optimizer.db.internal.sql.SqlParsers;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.regex.Pattern;
import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.expression.JdbcParameter;
import net.sf.jsqlparser.expression.LongValue;
import net.sf.jsqlparser.expression.Parenthesis;
import net.sf.jsqlparser.expression.operators.conditional.AndExpression;
import net.sf.jsqlparser.expression.operators.relational.EqualsTo;
import net.sf.jsqlparser.expression.operators.relational.ExpressionList;
import net.sf.jsqlparser.schema.Column;
import net.sf.jsqlparser.schema.Table;
import net.sf.jsqlparser.statement.Statement;
import net.sf.jsqlparser.statement.delete.Delete;
import net.sf.jsqlparser.statement.insert.Insert;
import net.sf.jsqlparser.statement.select.PlainSelect;
import net.sf.jsqlparser.statement.update.Update;
import net.sf.jsqlparser.statement.update.UpdateSet;

/**
 * Finds statements that touch exactly one row by its key, so that a write to one row drops only the
 * cached reads of that row rather than every read of the table: a single-table query or write whose
 * WHERE is a conjunction with {@code key = ?} (or a number), or a one-row INSERT naming the key.
 *
 * <p>Only integer single-column primary keys are used (the {@link TableCatalog} finds them):
 * comparing an integer column with text or with a case-insensitive collation could match rows the
 * bound value does not equal, and then a key-level invalidation would miss them. An UPDATE that
 * sets the key, an INSERT with {@code ON CONFLICT}/{@code ON DUPLICATE KEY} (which may change
 * another row), joins, sub-queries in FROM, set operations and WITH are never pinned, nor is a
 * query with a subquery anywhere (in its select list or WHERE: {@code SELECT id, (SELECT count(*)
 * FROM users) FROM users WHERE id = ?} reads every row of the table, not the key's).
 */
final class KeyPins {
  /**
   * A statement pinned to one key value: the table, and either the 1-based position of the bound
   * parameter holding the value or (when {@code parameter} is 0) a literal value.
   */
  record Pin(String table, int parameter, long literal) {
    /** The key value for these bound values, or null when it is not an integer. */
    Long value(Object[] parameters) {
      if (parameter == 0) {
        return literal;
      }
      if (parameters == null || parameter > parameters.length) {
        return null;
      }
      Object v = parameters[parameter - 1];
      if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
        return ((Number) v).longValue();
      }
      return null;
    }
  }

  private static final Pattern SELECT = Pattern.compile("\\bSELECT\\b", Pattern.CASE_INSENSITIVE);

  private KeyPins() {}

  /**
   * The pin of a statement's exact text, or null. {@code keyColumn} gives a table's integer primary
   * key column (lower-case), or null.
   */
  static Pin find(String sql, Function<String, String> keyColumn) {
    if (sql == null || sql.length() > TableAnalyzer.MAX_PARSED_LENGTH) {
      return null;
    }
    try {
      Statement st = SqlParsers.parse(sql, 500);
      if (st instanceof PlainSelect s) {
        if (subquery(sql) // a subquery reads more than the key's row
            || nonEmpty(s.getJoins())
            || s.getWithItemsList() != null
            || nonEmpty(s.getIntoTables())
            || !(s.getFromItem() instanceof Table)) {
          return null;
        }
        return where(table(s.getFromItem()), s.getWhere(), keyColumn);
      }
      if (st instanceof Update u) {
        if (nonEmpty(u.getJoins())
            || u.getFromItem() != null
            || nonEmpty(u.getStartJoins())
            || u.getWithItemsList() != null
            || u.getTable() == null) {
          return null;
        }
        String table = TableAnalyzer.tableName(u.getTable().getFullyQualifiedName());
        String key = keyColumn.apply(table);
        if (key == null) {
          return null;
        }
        for (UpdateSet set : u.getUpdateSets()) {
          for (Column c : set.getColumns()) {
            if (key.equals(column(c))) {
              return null; // the row moves to another key
            }
          }
        }
        return where(table, u.getWhere(), keyColumn);
      }
      if (st instanceof Delete d) {
        if (nonEmpty(d.getJoins())
            || nonEmpty(d.getUsingList())
            || nonEmpty(d.getTables())
            || d.getWithItemsList() != null
            || d.getTable() == null) {
          return null;
        }
        return where(
            TableAnalyzer.tableName(d.getTable().getFullyQualifiedName()), d.getWhere(), keyColumn);
      }
      if (st instanceof Insert i) {
        return insert(i, keyColumn);
      }
      return null;
    } catch (Exception | StackOverflowError e) {
      return null;
    }
  }

  /** Whether the text has a second SELECT; stops there rather than counting them all. */
  private static boolean subquery(String sql) {
    java.util.regex.Matcher m = SELECT.matcher(sql);
    return m.find() && m.find();
  }

  private static boolean nonEmpty(List<?> list) {
    return list != null && !list.isEmpty();
  }

  private static String table(Object from) {
    return TableAnalyzer.tableName(((Table) from).getFullyQualifiedName());
  }

  private static Pin insert(Insert i, Function<String, String> keyColumn) {
    if (i.getConflictAction() != null
        || i.getDuplicateUpdateSets() != null
        || i.getWithItemsList() != null
        || i.getColumns() == null
        || i.getValues() == null
        || i.getSelect() != null && i.getValues() == null) {
      return null;
    }
    String table = TableAnalyzer.tableName(i.getTable().getFullyQualifiedName());
    String key = keyColumn.apply(table);
    if (key == null) {
      return null;
    }
    ExpressionList<?> values = i.getValues().getExpressions();
    List<Column> columns = i.getColumns();
    if (values == null || values.size() != columns.size()) {
      return null; // several rows, or a shape we do not follow
    }
    for (int c = 0; c < columns.size(); c++) {
      if (key.equals(column(columns.get(c)))) {
        return pin(table, values.get(c));
      }
    }
    return null;
  }

  private static Pin where(String table, Expression where, Function<String, String> keyColumn) {
    String key = keyColumn.apply(table);
    if (key == null || where == null) {
      return null;
    }
    return conjunct(table, key, where);
  }

  private static Pin conjunct(String table, String key, Expression e) {
    if (e instanceof Parenthesis p) {
      return conjunct(table, key, p.getExpression());
    }
    if (e instanceof AndExpression and) {
      Pin left = conjunct(table, key, and.getLeftExpression());
      return left != null ? left : conjunct(table, key, and.getRightExpression());
    }
    if (e instanceof EqualsTo eq) {
      if (eq.getLeftExpression() instanceof Column c && key.equals(column(c))) {
        return pin(table, eq.getRightExpression());
      }
      if (eq.getRightExpression() instanceof Column c && key.equals(column(c))) {
        return pin(table, eq.getLeftExpression());
      }
    }
    return null;
  }

  private static Pin pin(String table, Expression value) {
    if (value instanceof JdbcParameter p && p.getIndex() != null && p.getIndex() > 0) {
      return new Pin(table, p.getIndex(), 0);
    }
    if (value instanceof LongValue l) {
      return new Pin(table, 0, l.getValue());
    }
    return null;
  }

  private static String column(Column c) {
    return c.getColumnName().replace("\"", "").replace("`", "").toLowerCase(Locale.ROOT);
  }
}
