package dev.optimizer.db.cache.internal;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the database says about each table the cache meets, asked once per table: whether it is a
 * plain base table (a view, a materialized view, a partitioned parent or a table with inheritance
 * parents or children reads or is read through other tables, so queries of it are not cached and a
 * write to it invalidates everything), whether PostgreSQL row-level security filters it (what a
 * query returns then depends on settings and roles the cache key does not hold, so it is not cached
 * either), which tables a write to it also changes through foreign keys with {@code ON
 * DELETE/UPDATE CASCADE/SET NULL/SET DEFAULT}, and whether it has triggers (a write to a table with
 * triggers invalidates everything, as the triggers may write anywhere).
 *
 * <p>Each table is asked about by one caller at a time; others wait for that answer rather than ask
 * again. The tables a cache is configured with are described ahead, off the request path (see
 * {@link DescribeAhead}), so that the first query of one does not pay for it. Answers are dropped
 * after any statement that may change the schema. Thread-safe.
 */
final class TableCatalog {
  /**
   * What one table is. {@code alsoWritten} includes the table itself; {@code selfCascade} says a
   * write to one row may cascade to other rows of the same table (a self-referencing foreign key,
   * or a cycle of them, with {@code CASCADE/SET NULL/SET DEFAULT}), so a write pinned to one key
   * changes more than that key; {@code keyColumn} is its primary key column (lower-case) when that
   * is one integer column, else null.
   */
  record Table(
      boolean base,
      boolean rowSecurity,
      boolean triggers,
      Set<String> alsoWritten,
      boolean selfCascade,
      String keyColumn) {

    /** Whether queries of it may be cached: a base table without row-level security. */
    boolean readable() {
      return base && !rowSecurity;
    }
  }

  private static final Table UNKNOWN = new Table(false, true, true, Set.of(), true, null);
  private static final int MAX_TABLES = 10_000;

  /**
   * How long a describe waits for the same table's describe already under way on another connection
   * before it asks the database itself. A describe takes milliseconds (7-18 ms on a fresh
   * PostgreSQL connection); the bound only matters when the other one hangs.
   */
  static final long WAIT_MILLIS = 2_000;

  private final ConcurrentHashMap<String, Table> tables = new ConcurrentHashMap<>();

  /**
   * The describes under way, one per table (whether a request's or the describe-ahead's): a second
   * describe of the same table waits for the first one's answer instead of asking the database
   * again, so that every caller gets the same description. Completed with null when the first one
   * has no answer to share (the database could not tell, or it was a describe-ahead that found no
   * such table); the waiter then asks on its own connection, as it would have.
   */
  private final ConcurrentHashMap<String, CompletableFuture<Table>> underWay =
      new ConcurrentHashMap<>();

  /**
   * Bumped by {@link #clear()}: an answer asked for before the schema may have changed is not
   * remembered after it (the describe-ahead runs while an application may still be migrating its
   * schema).
   */
  private final AtomicLong generation = new AtomicLong();

  /** What the table is, asking the database on {@code connection} the first time. */
  Table describe(String table, Connection connection) {
    Table known = known(table);
    return known != null ? known : describeOnce(table, connection, false);
  }

  /**
   * What the table is, asking the database on the application's {@code connection} the first time:
   * inside a transaction ({@code inTransaction}, as the lease tells it, SQL {@code BEGIN} included)
   * behind a savepoint, so that a failing catalog query cannot abort the application's transaction
   * (PostgreSQL would). Unknown when no savepoint can be set.
   */
  Table describe(String table, Connection connection, boolean inTransaction) {
    // Before the savepoint: a table already described (or being described ahead) costs no round
    // trip at all.
    Table known = known(table);
    if (known != null) {
      return known;
    }
    if (!inTransaction) {
      return describeOnce(table, connection, false);
    }
    Savepoint sp;
    try {
      sp = connection.setSavepoint();
    } catch (SQLException | RuntimeException e) {
      return UNKNOWN;
    }
    Table t = describe(table, connection);
    try {
      connection.rollback(sp);
      connection.releaseSavepoint(sp);
    } catch (SQLException | RuntimeException e) {
      // The savepoint is gone with its transaction's end; nothing of ours is left behind.
    }
    return t;
  }

  /**
   * Describes a table off the request path (on the describe-ahead's own {@code connection}), unless
   * it is described already or being described: then nothing is asked. A table the database does
   * not have (yet: a migration may still create it) is not remembered, so that the first query of
   * it asks again. Never throws.
   */
  void describeAhead(String table, Connection connection) {
    if (!tables.containsKey(table) && !underWay.containsKey(table)) {
      describeOnce(table, connection, true);
    }
  }

  /** Whether the table's description is remembered (for tests). */
  boolean knows(String table) {
    return tables.containsKey(table);
  }

  /**
   * The remembered description, or the answer of a describe of it under way elsewhere (waited for,
   * at most {@link #WAIT_MILLIS}); null when this caller must ask the database itself.
   */
  private Table known(String table) {
    Table t = tables.get(table);
    if (t != null) {
      return t;
    }
    CompletableFuture<Table> other = underWay.get(table);
    return other == null ? null : await(other);
  }

  private static Table await(CompletableFuture<Table> other) {
    try {
      return other.get(WAIT_MILLIS, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return UNKNOWN; // not cached this time; the interrupt is the application's to see
    } catch (ExecutionException | TimeoutException e) {
      return null;
    }
  }

  /**
   * Asks the database, once per table at a time: a describe that finds another one of the same
   * table under way takes its answer (see {@link #underWay}). {@code ahead}: the describe-ahead's,
   * which neither waits for another nor remembers a table that does not exist.
   */
  private Table describeOnce(String table, Connection connection, boolean ahead) {
    CompletableFuture<Table> mine = new CompletableFuture<>();
    CompletableFuture<Table> other = underWay.putIfAbsent(table, mine);
    if (other != null) {
      if (ahead) {
        return null; // someone else is asking already
      }
      Table answer = await(other);
      if (answer != null) {
        return answer;
      }
      mine = null; // it had no answer (or is stuck): ask here, as before, sharing nothing
    }
    Table shared = null;
    try {
      // Described by another while this one registered: nothing to ask.
      Table t = tables.get(table);
      if (t != null) {
        shared = t;
        return t;
      }
      long asked = generation.get();
      Probe p;
      try {
        p = probe(table, connection);
      } catch (SQLException | RuntimeException e) {
        return UNKNOWN; // not remembered: the next connection may be able to answer
      }
      if ((p.found() || !ahead) && remember(table, p.table(), asked)) {
        shared = p.table();
      }
      return p.table();
    } finally {
      if (mine != null) {
        underWay.remove(table, mine);
        mine.complete(shared);
      }
    }
  }

  /** Keeps an answer unless the catalog was cleared since it was asked for, or is full. */
  private boolean remember(String table, Table t, long asked) {
    if (tables.size() >= MAX_TABLES) {
      return false;
    }
    tables.put(table, t);
    if (generation.get() != asked) {
      // clear() ran while the database was asked: the answer may describe the old schema.
      tables.remove(table, t);
      return false;
    }
    return true;
  }

  /** Forgets every answer (the schema may have changed). */
  void clear() {
    generation.incrementAndGet();
    tables.clear();
    // Describes under way finish (their callers get their answers) but are not remembered, and
    // nobody waits for them any more.
    underWay.clear();
  }

  /** A description, and whether a relation of the table's name exists at all. */
  private record Probe(Table table, boolean found) {}

  private static Probe probe(String table, Connection c) throws SQLException {
    DatabaseMetaData md = c.getMetaData();
    String name = md.storesUpperCaseIdentifiers() ? table.toUpperCase(Locale.ROOT) : table;
    boolean postgres = isPostgres(md);
    boolean base = false;
    boolean other = false;
    int found = 0;
    long oid = 0;
    // On PostgreSQL the catalog itself, for the same reason as PG_CASCADES below: pgjdbc's
    // getTables, getPrimaryKeys and getColumns took 10-25 ms together on a fresh connection.
    try (PreparedStatement ps = postgres ? c.prepareStatement(PG_RELATIONS) : null;
        ResultSet rs =
            postgres ? query(ps, name) : md.getTables(null, null, escape(name, md), null)) {
      while (rs.next()) {
        found++;
        boolean isBase;
        if (postgres) {
          isBase = rs.getBoolean(1);
          oid = rs.getLong(2);
        } else {
          String type = String.valueOf(rs.getString("TABLE_TYPE")).toUpperCase(Locale.ROOT);
          isBase = type.equals("TABLE") || type.equals("BASE TABLE");
        }
        base |= isBase;
        other |= !isBase;
      }
    }
    Set<String> written = new HashSet<>();
    written.add(table);
    boolean selfCascade = false;
    Deque<String> todo = new ArrayDeque<>();
    todo.add(name);
    // PostgreSQL's catalog is asked directly: pgjdbc's getExportedKeys is a general query that took
    // 13-22 ms a table on a fresh connection (in the request that first meets the table), the
    // catalog query about 1 ms.
    try (PreparedStatement cascades = postgres ? c.prepareStatement(PG_CASCADES) : null) {
      while (!todo.isEmpty() && written.size() < 1000) {
        String parent = todo.poll();
        for (String child : cascadingChildren(md, cascades, parent)) {
          selfCascade |= TableAnalyzer.tableName(child).equals(table);
          if (written.add(TableAnalyzer.tableName(child))) {
            todo.add(child);
          }
        }
      }
    }
    String key =
        found == 1 && base ? (postgres ? pgIntegerKey(c, oid) : integerKey(md, name)) : null;
    PgFlags pg = postgres ? pgFlags(c, table) : NOT_PG;
    return new Probe(
        new Table(
            base && !other && !pg.inherits(),
            pg.rowSecurity(),
            hasTriggers(c, written, postgres),
            Set.copyOf(written),
            selfCascade,
            key),
        found > 0);
  }

  /**
   * The tables (in any schema) whose foreign keys to {@code parent} cascade, set null or set
   * default on delete or update: {@code confdeltype}/{@code confupdtype} 'c', 'n' or 'd'.
   * Partitions of a partitioned child are listed too, which can only widen what a write
   * invalidates.
   */
  private static final String PG_CASCADES =
      "SELECT ch.relname FROM pg_catalog.pg_constraint k"
          + " JOIN pg_catalog.pg_class p ON p.oid = k.confrelid"
          + " JOIN pg_catalog.pg_class ch ON ch.oid = k.conrelid"
          + " WHERE k.contype = 'f' AND p.relname = ?"
          + " AND (k.confdeltype IN ('c', 'n', 'd') OR k.confupdtype IN ('c', 'n', 'd'))";

  /**
   * Every relation of this name in any schema, as pgjdbc's getTables lists them: whether it is a
   * base table ("TABLE": an ordinary table outside the system and temporary schemas; a view,
   * materialized view, partitioned or foreign table, sequence, index, type, system or temporary
   * table is something else), and its oid.
   */
  private static final String PG_RELATIONS =
      "SELECT c.relkind = 'r' AND n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema',"
          + " c.oid FROM pg_catalog.pg_class c"
          + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.relname = ?";

  /** The primary key's columns of one table, each with whether it is int2, int4 or int8. */
  private static final String PG_KEY =
      "SELECT a.attname, a.atttypid IN (20, 21, 23) FROM pg_catalog.pg_index i"
          + " JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)"
          + " WHERE i.indisprimary AND i.indrelid = ?::oid";

  private static ResultSet query(PreparedStatement ps, String name) throws SQLException {
    ps.setString(1, name);
    return ps.executeQuery();
  }

  /** {@link #integerKey} from PostgreSQL's catalog: the key column when it is one integer. */
  private static String pgIntegerKey(Connection c, long oid) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(PG_KEY)) {
      ps.setLong(1, oid);
      String column = null;
      int columns = 0;
      boolean integer = false;
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          columns++;
          column = rs.getString(1);
          integer = rs.getBoolean(2);
        }
      }
      return columns == 1 && integer && column != null ? column.toLowerCase(Locale.ROOT) : null;
    }
  }

  /** The child tables a write to {@code parent} reaches through referential actions. */
  private static List<String> cascadingChildren(
      DatabaseMetaData md, PreparedStatement pgCascades, String parent) throws SQLException {
    List<String> children = new ArrayList<>();
    if (pgCascades != null) {
      pgCascades.setString(1, parent);
      try (ResultSet rs = pgCascades.executeQuery()) {
        while (rs.next()) {
          children.add(rs.getString(1));
        }
      }
      return children;
    }
    try (ResultSet rs = md.getExportedKeys(null, null, parent)) {
      while (rs.next()) {
        int onDelete = rs.getInt("DELETE_RULE");
        int onUpdate = rs.getInt("UPDATE_RULE");
        String child = rs.getString("FKTABLE_NAME");
        if (child != null && (changes(onDelete) || changes(onUpdate))) {
          children.add(child);
        }
      }
    }
    return children;
  }

  private static boolean isPostgres(DatabaseMetaData md) throws SQLException {
    return "PostgreSQL".equalsIgnoreCase(md.getDatabaseProductName());
  }

  private static final Set<Integer> INTEGER_TYPES =
      Set.of(
          java.sql.Types.INTEGER,
          java.sql.Types.BIGINT,
          java.sql.Types.SMALLINT,
          java.sql.Types.TINYINT);

  /** The primary key column when the key is one integer column, else null. */
  private static String integerKey(DatabaseMetaData md, String name) throws SQLException {
    String column = null;
    int columns = 0;
    try (ResultSet rs = md.getPrimaryKeys(null, null, name)) {
      while (rs.next()) {
        columns++;
        column = rs.getString("COLUMN_NAME");
      }
    }
    if (columns != 1 || column == null) {
      return null;
    }
    try (ResultSet rs = md.getColumns(null, null, escape(name, md), escape(column, md))) {
      while (rs.next()) {
        if (!INTEGER_TYPES.contains(rs.getInt("DATA_TYPE"))) {
          return null;
        }
        return column.toLowerCase(Locale.ROOT);
      }
    }
    return null;
  }

  private static boolean changes(int rule) {
    return rule == DatabaseMetaData.importedKeyCascade
        || rule == DatabaseMetaData.importedKeySetNull
        || rule == DatabaseMetaData.importedKeySetDefault;
  }

  private static String escape(String name, DatabaseMetaData md) throws SQLException {
    String esc = md.getSearchStringEscape();
    if (esc == null || esc.isEmpty()) {
      return name;
    }
    return name.replace(esc, esc + esc).replace("_", esc + "_").replace("%", esc + "%");
  }

  /** What PostgreSQL's own catalog adds: row-level security, and inheritance either way. */
  private record PgFlags(boolean rowSecurity, boolean inherits) {}

  private static final PgFlags NOT_PG = new PgFlags(false, false);
  private static final PgFlags PG_UNKNOWN = new PgFlags(true, true);

  /**
   * Whether a PostgreSQL table of this name (in any schema) has row-level security enabled, and
   * whether it has an inheritance parent or child (a write to one changes what reads of the other
   * return: a parent's rows include its children's, and partitions are children too). Neither on
   * other systems; both when PostgreSQL cannot answer.
   */
  private static PgFlags pgFlags(Connection c, String table) {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT coalesce(bool_or(c.relrowsecurity), false), coalesce(bool_or(EXISTS ("
                + "SELECT 1 FROM pg_catalog.pg_inherits i"
                + " WHERE i.inhrelid = c.oid OR i.inhparent = c.oid)), false)"
                + " FROM pg_catalog.pg_class c WHERE lower(c.relname) = ?")) {
      ps.setString(1, table);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? new PgFlags(rs.getBoolean(1), rs.getBoolean(2)) : PG_UNKNOWN;
      }
    } catch (SQLException | RuntimeException e) {
      return PG_UNKNOWN;
    }
  }

  /**
   * Whether any of the tables a write reaches (itself and those its cascades write) has triggers: a
   * trigger on a child fires for the rows a cascade changes there. information_schema.triggers
   * exists in PostgreSQL and MySQL/MariaDB; elsewhere: assume yes. On PostgreSQL pg_trigger is
   * asked instead (the view is slow to plan on a fresh connection, 2-5 ms a table); it also lists
   * triggers on tables this user has no privilege on, which can only make the answer yes more
   * often. Internal triggers (those that enforce foreign keys) are not the application's.
   */
  private static boolean hasTriggers(Connection c, Set<String> tables, boolean postgres) {
    try (PreparedStatement ps =
        c.prepareStatement(
            postgres
                ? "SELECT count(*) FROM pg_catalog.pg_trigger t"
                    + " JOIN pg_catalog.pg_class r ON r.oid = t.tgrelid"
                    + " WHERE NOT t.tgisinternal AND lower(r.relname) = ?"
                : "SELECT count(*) FROM information_schema.triggers"
                    + " WHERE lower(event_object_table) = ?")) {
      for (String table : tables) {
        ps.setString(1, table);
        try (ResultSet rs = ps.executeQuery()) {
          if (!rs.next() || rs.getLong(1) > 0) {
            return true;
          }
        }
      }
      return false;
    } catch (SQLException | RuntimeException e) {
      return true;
    }
  }
}
