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
}
