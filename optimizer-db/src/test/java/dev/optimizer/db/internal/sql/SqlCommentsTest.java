package dev.optimizer.db.internal.sql;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** Comments dropped as each database reads them, for a parser that reads them otherwise. */
class SqlCommentsTest {
  @Test
  void postgresqlBlockCommentsNest() {
    assertThat(
            SqlComments.strip(
                "SELECT id FROM orders /* a /* b */ JOIN c ON c.id = orders.c */ WHERE id = ?",
                SqlDialect.POSTGRESQL))
        .isEqualTo("SELECT id FROM orders WHERE id = ?");
  }

  @Test
  void mariaDbBlockCommentsEndAtTheFirstClose() {
    // MariaDB and MySQL do not nest: "WHERE id = ?" is SQL to them.
    assertThat(
            SqlComments.strip("SELECT id FROM orders /* a /* b */ WHERE id = ?", SqlDialect.MYSQL))
        .isEqualTo("SELECT id FROM orders WHERE id = ?");
    assertThat(SqlComments.strip("SELECT 1 # c\n, 2 -- d\n", SqlDialect.MYSQL))
        .isEqualTo("SELECT 1 , 2");
    // A version comment's content is run by the server: it is SQL.
    assertThat(SqlComments.strip("SELECT /*!50000 SQL_NO_CACHE */ id FROM t", SqlDialect.MYSQL))
        .isEqualTo("SELECT SQL_NO_CACHE id FROM t");
  }

  @Test
  void stringsAndQuotedNamesAreKeptAsWritten() {
    assertThat(
            SqlComments.strip(
                "SELECT '/* x */', \"a -- b\", $$ /* $$ FROM t -- end", SqlDialect.POSTGRESQL))
        .isEqualTo("SELECT '/* x */', \"a -- b\", $$ /* $$ FROM t");
  }

  @Provide
  Arbitrary<String[]> statements() {
    return SqlGenerators.dialects()
        .flatMap(
            dialect ->
                SqlGenerators.templates()
                    .flatMap(t -> SqlGenerators.render(dialect, t, true))
                    .map(r -> new String[] {dialect.name(), r.sql()}));
  }

  @Property(tries = 400, seed = "4242")
  void strippingChangesNothingTheDatabaseReadsAndIsIdempotent(
      @ForAll("statements") String[] statement) {
    SqlDialect dialect = SqlDialect.valueOf(statement[0]);
    String sql = statement[1];
    String stripped = SqlComments.strip(sql, dialect);
    Fingerprinter f = Fingerprinter.builder(dialect).cacheSize(0).build();

    assertThat(f.fingerprint(stripped).normalizedText())
        .as("%s in %s", sql, dialect)
        .isEqualTo(f.fingerprint(sql).normalizedText());
    assertThat(SqlComments.strip(stripped, dialect)).isEqualTo(stripped);
  }
}
