package dev.optimizer.db.internal.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Table-driven normalization cases: each dialect's literal, quoting and comment syntax. */
class NormalizationTest {

  private static final Fingerprinter POSTGRESQL = Fingerprinter.create(SqlDialect.POSTGRESQL);
  private static final Fingerprinter MYSQL = Fingerprinter.create(SqlDialect.MYSQL);
  private static final Fingerprinter H2 = Fingerprinter.create(SqlDialect.H2);
  private static final Fingerprinter GENERIC = Fingerprinter.create(SqlDialect.GENERIC);

  static Stream<Arguments> postgresql() {
    return Stream.of(
        arguments("SELECT * FROM users WHERE id = 42", "SELECT * FROM users WHERE id = ?"),
        arguments("SELECT 'it''s', 'a\\' FROM t", "SELECT ?, ? FROM t"),
        arguments("SELECT E'it\\'s', e'\\\\', E'x''y' FROM t", "SELECT ?, ?, ? FROM t"),
        arguments("SELECT $$a $ b $x$$ FROM t", "SELECT ? FROM t"),
        arguments("SELECT $fn$ body $$ inner $$ $f $fn$ FROM t", "SELECT ? FROM t"),
        arguments("SELECT $a$x$b$y$b$z$a$, $1 FROM t", "SELECT ?, ? FROM t"),
        arguments(
            "SELECT U&'d\\0061t', U&\"Col\", B'1010', X'1F', N'n' FROM t",
            "SELECT ?, U&\"Col\", ?, ?, ? FROM t"),
        arguments(
            "SELECT 1e10, 1.5E-3, .5, 1., 0x1F, 0b101, 0o17, 1_000_000",
            "SELECT ?, ?, ?, ?, ?, ?, ?, ?"),
        arguments("SELECT /* a /* nested */ still comment */ 1", "SELECT ?"),
        arguments("SELECT 1 -- trailing\n, 2", "SELECT ?, ?"),
        arguments(
            "SELECT x::int, '2024-01-01'::date, $1::text[] FROM t",
            "SELECT x::int, ?::date, ?::text[] FROM t"),
        arguments(
            "SELECT * FROM t WHERE a = $1 AND b = $12 AND c = :name AND d = ?",
            "SELECT * FROM t WHERE a = ? AND b = ? AND c = ? AND d = ?"),
        arguments(
            "SELECT * FROM t WHERE x = -1 AND y = +2.5 AND z > - 3",
            "SELECT * FROM t WHERE x = ? AND y = ? AND z > ?"),
        arguments(
            "SELECT x - 1, x-1, x -1, (x)-1, -x FROM t",
            "SELECT x - ?, x - ?, x - ?, (x) - ?, - x FROM t"),
        arguments(
            "SELECT t1.col2, tab3 FROM t1 WHERE t1.col2 = 5",
            "SELECT t1.col2, tab3 FROM t1 WHERE t1.col2 = ?"),
        arguments("SELECT * FROM t LIMIT 10 OFFSET 20", "SELECT * FROM t LIMIT ? OFFSET ?"),
        arguments("SELECT * FROM t WHERE id IN (1, 2, 3)", "SELECT * FROM t WHERE id IN (?)"),
        arguments(
            "SELECT * FROM t WHERE id NOT IN ($1, $2) AND s IN ('a')",
            "SELECT * FROM t WHERE id NOT IN (?) AND s IN (?)"),
        arguments(
            "SELECT * FROM t WHERE id IN (SELECT id FROM u WHERE v = 1)",
            "SELECT * FROM t WHERE id IN (SELECT id FROM u WHERE v = ?)"),
        arguments("SELECT * FROM t WHERE id IN (1, x, 3)", "SELECT * FROM t WHERE id IN (?, x, ?)"),
        arguments(
            "SELECT * FROM t WHERE (a, b) IN ((1, 2), (3, 4), (5, 6))",
            "SELECT * FROM t WHERE (a, b) IN ((?, ?))"),
        arguments(
            "SELECT * FROM t WHERE x = ANY(ARRAY[1, 2, 3])",
            "SELECT * FROM t WHERE x = ANY(ARRAY[?])"),
        arguments(
            "INSERT INTO t (a, b) VALUES (1, 'x'), (2, 'y'), (3, 'z')",
            "INSERT INTO t(a, b) VALUES (?, ?)"),
        arguments(
            "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4) RETURNING id",
            "INSERT INTO t(a, b) VALUES (?, ?) RETURNING id"),
        arguments(
            "INSERT INTO t (a, b) VALUES (1, DEFAULT), (2, 3), (4, DEFAULT)",
            "INSERT INTO t(a, b) VALUES (?, DEFAULT), (?, ?)"),
        arguments(
            "UPDATE t SET flag = TRUE, gone = NULL WHERE x IS NULL AND y IS NOT TRUE",
            "UPDATE t SET flag = ?, gone = ? WHERE x IS NULL AND y IS NOT TRUE"),
        arguments(
            "select ID, \"Name\" from \"Users\" where \"Name\" = 'x'",
            "SELECT ID, \"Name\" FROM \"Users\" WHERE \"Name\" = ?"),
        arguments(
            "SELECT count(*), COUNT(DISTINCT a), coalesce(b, 0) FROM t",
            "SELECT COUNT(*), COUNT(DISTINCT a), COALESCE(b, ?) FROM t"),
        arguments(
            "SELECT data->>'name', data #> '{a,b}' FROM t WHERE data @> '{}'",
            "SELECT data ->> ?, data #> ? FROM t WHERE data @> ?"),
        arguments("SELECT now() - interval '1 day'", "SELECT NOW() - INTERVAL ?"),
        arguments("SELECT 1;", "SELECT ?"),
        arguments("-1", "?"),
        arguments("- x", "- x"),
        arguments("SELECT 1; SELECT 2", "SELECT ?; SELECT ?"));
  }

  static Stream<Arguments> mysql() {
    return Stream.of(
        arguments(
            "SELECT * FROM `users` WHERE `name` = 'bob'", "SELECT * FROM `users` WHERE `name` = ?"),
        arguments("SELECT 'it\\'s', 'a\\\\', 'x''y', '\\\\' FROM t", "SELECT ?, ?, ?, ? FROM t"),
        arguments("SELECT \"bob\", \"say \\\"hi\\\"\", \"a\"\"b\" FROM t", "SELECT ?, ?, ? FROM t"),
        arguments("SELECT 1 # comment\n, 2 -- comment\n, 3", "SELECT ?, ?, ?"),
        arguments("SELECT 5 --1", "SELECT ? - ?"),
        arguments(
            "SELECT /*! STRAIGHT_JOIN */ a FROM t /*+ BKA(t) */ WHERE b = /*!80000 5 */ 1",
            "SELECT STRAIGHT_JOIN a FROM t WHERE b = ? ?"),
        arguments(
            "SELECT _utf8mb4'abc', X'1F', 0x1F, b'101', N'n' FROM 2fa_codes",
            "SELECT ?, ?, ?, ?, ? FROM 2fa_codes"),
        arguments(
            "SELECT @v, @@session.sql_mode, a$b FROM t",
            "SELECT @v, @@session.sql_mode, a$b FROM t"),
        // "=@v" is "=" and the variable @v, not an operator "=@".
        arguments(
            "SELECT * FROM t WHERE a=@v AND b<@w AND c:=@@x",
            "SELECT * FROM t WHERE a = @v AND b < @w AND c := @@x"),
        arguments(
            "SELECT * FROM t WHERE id = :id AND s IN (?, ?, ?)",
            "SELECT * FROM t WHERE id = ? AND s IN (?)"),
        arguments(
            "INSERT INTO t (a) VALUES (1), (2) ON DUPLICATE KEY UPDATE a = VALUES(a)",
            "INSERT INTO t(a) VALUES (?) ON DUPLICATE KEY UPDATE a = VALUES (a)"),
        arguments("SELECT * FROM t LIMIT 20, 10", "SELECT * FROM t LIMIT ?, ?"));
  }

  static Stream<Arguments> h2() {
    return Stream.of(
        arguments(
            "SELECT * FROM \"Users\" WHERE x = $$it's$$ // comment",
            "SELECT * FROM \"Users\" WHERE x = ?"),
        arguments(
            "SELECT ?1, ?2 FROM t WHERE a = 'x''y' AND b = X'ff'",
            "SELECT ?, ? FROM t WHERE a = ? AND b = ?"),
        arguments("SELECT 'a\\' , 1", "SELECT ?, ?"));
  }

  static Stream<Arguments> generic() {
    return Stream.of(
        arguments("SELECT \"id\", 'it''s', 'a\\' FROM t -- c", "SELECT \"id\", ?, ? FROM t"),
        arguments("SELECT `id` FROM t WHERE x = :x", "SELECT `id` FROM t WHERE x = ?"),
        arguments("{call proc(?, 'x')}", "{ CALL proc(?, ?) }"));
  }

  @ParameterizedTest
  @MethodSource("postgresql")
  void postgresql(String sql, String expected) {
    assertThat(POSTGRESQL.fingerprint(sql).normalizedText()).isEqualTo(expected);
  }

  @ParameterizedTest
  @MethodSource("mysql")
  void mysql(String sql, String expected) {
    assertThat(MYSQL.fingerprint(sql).normalizedText()).isEqualTo(expected);
  }

  @ParameterizedTest
  @MethodSource("h2")
  void h2(String sql, String expected) {
    assertThat(H2.fingerprint(sql).normalizedText()).isEqualTo(expected);
  }

  @ParameterizedTest
  @MethodSource("generic")
  void generic(String sql, String expected) {
    assertThat(GENERIC.fingerprint(sql).normalizedText()).isEqualTo(expected);
  }

  static Stream<Arguments> sameStatement() {
    return Stream.of(
        arguments(
            SqlDialect.POSTGRESQL,
            "SELECT a, b FROM t WHERE id = 1 AND s IN (1, 2)",
            "select  a,b\n\tfrom t /* why */ where id=$1 and s in ( $2 ) -- note\n;"),
        arguments(
            SqlDialect.POSTGRESQL,
            "INSERT INTO t (a, b) VALUES (1, 'x')",
            "insert into t(a,b) values (1,'x'),(2,'y'),(3 , 'z');"),
        arguments(
            SqlDialect.MYSQL,
            "SELECT * FROM `t` WHERE a = 'x' LIMIT 5",
            "select * # all\nfrom `t` where a=\"y\" limit 10"),
        arguments(
            SqlDialect.H2,
            "SELECT * FROM t WHERE a = 1",
            "select /* c */ * from t // x\nwhere a = ?1"));
  }

  @ParameterizedTest
  @MethodSource("sameStatement")
  void whitespaceCommentsCaseAndLiteralsDoNotChangeTheFingerprint(
      SqlDialect dialect, String a, String b) {
    Fingerprinter fingerprinter = Fingerprinter.create(dialect);
    assertThat(fingerprinter.fingerprint(b)).isEqualTo(fingerprinter.fingerprint(a));
    assertThat(fingerprinter.fingerprint(b).id()).isEqualTo(fingerprinter.fingerprint(a).id());
  }

  @Test
  void inListOfLiteralsAndInSubqueryDiffer() {
    assertThat(POSTGRESQL.fingerprint("SELECT * FROM t WHERE id IN (1, 2)").id())
        .isNotEqualTo(POSTGRESQL.fingerprint("SELECT * FROM t WHERE id IN (SELECT 1)").id());
  }

  @Test
  void unterminatedInputLexesToTheEndAsALiteral() {
    assertThat(POSTGRESQL.fingerprint("SELECT 'secret AND x = 1").normalizedText())
        .isEqualTo("SELECT ?");
    assertThat(POSTGRESQL.fingerprint("SELECT $tag$ secret").normalizedText())
        .isEqualTo("SELECT ?");
    assertThat(POSTGRESQL.fingerprint("SELECT 1 /* /* */ secret").normalizedText())
        .isEqualTo("SELECT ?");
    assertThat(MYSQL.fingerprint("SELECT \"secret \\\" x").normalizedText()).isEqualTo("SELECT ?");
    assertThat(POSTGRESQL.fingerprint("SELECT \"unclosed identifier").normalizedText())
        .isEqualTo("SELECT \"unclosed identifier");
  }
}
