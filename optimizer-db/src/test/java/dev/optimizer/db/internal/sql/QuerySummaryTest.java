package dev.optimizer.db.internal.sql;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Operation, collection and {@code db.query.summary}, including the convention's examples. */
class QuerySummaryTest {

  private static final Fingerprinter POSTGRESQL = Fingerprinter.create(SqlDialect.POSTGRESQL);

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '~',
      value = {
        // The examples of the OpenTelemetry database span conventions.
        "SELECT * FROM wuser_table WHERE username = ?"
            + " | SELECT | wuser_table | SELECT wuser_table",
        "INSERT INTO shipping_details (order_id, address) SELECT order_id, address FROM orders"
            + " WHERE order_id = ? | INSERT | shipping_details | INSERT shipping_details SELECT orders",
        "SELECT * FROM songs, artists WHERE songs.artist_id = artists.id"
            + " | SELECT | | SELECT songs artists",
        "SELECT order_date FROM (SELECT * FROM orders o JOIN customers c"
            + " ON o.customer_id = c.customer_id) | SELECT | | SELECT SELECT orders customers",
        "SELECT * FROM \"song list\", public.\"Artists\" | SELECT | | SELECT \"song list\" public.\"Artists\"",
        // Our own.
        "select * from users where id = 1 | SELECT | users | SELECT users",
        "SELECT * FROM public.users u WHERE u.id IN (SELECT user_id FROM sessions)"
            + " | SELECT | public.users | SELECT public.users SELECT sessions",
        "UPDATE accounts SET balance = balance - 5 WHERE id = 7 | UPDATE | accounts | UPDATE accounts",
        "UPDATE t SET x = s.x FROM s WHERE t.id = s.id | UPDATE | | UPDATE t s",
        "DELETE FROM sessions WHERE expires < now() | DELETE | sessions | DELETE sessions",
        "DELETE FROM t USING u WHERE t.id = u.id | DELETE | | DELETE t u",
        "INSERT INTO t VALUES (1) ON CONFLICT (id) DO UPDATE SET x = 2 | INSERT | t | INSERT t",
        "MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN UPDATE SET x = 1"
            + " WHEN NOT MATCHED THEN INSERT (id) VALUES (s.id) | MERGE | | MERGE t s",
        "WITH recent AS (SELECT * FROM orders) SELECT * FROM recent"
            + " | SELECT | | SELECT orders SELECT recent",
        "WITH d AS (DELETE FROM q RETURNING *) INSERT INTO archive SELECT * FROM d"
            + " | INSERT | archive | DELETE q INSERT archive SELECT d",
        "SELECT a FROM x UNION ALL SELECT a FROM y | SELECT | | SELECT x SELECT y",
        "SELECT * FROM a LEFT JOIN b ON a.id = b.id | SELECT | | SELECT a b",
        "SELECT extract(year FROM ts), substring(s FROM 2) FROM events | SELECT | events | SELECT events",
        "SELECT * FROM t FOR UPDATE | SELECT | t | SELECT t",
        "CALL refresh_stats(1) | CALL | | CALL refresh_stats",
        "{call proc(?)} | CALL | | CALL proc",
        "{? = call fn(?)} | CALL | | CALL fn",
        "CREATE TABLE IF NOT EXISTS foo (id int) | CREATE TABLE | foo | CREATE TABLE foo",
        "CREATE UNIQUE INDEX CONCURRENTLY idx ON t (a) | CREATE INDEX | idx | CREATE INDEX idx",
        "DROP TABLE IF EXISTS bar | DROP TABLE | bar | DROP TABLE bar",
        "TRUNCATE TABLE a, b | TRUNCATE | | TRUNCATE a b",
        "EXPLAIN ANALYZE SELECT * FROM t | EXPLAIN | | EXPLAIN SELECT t",
        "BEGIN | BEGIN | | BEGIN",
        "SET search_path = public | SET | | SET",
        "(SELECT 1 FROM a) UNION (SELECT 2 FROM b) | SELECT | | SELECT a SELECT b",
      })
  void summarizes(String sql, String operation, String collection, String summary) {
    Fingerprint fingerprint = POSTGRESQL.fingerprint(sql);

    assertThat(fingerprint.operation()).isEqualTo(operation);
    assertThat(fingerprint.collection()).isEqualTo(Optional.ofNullable(collection));
    assertThat(fingerprint.querySummary()).isEqualTo(summary);
  }

  @Test
  void mysqlForms() {
    Fingerprinter mysql = Fingerprinter.create(SqlDialect.MYSQL);

    assertThat(mysql.fingerprint("INSERT IGNORE INTO `logs` SET msg = 'x'").querySummary())
        .isEqualTo("INSERT `logs`");
    assertThat(mysql.fingerprint("REPLACE INTO t (a) VALUES (1)").querySummary())
        .isEqualTo("REPLACE t");
    assertThat(mysql.fingerprint("UPDATE a, b SET a.x = b.y WHERE a.id = b.id").querySummary())
        .isEqualTo("UPDATE a b");
    assertThat(mysql.fingerprint("INSERT INTO t (a) VALUES (1) ON DUPLICATE KEY UPDATE a = 2"))
        .satisfies(f -> assertThat(f.querySummary()).isEqualTo("INSERT t"))
        .satisfies(f -> assertThat(f.collection()).contains("t"));
  }

  @Test
  void aSummaryStopsAt255CharactersBetweenNames() {
    String tables =
        IntStream.range(0, 40).mapToObj(i -> "table_number_" + i).collect(Collectors.joining(", "));

    String summary = POSTGRESQL.fingerprint("SELECT * FROM " + tables).querySummary();

    assertThat(summary).hasSizeLessThanOrEqualTo(255).startsWith("SELECT table_number_0 ");
    assertThat(summary.split(" "))
        .allMatch(part -> part.equals("SELECT") || part.matches("table_number_\\d+"));
  }

  @Test
  void aSummaryNeverHoldsALiteral() {
    Fingerprint fingerprint =
        POSTGRESQL.fingerprint("SELECT 'secret' FROM (SELECT 42) x, y WHERE z = 'other'");

    assertThat(fingerprint.querySummary()).isEqualTo("SELECT SELECT y");
  }
}
