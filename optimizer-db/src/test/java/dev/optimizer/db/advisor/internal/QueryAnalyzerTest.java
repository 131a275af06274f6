package dev.optimizer.db.advisor.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class QueryAnalyzerTest {
  static final Map<String, Set<String>> COLUMNS =
      Map.of(
          "orders", Set.of("id", "customer_id", "status", "created_at", "total"),
          "customers", Set.of("id", "email", "country"),
          "order_lines", Set.of("id", "order_id", "product_id", "quantity"));

  final QueryAnalyzer analyzer =
      new QueryAnalyzer(10_000, (schema, table) -> COLUMNS.getOrDefault(table, Set.of()));

  TableUse use(QueryShape shape, String table) {
    return shape.tables().stream().filter(u -> u.table().equals(table)).findFirst().orElseThrow();
  }

  @Test
  void equalityRangeSortAndSelectList() throws Exception {
    QueryShape s =
        analyzer.analyze(
            "SELECT id, total FROM orders WHERE customer_id = ? AND created_at >= ?"
                + " AND created_at < ? ORDER BY created_at DESC LIMIT 10");
    TableUse o = use(s, "orders");
    assertThat(s.operation()).isEqualTo("SELECT");
    assertThat(o.equality()).containsExactly("customer_id");
    assertThat(o.range()).containsExactly("created_at");
    assertThat(o.orderBy()).containsExactly("created_at");
    assertThat(o.selected()).containsExactly("id", "total");
    assertThat(o.selectsAll()).isFalse();
  }

  @Test
  void joinsResolveAliasesAndUnqualifiedColumns() throws Exception {
    QueryShape s =
        analyzer.analyze(
            "SELECT o.id, email FROM orders o JOIN customers c ON c.id = o.customer_id"
                + " WHERE c.email = ? AND status IN ('paid', 'new')");
    assertThat(use(s, "orders").joins()).containsExactly("customer_id");
    assertThat(use(s, "orders").equality()).containsExactly("status");
    assertThat(use(s, "customers").joins()).containsExactly("id");
    assertThat(use(s, "customers").equality()).containsExactly("email");
    assertThat(use(s, "customers").selected()).containsExactly("email");
  }

  @Test
  void orNegationLikeAndFunctionsAreNotIndexablePredicates() throws Exception {
    TableUse o =
        use(
            analyzer.analyze(
                "SELECT * FROM orders WHERE (status = ? OR total > ?) AND customer_id <> ?"
                    + " AND lower(status) = ? AND status NOT IN (?, ?) AND status LIKE ?"),
            "orders");
    assertThat(o.equality()).isEmpty();
    assertThat(o.range()).isEmpty();
    assertThat(o.selectsAll()).isTrue();
  }

  @Test
  void quotedIdentifiersKeepTheirCaseAndUnquotedOnesFold() throws Exception {
    TableUse u =
        analyzer
            .analyze("SELECT \"Id\" FROM \"Weird\" WHERE \"MixedCase\" = ? AND Plain = ?")
            .tables()
            .get(0);
    assertThat(u.table()).isEqualTo("Weird");
    assertThat(u.equality()).containsExactly("MixedCase", "plain");
  }

  @Test
  void writesAndSubqueries() throws Exception {
    QueryShape u = analyzer.analyze("UPDATE orders SET status = ? WHERE id = ?");
    assertThat(u.writes()).isTrue();
    assertThat(use(u, "orders").equality()).containsExactly("id");
    QueryShape d =
        analyzer.analyze(
            "DELETE FROM order_lines WHERE order_id IN (SELECT id FROM orders WHERE"
                + " customer_id = ?)");
    assertThat(use(d, "order_lines").equality()).containsExactly("order_id");
    assertThat(use(d, "orders").equality()).containsExactly("customer_id");
    QueryShape i = analyzer.analyze("INSERT INTO order_lines (order_id, quantity) VALUES (?, ?)");
    assertThat(i.operation()).isEqualTo("INSERT");
    assertThat(i.tables()).extracting(TableUse::table).containsExactly("order_lines");
  }

  @Test
  void groupByOnOneTable() throws Exception {
    TableUse o =
        use(
            analyzer.analyze(
                "SELECT customer_id, sum(total) FROM orders WHERE created_at > ? GROUP BY"
                    + " customer_id"),
            "orders");
    assertThat(o.groupBy()).containsExactly("customer_id");
    assertThat(o.selected()).containsExactly("customer_id", "total");
  }

  @Test
  void unreadableOrOversizedTextIsReportedNotThrownFromTheParser() {
    assertThatThrownBy(() -> analyzer.analyze("SELEC nothing FROM"))
        .isInstanceOf(QueryAnalyzer.Unparseable.class)
        .hasMessageContaining("parser");
    assertThatThrownBy(() -> analyzer.analyze("SELECT 1 " + " ".repeat(20_000)))
        .isInstanceOf(QueryAnalyzer.Unparseable.class)
        .hasMessageContaining("longer than");
    assertThatThrownBy(() -> analyzer.analyze("SELECT 1 FROM orders; DROP TABLE orders"))
        .isInstanceOf(QueryAnalyzer.Unparseable.class)
        .hasMessageContaining("several statements");
    assertThatCode(() -> analyzer.analyze("SELECT id FROM orders WHERE id = ?; \n"))
        .doesNotThrowAnyException();
    assertThatThrownBy(() -> analyzer.analyze("CREATE TABLE t (a int)"))
        .isInstanceOf(QueryAnalyzer.Unparseable.class)
        .hasMessageContaining("not a SELECT");
  }

  /**
   * The reason goes to the advisor's report, and the text is the application's own, literals and
   * all: the parser's message names the token it stumbled on, which may be a value (a PostgreSQL
   * typed literal such as {@code jsonb '..'} is one it cannot read). A keyword is still named.
   */
  @Test
  void theReasonForAnUnreadableTextHoldsNoValueOfIt() {
    for (String sql :
        new String[] {
          "SELECT id FROM orders WHERE status = jsonb '{\"token\":\"s3cr3t\"}'",
          "SELECT id FROM orders WHERE status = inet 's3cr3t'",
          "SELECT id FROM orders WHERE status = 'x' 's3cr3t'",
          "SELECT id FROM orders WHERE status = 's3cr3t",
          "SELECT id FROM orders WHERE id = 1 41111111",
        }) {
      assertThatThrownBy(() -> analyzer.analyze(sql))
          .isInstanceOf(QueryAnalyzer.Unparseable.class)
          .hasMessageContaining("parser")
          .hasMessageNotContaining("s3cr3t")
          .hasMessageNotContaining("41111111");
    }
    assertThatThrownBy(() -> analyzer.analyze("SELECT id FROM orders WHERE status = ? ESCAPE ?"))
        .hasMessageContaining("\"ESCAPE\"");
    assertThat(QueryAnalyzer.withoutValues("token: \"\\'a\\\"b\\'\" <S_CHAR_LITERAL> after \"'c"))
        .isEqualTo("token: \"?\" <S_CHAR_LITERAL> after \"?\"");
  }

  @Test
  void aNestedPostgresqlCommentIsNotReadAsSql() throws Exception {
    // To PostgreSQL the comment runs to the last "*/", JOIN and all; JSqlParser alone ends it at
    // the first one and reads "JOIN customers ... */" as SQL, which it cannot parse.
    QueryShape s =
        analyzer.analyze(
            "SELECT id FROM orders /* outer /* inner */ JOIN customers"
                + " ON customers.id = orders.customer_id */ WHERE customer_id = ?"
                + " ORDER BY created_at");
    assertThat(s.tables()).extracting(TableUse::table).containsExactly("orders");
    assertThat(use(s, "orders").equality()).containsExactly("customer_id");
    assertThat(use(s, "orders").orderBy()).containsExactly("created_at");
  }

  @Test
  void mariaDbCommentsDoNotNest() throws Exception {
    QueryAnalyzer mariaDb =
        new QueryAnalyzer(
            10_000,
            (schema, table) -> COLUMNS.getOrDefault(table, Set.of()),
            dev.optimizer.db.internal.sql.SqlDialect.MYSQL);
    // MariaDB ends the comment at the first "*/": the WHERE clause is SQL to it.
    String sql = "SELECT id FROM orders /* a /* b */ WHERE customer_id = ?";
    assertThat(use(mariaDb.analyze(sql), "orders").equality()).containsExactly("customer_id");
    // To PostgreSQL the same text is one unclosed comment from "/* a" on.
    assertThat(use(analyzer.analyze(sql), "orders").equality()).isEmpty();
  }
}
