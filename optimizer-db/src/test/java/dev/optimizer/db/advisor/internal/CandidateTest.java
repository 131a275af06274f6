package dev.optimizer.db.advisor.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

class CandidateTest {
  @Test
  void identifiersAreAlwaysQuoted() {
    Candidate c =
        new Candidate("my schema", "Order\"Lines", List.of("a\"b", "select"), List.of("x y"));
    assertThat(c.ddl(true))
        .startsWith("CREATE INDEX CONCURRENTLY \"opt_order_lines_a_b_select_incl_")
        .endsWith(
            " ON \"my schema\".\"Order\"\"Lines\" (\"a\"\"b\", \"select\") INCLUDE (\"x y\")");
    assertThat(c.mysqlDdl(true))
        .startsWith("ALTER TABLE `my schema`.`Order\"Lines` ADD INDEX `opt_")
        .endsWith("(`a\"b`, `select`), ALGORITHM=INPLACE, LOCK=NONE");
  }

  /** Whatever the names, the index name is a plain identifier of at most 63 bytes. */
  @Property(tries = 300)
  void indexNamesArePlainAndShort(
      @ForAll @StringLength(min = 1, max = 80) String table,
      @ForAll @StringLength(min = 1, max = 80) String column) {
    String name = new Candidate("public", table, List.of(column), List.of()).indexName();
    assertThat(name).matches("[a-z0-9_]+").hasSizeLessThanOrEqualTo(63).startsWith("opt_");
  }

  @Test
  void equalityBeforeRangeAndNothingOnLowSelectivityOrServedColumns() {
    TableInfo t =
        new TableInfo(
            "public",
            "orders",
            300_000,
            1 << 24,
            Set.of("id", "customer_id", "status", "created_at", "total"),
            List.of(
                new ExistingIndex(
                    "public",
                    "orders_pkey",
                    "orders",
                    List.of("id"),
                    true,
                    true,
                    true,
                    true,
                    0,
                    1)),
            Map.of(
                "customer_id", new TableInfo.ColumnStats(90_000, 0.001),
                "status", new TableInfo.ColumnStats(5, 0.2),
                "created_at", new TableInfo.ColumnStats(300_000, 0.0001),
                "id", new TableInfo.ColumnStats(300_000, 0.0001)));
    TableUse use = new TableUse(null, "orders");
    use.equality.add("status");
    use.equality.add("customer_id");
    use.range.add("created_at");
    use.selected.add("total");

    List<Candidate> candidates = new CandidateGenerator(100, 0.5, 3, 3).candidates(use, t, true);

    assertThat(candidates)
        .extracting(Candidate::key)
        .contains(List.of("customer_id", "created_at"), List.of("created_at"))
        .noneMatch(k -> k.contains("status"));
    assertThat(candidates)
        .anyMatch(
            c ->
                c.key().equals(List.of("customer_id", "created_at"))
                    && c.include().contains("total"));

    // An equality on the primary key: one row through the existing index, nothing to add.
    use.equality.add("id");
    assertThat(new CandidateGenerator(100, 0.5, 3, 3).candidates(use, t, true)).isEmpty();
  }
}
