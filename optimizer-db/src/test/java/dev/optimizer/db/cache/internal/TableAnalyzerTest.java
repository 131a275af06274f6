package dev.optimizer.db.cache.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.optimizer.db.cache.internal.StatementTables.Kind;
import dev.optimizer.db.internal.Fingerprints;
import dev.optimizer.db.internal.StatementKey;
import dev.optimizer.db.internal.sql.SqlDialect;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** What the cache reads from a statement's text: its kind, its tables, its determinism. */
class TableAnalyzerTest {
  private static final Function<String, StatementKey> PG =
      Fingerprints.forDialect(SqlDialect.POSTGRESQL, 65536);

  private static StatementTables analyze(String sql) {
    return TableAnalyzer.analyze(PG.apply(sql));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "SELECT * FROM users WHERE id = 1 | users",
        "SELECT u.name FROM public.\"Users\" u JOIN orders o ON o.uid = u.id | users,orders",
        "SELECT * FROM a WHERE id IN (SELECT a_id FROM b) | a,b",
        "WITH r AS (SELECT * FROM orders) SELECT * FROM r | orders",
        "SELECT a FROM x UNION ALL SELECT a FROM y | x,y",
        // ANY, ALL, SOME, ARRAY and ROW before a parenthesis are syntax, not function calls.
        "SELECT * FROM orders WHERE id = ANY(?) | orders",
        "SELECT * FROM orders WHERE id = any (?::bigint[]) | orders",
        "SELECT * FROM orders WHERE id <> ALL(?) | orders",
        "SELECT * FROM orders WHERE id = SOME(?) | orders",
        "SELECT * FROM a WHERE id = ANY(ARRAY(SELECT a_id FROM b)) | a,b",
        "SELECT * FROM a WHERE (id, v) = ROW(?, ?) | a",
      })
  void cacheableQueriesNameTheirTables(String sql, String tables) {
    StatementTables t = analyze(sql);
    assertThat(t.kind()).isEqualTo(Kind.READ);
    assertThat(t.notCacheable()).isNull();
    assertThat(t.tables()).isEqualTo(Set.of(tables.split(",")));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "SELECT now()",
        "SELECT * FROM t WHERE at > now() - interval '1 day'",
        "SELECT * FROM t WHERE at > CURRENT_TIMESTAMP",
        "SELECT random() FROM t",
        "SELECT nextval('s') FROM t",
        "SELECT * FROM t FOR UPDATE",
        "SELECT * FROM t FOR SHARE",
        "SELECT * FROM t TABLESAMPLE SYSTEM (10)",
        "SELECT 1",
        "SELECT pg_sleep(1) FROM t",
      })
  void nonDeterministicOrLockingQueriesAreNotCacheable(String sql) {
    StatementTables t = analyze(sql);
    assertThat(t.kind()).isEqualTo(Kind.READ);
    assertThat(t.notCacheable()).isNotNull();
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "INSERT INTO users (id) VALUES (1) | users",
        "UPDATE accounts SET b = b - 1 WHERE id = 7 | accounts",
        "DELETE FROM sessions WHERE id = 3 | sessions",
        "UPDATE t SET x = s.x FROM s WHERE t.id = s.id | t,s",
        "TRUNCATE TABLE a | a",
        "DELETE FROM sessions WHERE id = ANY(?) | sessions",
      })
  void writesNameTheTablesTheyChange(String sql, String tables) {
    StatementTables t = analyze(sql);
    assertThat(t.kind()).isEqualTo(Kind.WRITE);
    assertThat(t.tables()).containsAll(Set.of(tables.split(",")));
  }

  @org.junit.jupiter.api.Test
  void aDataModifyingWithIsAWrite() {
    // JSqlParser does not name these tables: the cache invalidates everything instead.
    assertThat(
            analyze("WITH d AS (DELETE FROM q RETURNING *) INSERT INTO archive SELECT * FROM d")
                .kind())
        .isIn(Kind.WRITE_ALL, Kind.WRITE);
    assertThat(analyze("WITH d AS (DELETE FROM q RETURNING *) SELECT * FROM d").kind())
        .isIn(Kind.WRITE_ALL, Kind.WRITE);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "CREATE TABLE x (id int)",
        "ALTER TABLE x ADD COLUMN y int",
        "DROP TABLE x",
        "EXPLAIN ANALYZE DELETE FROM t",
        "EXPLAIN ANALYSE DELETE FROM t",
        "EXPLAIN (ANALYSE, BUFFERS) UPDATE t SET x = 1",
        "TRUNCATE a CASCADE",
        "TRUNCATE TABLE a, b RESTART IDENTITY CASCADE",
        "SELECT * INTO newt FROM t",
        "this is not sql at all",
      })
  void whatMayChangeAnythingInvalidatesEverything(String sql) {
    assertThat(analyze(sql).kind()).isEqualTo(Kind.WRITE_ALL);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "SET search_path = other | SESSION",
        "SELECT set_config('search_path', 'tenant_b', false) | SESSION",
        "SELECT SET_CONFIG ('app.tenant', ?, true) | SESSION",
        "UPDATE t SET x = set_config('role', 'r', false) | WRITE_ALL_SESSION",
        "BEGIN | BEGIN",
        "COMMIT | COMMIT",
        "ROLLBACK | ROLLBACK",
        "ROLLBACK TO SAVEPOINT a | NEUTRAL",
        "SHOW server_version | NEUTRAL",
        "BEGIN; UPDATE items SET price = 9 WHERE id = 1; COMMIT | SEVERAL",
        "SET x = 1; DELETE FROM items | SEVERAL",
        "SELECT 1; TRUNCATE items | WRITE_ALL",
        "CREATE TABLE a (id int); INSERT INTO a SELECT g FROM generate_series(1, 5) g | WRITE_ALL",
        "CREATE TEMP TABLE s (id int); SELECT 1 | SEVERAL",
        "SELECT 1; SELECT set_config('search_path', 'b', false) | SEVERAL",
        "INSERT INTO a VALUES (1); ROLLBACK | SEVERAL",
        "SELECT 'a;b' FROM t -- c; | READ",
        "SELECT 1; | READ",
      })
  void sessionAndTransactionStatementsAreRecognised(String sql, Kind kind) {
    assertThat(analyze(sql).kind()).isEqualTo(kind);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "CREATE TEMP TABLE scratch (id int)",
        "CREATE TEMPORARY TABLE IF NOT EXISTS public.scratch AS SELECT 1",
        "SELECT * INTO TEMP scratch FROM t",
        "SELECT id, name INTO TEMPORARY TABLE scratch FROM t WHERE id = 1",
        "SELECT 1 AS a INTO LOCAL TEMPORARY \"Scratch\"",
        "SELECT * INTO GLOBAL TEMP TABLE scratch FROM t",
      })
  void temporaryTablesAreRemembered(String sql) {
    StatementTables t = analyze(sql);
    assertThat(t.temporaryTable()).isEqualTo("scratch");
    assertThat(t.kind()).isEqualTo(Kind.WRITE_ALL);
  }

  private static final Function<String, StatementKey> MYSQL =
      Fingerprints.forDialect(SqlDialect.MYSQL, 65536);

  /**
   * A MySQL user variable set without a SET ({@code @v := ..}, {@code INTO @v}) is in no cache key:
   * a query that reads or sets one is not cached; {@code INTO @v} creates no table.
   */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "SELECT id FROM t WHERE id = @v",
        "SELECT id FROM t WHERE id = @`v`",
        "SELECT id FROM t WHERE id = @'v'",
        "SELECT id FROM t WHERE id = @\"v\"",
        "SELECT id FROM t WHERE id=@v",
        "SELECT id FROM t WHERE id<@v",
        "SELECT id FROM t WHERE id<=@v OR id>-@v",
        "SELECT @v := id FROM t WHERE id = 1",
        "SELECT id INTO @v FROM t WHERE id = 1",
        "SELECT id FROM t WHERE id = 1 INTO @v",
        "SELECT * FROM t WHERE id IN (SELECT x FROM u WHERE y = @v)",
      })
  void queriesOfUserVariablesAreNotCached(String sql) {
    StatementTables t = TableAnalyzer.analyze(MYSQL.apply(sql));
    assertThat(t.kind()).as(MYSQL.apply(sql).text()).isEqualTo(Kind.READ);
    assertThat(t.notCacheable()).as(MYSQL.apply(sql).text()).isNotNull();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "SELECT id FROM t WHERE tags @> ?",
        "SELECT id FROM t WHERE ? <@ tags",
        "SELECT id FROM t WHERE doc @@ to_tsquery(?)",
      })
  void postgresOperatorsAreNotUserVariables(String sql) {
    StatementTables t = analyze(sql);
    assertThat(t.notCacheable())
        .as(PG.apply(sql).text())
        .isNotEqualTo("reads or sets a user variable");
  }

  @ParameterizedTest
  @ValueSource(strings = {"SELECT @@sql_mode, id FROM t", "SELECT id FROM t WHERE x = @@max_x"})
  void systemVariablesAreNotUserVariables(String sql) {
    StatementTables t = TableAnalyzer.analyze(MYSQL.apply(sql));
    assertThat(t.notCacheable())
        .as(MYSQL.apply(sql).text())
        .isNotEqualTo("reads or sets a user variable");
  }

  /**
   * A function of the application may write any table or change the session, which the text does
   * not show: such a statement is never cached, invalidates everything and leaves its connection
   * out of the cache until its session is seen unchanged.
   */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "SELECT bump(?)",
        "SELECT id, item_count(id) FROM orders WHERE id = ?",
        "SELECT * FROM my_rows(?)",
        "SELECT app.lower(name) FROM t",
        "SELECT sum(x) OVER (), my_agg(x) OVER () FROM t",
        "UPDATE t SET x = bump(x) WHERE id = ?",
        "DELETE FROM t WHERE id = purge_id(?)",
        "SELECT * FROM t WHERE id = ANY(my_ids(?))",
        "SELECT * FROM \"any\"(?)",
        "CALL refresh(1)",
        "DO $$ BEGIN END $$",
        "FETCH 10 FROM c",
        "DISCARD ALL",
      })
  void callsOfUnknownFunctionsWriteEverythingAndMayChangeTheSession(String sql) {
    assertThat(analyze(sql).kind()).isEqualTo(Kind.WRITE_ALL_MAYBE_SESSION);
  }

  @Test
  void setConfigBesideAnUnknownFunctionChangesTheSession() {
    assertThat(analyze("SELECT set_config('app.tenant', ?, false), bump(?)").kind())
        .isEqualTo(Kind.WRITE_ALL_SESSION);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "SELECT count(*), coalesce(max(x), 0), lower(name) FROM t GROUP BY name | READ",
        "SELECT pg_catalog.upper(name), row_number() OVER (ORDER BY id) FROM t | READ",
        "SELECT pg_advisory_lock(?) | READ",
        "INSERT INTO t (id, at) VALUES (nextval('s'), now()) | WRITE",
      })
  void builtInFunctionsAreKnown(String sql, Kind kind) {
    assertThat(analyze(sql).kind()).isEqualTo(kind);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "SELECT bump(?) FROM t | true",
        "SELECT s.\"Bump\"(?) FROM t | true",
        "INSERT INTO t(a, b) VALUES (?, ?) | false",
        "WITH r(a, b) AS (SELECT ?) SELECT COUNT(*) FROM r | false",
        "SELECT CAST(a AS numeric(?, ?)) FROM t WHERE id IN (?) AND EXISTS(SELECT ?) | false",
      })
  void unparsedTextIsSearchedForCalls(String text, boolean calls) {
    assertThat(SqlFunctions.mayCallUnknown(text)).isEqualTo(calls);
  }
}
