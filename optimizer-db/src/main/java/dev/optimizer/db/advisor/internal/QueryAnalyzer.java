package dev.optimizer.db.advisor.internal;

import dev.optimizer.db.internal.sql.SqlComments;
import dev.optimizer.db.internal.sql.SqlDialect;
import dev.optimizer.db.internal.sql.SqlParsers;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.sf.jsqlparser.expression.BinaryExpression;
import net.sf.jsqlparser.expression.CastExpression;
import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.expression.Function;
import net.sf.jsqlparser.expression.Parenthesis;
import net.sf.jsqlparser.expression.operators.conditional.AndExpression;
import net.sf.jsqlparser.expression.operators.conditional.OrExpression;
import net.sf.jsqlparser.expression.operators.relational.Between;
import net.sf.jsqlparser.expression.operators.relational.EqualsTo;
import net.sf.jsqlparser.expression.operators.relational.ExpressionList;
import net.sf.jsqlparser.expression.operators.relational.GreaterThan;
import net.sf.jsqlparser.expression.operators.relational.GreaterThanEquals;
import net.sf.jsqlparser.expression.operators.relational.InExpression;
import net.sf.jsqlparser.expression.operators.relational.IsNullExpression;
import net.sf.jsqlparser.expression.operators.relational.MinorThan;
import net.sf.jsqlparser.expression.operators.relational.MinorThanEquals;
import net.sf.jsqlparser.schema.Column;
import net.sf.jsqlparser.schema.Table;
import net.sf.jsqlparser.statement.Statement;
import net.sf.jsqlparser.statement.delete.Delete;
import net.sf.jsqlparser.statement.insert.Insert;
import net.sf.jsqlparser.statement.select.AllColumns;
import net.sf.jsqlparser.statement.select.FromItem;
import net.sf.jsqlparser.statement.select.Join;
import net.sf.jsqlparser.statement.select.OrderByElement;
import net.sf.jsqlparser.statement.select.ParenthesedSelect;
import net.sf.jsqlparser.statement.select.PlainSelect;
import net.sf.jsqlparser.statement.select.Select;
import net.sf.jsqlparser.statement.select.SelectItem;
import net.sf.jsqlparser.statement.select.SetOperationList;
import net.sf.jsqlparser.statement.select.WithItem;
import net.sf.jsqlparser.statement.update.Update;

/**
 * Reads a statement's predicates with JSqlParser: which columns of which tables it filters by
 * equality or range, joins on, sorts, groups and reads. Conditions under OR, negations, LIKE and
 * expressions over columns are left out on purpose: a plain B-tree index on the column would not
 * serve them. The parse is bounded in length and time; a statement it cannot read gives an {@link
 * Unparseable} with the reason, never an exception from the parser.
 */
public final class QueryAnalyzer {
  private static final long PARSE_TIMEOUT_MILLIS = 2_000;

  /** Why a statement was skipped. */
  public static final class Unparseable extends Exception {
    Unparseable(String reason) {
      super(reason, null, false, false);
    }
  }

  private final int maxLength;
  private final BiFunction<String, String, Set<String>> columnsOf;
  private final boolean caseInsensitiveColumns;
  private final SqlDialect dialect;

  /**
   * An analyzer with PostgreSQL's column names: unquoted ones lower-cased, quoted ones as written.
   *
   * @param maxLength longest text parsed
   * @param columnsOf the columns of a table (schema may be null), for unqualified column names in
   *     statements over several tables; an empty set when unknown
   */
  public QueryAnalyzer(int maxLength, BiFunction<String, String, Set<String>> columnsOf) {
    this(maxLength, columnsOf, SqlDialect.POSTGRESQL);
  }

  /**
   * An analyzer for a database's dialect: {@link SqlDialect#POSTGRESQL} or {@link SqlDialect#MYSQL}
   * (MariaDB and MySQL).
   *
   * @param dialect how comments are read (PostgreSQL nests block comments, MariaDB does not), and
   *     for {@link SqlDialect#MYSQL} that column names match whatever their case: each column is
   *     then named as {@code columnsOf} spells it, so that {@code customerId} written as {@code
   *     CUSTOMERID} or {@code customerid} is the table's {@code customerId}
   */
  public QueryAnalyzer(
      int maxLength, BiFunction<String, String, Set<String>> columnsOf, SqlDialect dialect) {
    this.maxLength = maxLength;
    this.columnsOf = columnsOf;
    this.dialect = dialect;
    this.caseInsensitiveColumns = dialect == SqlDialect.MYSQL;
  }

  /** The table's own spelling of {@code column}, or null when the table has no such column. */
  private String spelling(TableUse u, String column) {
    Set<String> columns = columnsOf.apply(u.schema, u.table);
    if (columns.contains(column)) {
      return column;
    }
    if (caseInsensitiveColumns) {
      for (String c : columns) {
        if (c.equalsIgnoreCase(column)) {
          return c;
        }
      }
    }
    return null;
  }

  /** {@code column} as the table spells it when known, else as written (folded). */
  private String spelled(TableUse u, String column) {
    if (!caseInsensitiveColumns) {
      return column;
    }
    String s = spelling(u, column);
    return s != null ? s : column;
  }

  /**
   * A token the parser quotes in its message ({@code Encountered unexpected token: "'s3cr3t'"
   * <S_CHAR_LITERAL>}, a lexical error's {@code after : "'s3cr3t"}): kept when it is a word (a
   * keyword or a name), else {@code "?"}. The sample is the application's own text, literals and
   * all, and the reason ends up in the advisor's report.
   */
  private static final Pattern QUOTED_TOKEN = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"");

  private static final Pattern WORD = Pattern.compile("[A-Za-z_][A-Za-z_0-9$]*");

  /**
   * The parser's message with every quoted token that is not a word replaced by {@code "?"}, and
   * whatever follows a quote left open (which the parser's escaping should never leave) cut.
   */
  static String withoutValues(String message) {
    Matcher m = QUOTED_TOKEN.matcher(message);
    StringBuilder out = new StringBuilder();
    int at = 0;
    while (m.find()) {
      out.append(message, at, m.start());
      out.append(WORD.matcher(m.group(1)).matches() ? m.group() : "\"?\"");
      at = m.end();
    }
    int open = message.indexOf('"', at);
    out.append(message, at, open < 0 ? message.length() : open);
    if (open >= 0) {
      out.append("\"?\"");
    }
    return out.toString();
  }

  /** The shape of a statement. */
  public QueryShape analyze(String sql) throws Unparseable {
    if (sql.length() > maxLength) {
      throw new Unparseable("longer than " + maxLength + " characters");
    }
    if (severalStatements(sql)) {
      // EXPLAIN would run the second one for real (the simple query protocol runs them all).
      throw new Unparseable("several statements in one text; only single statements are EXPLAINed");
    }
    Statement st;
    try {
      // JSqlParser's comments end at the first "*/" whatever the dialect: it reads the text with
      // the comments dropped as the database drops them (PostgreSQL's nest). EXPLAIN still runs
      // the statement as sampled.
      String parsed = SqlComments.strip(sql, dialect);
      st = SqlParsers.parse(parsed, PARSE_TIMEOUT_MILLIS);
    } catch (Exception | StackOverflowError e) {
      String why = String.valueOf(e.getMessage());
      int nl = why.indexOf('\n');
      throw new Unparseable(
          "the SQL parser could not read it: "
              + withoutValues(nl > 0 ? why.substring(0, nl) : why));
    }
    Scope scope = new Scope();
    String operation;
    if (st instanceof Select s) {
      operation = "SELECT";
      select(s, scope);
    } else if (st instanceof Update u) {
      operation = "UPDATE";
      Scope own = scope.child();
      own.addTable(u.getTable());
      condition(u.getWhere(), own);
      own.resolve();
    } else if (st instanceof Delete d) {
      operation = "DELETE";
      Scope own = scope.child();
      own.addTable(d.getTable());
      condition(d.getWhere(), own);
      own.resolve();
    } else if (st instanceof Insert i) {
      operation = "INSERT";
      scope.child().addTable(i.getTable());
      if (i.getSelect() != null) {
        select(i.getSelect(), scope);
      }
    } else {
      throw new Unparseable("not a SELECT, INSERT, UPDATE or DELETE");
    }
    return new QueryShape(operation, scope.all);
  }

  private void select(Select s, Scope parent) {
    if (s.getWithItemsList() != null) {
      for (WithItem<?> w : s.getWithItemsList()) {
        if (w.getSelect() != null) {
          select(w.getSelect(), parent);
        }
      }
    }
    if (s instanceof ParenthesedSelect p) {
      select(p.getSelect(), parent);
    } else if (s instanceof SetOperationList list) {
      for (Select each : list.getSelects()) {
        select(each, parent);
      }
    } else if (s instanceof PlainSelect ps) {
      plain(ps, parent);
    }
  }

  private void plain(PlainSelect ps, Scope parent) {
    Scope scope = parent.child();
    from(ps.getFromItem(), scope);
    if (ps.getJoins() != null) {
      for (Join j : ps.getJoins()) {
        from(j.getRightItem(), scope);
      }
      for (Join j : ps.getJoins()) {
        for (Expression on : j.getOnExpressions()) {
          condition(on, scope);
        }
        if (j.getUsingColumns() != null) {
          for (Column c : j.getUsingColumns()) {
            scope.joinUsing(name(c.getColumnName()));
          }
        }
      }
    }
    condition(ps.getWhere(), scope);
    for (SelectItem<?> item : ps.getSelectItems()) {
      Expression e = item.getExpression();
      if (e instanceof AllColumns all) {
        scope.selectAll(all);
      } else {
        reads(e, scope);
      }
    }
    List<OrderByElement> order = ps.getOrderByElements();
    if (order != null) {
      List<Column> cols = new ArrayList<>();
      for (OrderByElement o : order) {
        if (o.getExpression() instanceof Column c) {
          cols.add(c);
        } else {
          cols.clear();
          break;
        }
      }
      scope.sortKeys(cols, false);
    }
    if (ps.getGroupBy() != null && ps.getGroupBy().getGroupByExpressionList() != null) {
      List<Column> cols = new ArrayList<>();
      for (Object o : ps.getGroupBy().getGroupByExpressionList()) {
        if (o instanceof Column c) {
          cols.add(c);
        }
      }
      scope.sortKeys(cols, true);
    }
    scope.resolve();
  }

  private void from(FromItem item, Scope scope) {
    if (item instanceof Table t) {
      scope.addTable(t);
    } else if (item instanceof ParenthesedSelect p) {
      select(p.getSelect(), scope.parent);
    }
  }

  /** Walks a condition's AND tree; anything else is not something a plain index serves. */
  private void condition(Expression e, Scope scope) {
    if (e == null) {
      return;
    }
    if (e instanceof Parenthesis p) {
      condition(p.getExpression(), scope);
    } else if (e instanceof ExpressionList<?> list && list.size() == 1) {
      condition(list.get(0), scope);
    } else if (e instanceof AndExpression and) {
      condition(and.getLeftExpression(), scope);
      condition(and.getRightExpression(), scope);
    } else if (e instanceof OrExpression) {
      subqueries(e, scope);
    } else if (e instanceof EqualsTo eq) {
      comparison(eq, scope, true);
    } else if (e instanceof GreaterThan
        || e instanceof GreaterThanEquals
        || e instanceof MinorThan
        || e instanceof MinorThanEquals) {
      comparison((BinaryExpression) e, scope, false);
    } else if (e instanceof Between b && !b.isNot() && b.getLeftExpression() instanceof Column c) {
      scope.filter(c, false);
    } else if (e instanceof InExpression in && !in.isNot()) {
      if (in.getLeftExpression() instanceof Column c) {
        scope.filter(c, true);
      }
      if (in.getRightExpression() instanceof Select sub) {
        select(sub, scope);
      }
    } else if (e instanceof IsNullExpression n
        && !n.isNot()
        && n.getLeftExpression() instanceof Column c) {
      scope.filter(c, true);
    } else {
      subqueries(e, scope);
    }
  }

  private void subqueries(Expression e, Scope scope) {
    if (e instanceof Select sub) {
      select(sub, scope);
    } else if (e instanceof BinaryExpression b) {
      subqueries(b.getLeftExpression(), scope);
      subqueries(b.getRightExpression(), scope);
    }
  }

  private void comparison(BinaryExpression b, Scope scope, boolean equality) {
    Expression l = unwrap(b.getLeftExpression());
    Expression r = unwrap(b.getRightExpression());
    if (l instanceof Column lc && r instanceof Column rc) {
      if (equality) {
        scope.join(lc, rc);
      }
    } else if (l instanceof Column lc && !mentionsColumns(r)) {
      scope.filter(lc, equality);
    } else if (r instanceof Column rc && !mentionsColumns(l)) {
      scope.filter(rc, equality);
    }
    if (l instanceof Select s) {
      select(s, scope);
    }
    if (r instanceof Select s) {
      select(s, scope);
    }
  }

  /** A cast of a marker ({@code ?::date}) is still a value; a cast of a column is not a column. */
  private static Expression unwrap(Expression e) {
    if (e instanceof CastExpression c && !(c.getLeftExpression() instanceof Column)) {
      return c.getLeftExpression();
    }
    return e;
  }

  private static boolean mentionsColumns(Expression e) {
    if (e instanceof Column) {
      return true;
    }
    if (e instanceof BinaryExpression b) {
      return mentionsColumns(b.getLeftExpression()) || mentionsColumns(b.getRightExpression());
    }
    if (e instanceof Function f && f.getParameters() != null) {
      for (Object p : f.getParameters()) {
        if (p instanceof Expression x && mentionsColumns(x)) {
          return true;
        }
      }
    }
    return e instanceof Select;
  }

  /** Columns read by a select-list expression; anything we cannot see through reads "all". */
  private void reads(Expression e, Scope scope) {
    if (e instanceof Column c) {
      scope.read(c);
    } else if (e instanceof BinaryExpression b) {
      reads(b.getLeftExpression(), scope);
      reads(b.getRightExpression(), scope);
    } else if (e instanceof Function f) {
      if (f.getParameters() != null) {
        for (Object p : f.getParameters()) {
          if (p instanceof Expression x) {
            reads(x, scope);
          }
        }
      }
    } else if (e instanceof CastExpression c) {
      reads(c.getLeftExpression(), scope);
    } else if (e instanceof Parenthesis p) {
      reads(p.getExpression(), scope);
    } else if (e instanceof Select s) {
      select(s, scope);
    } else if (e != null && e.getClass().getSimpleName().endsWith("Value")) {
      // a literal reads nothing
    } else if (e != null) {
      scope.readsUnknown = true;
    }
  }

  /**
   * Whether a semicolon is followed by anything but space: conservative (a semicolon inside a
   * string literal or comment counts too), since the cost of a false alarm is one statement not
   * analyzed, and the cost of a miss is a statement executed by the advisor.
   */
  static boolean severalStatements(String sql) {
    int end = sql.length();
    while (end > 0 && (Character.isWhitespace(sql.charAt(end - 1)) || sql.charAt(end - 1) == ';')) {
      end--;
    }
    return sql.lastIndexOf(';', end - 1) >= 0;
  }

  /** PostgreSQL's folding: quoted names as written, others lower-cased. */
  static String name(String raw) {
    if (raw.length() >= 2 && raw.charAt(0) == '"' && raw.charAt(raw.length() - 1) == '"') {
      return raw.substring(1, raw.length() - 1).replace("\"\"", "\"");
    }
    if (raw.length() >= 2 && raw.charAt(0) == '`' && raw.charAt(raw.length() - 1) == '`') {
      return raw.substring(1, raw.length() - 1);
    }
    return raw.toLowerCase(Locale.ROOT);
  }

  /** The tables of one SELECT level (aliases are local to it) and the statement's tables so far. */
  private final class Scope {
    final Scope parent;
    final List<TableUse> all;
    final Map<String, TableUse> byAlias = new HashMap<>();
    final List<TableUse> own = new ArrayList<>();
    final List<Object[]> pending = new ArrayList<>(); // unresolved unqualified columns
    boolean readsUnknown;

    Scope() {
      this.parent = null;
      this.all = new ArrayList<>();
    }

    private Scope(Scope parent) {
      this.parent = parent;
      this.all = parent.all;
    }

    Scope child() {
      return new Scope(this);
    }

    TableUse addTable(Table t) {
      String schema = t.getSchemaName() == null ? null : name(t.getSchemaName());
      TableUse use = new TableUse(schema, name(t.getName()));
      own.add(use);
      all.add(use);
      byAlias.put(use.table, use);
      if (t.getAlias() != null) {
        byAlias.put(name(t.getAlias().getName()), use);
      }
      return use;
    }

    void filter(Column c, boolean equality) {
      pending.add(new Object[] {c, equality ? "eq" : "range"});
    }

    void join(Column a, Column b) {
      pending.add(new Object[] {a, "join"});
      pending.add(new Object[] {b, "join"});
    }

    void joinUsing(String column) {
      for (TableUse u : own) {
        String spelled = spelling(u, column);
        if (spelled != null) {
          u.joins.add(spelled);
        }
      }
    }

    void read(Column c) {
      pending.add(new Object[] {c, "read"});
    }

    void selectAll(AllColumns all) {
      pending.add(new Object[] {all, "all"});
    }

    void sortKeys(List<Column> cols, boolean group) {
      pending.add(new Object[] {cols, group ? "group" : "order"});
    }

    /** Puts each column under its table, once every table of this level is known. */
    void resolve() {
      for (Object[] p : pending) {
        String kind = (String) p[1];
        if (p[0] instanceof Column c) {
          String[] where = locate(c);
          if (where == null) {
            continue;
          }
          TableUse u = byAlias.get(where[0]);
          String column = spelled(u, where[1]);
          switch (kind) {
            case "eq" -> u.equality.add(column);
            case "range" -> u.range.add(column);
            case "join" -> u.joins.add(column);
            default -> u.selected.add(column);
          }
        } else if (p[0] instanceof AllColumns a) {
          if (a instanceof net.sf.jsqlparser.statement.select.AllTableColumns t
              && byAlias.get(name(t.getTable().getName())) != null) {
            byAlias.get(name(t.getTable().getName())).selectsAll = true;
          } else {
            own.forEach(u -> u.selectsAll = true);
          }
        } else if (p[0] instanceof List<?> cols && !cols.isEmpty()) {
          TableUse target = null;
          List<String> names = new ArrayList<>();
          for (Object o : cols) {
            String[] where = locate((Column) o);
            TableUse u = where == null ? null : byAlias.get(where[0]);
            if (u == null || (target != null && u != target)) {
              target = null;
              names.clear();
              break;
            }
            target = u;
            names.add(spelled(u, where[1]));
          }
          if (target != null) {
            (kind.equals("group") ? target.groupBy : target.orderBy).addAll(names);
          }
        }
      }
      if (readsUnknown) {
        own.forEach(u -> u.selectsAll = true);
      }
      pending.clear();
    }

    /** {alias, column} of a column reference at this level or an enclosing one; null if unknown. */
    private String[] locate(Column c) {
      String column = name(c.getColumnName());
      Table t = c.getTable();
      if (t != null && t.getName() != null) {
        String alias = name(t.getName());
        for (Scope s = this; s != null; s = s.parent) {
          if (s.byAlias.containsKey(alias)) {
            return s == this ? new String[] {alias, column} : null;
          }
        }
        return null;
      }
      if (own.size() == 1) {
        return new String[] {own.get(0).table, column};
      }
      for (TableUse u : own) {
        if (spelling(u, column) != null) {
          return new String[] {u.table, column};
        }
      }
      return null;
    }
  }
}
