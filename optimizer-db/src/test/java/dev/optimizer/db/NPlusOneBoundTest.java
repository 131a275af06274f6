package dev.optimizer.db;

import static org.assertj.core.api.Assertions.assertThat;

import dev.optimizer.api.Mode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

/**
 * The N+1 findings of an application whose statements never repeat stop growing at a bound, and
 * each holds a bounded text however long its statement.
 */
class NPlusOneBoundTest {
  /** The bound on reported statement-and-site pairs (ReportedOnce.MAX). */
  private static final int MAX = 10_000;

  @Test
  void findingsAndTheirReportedPairsStopGrowingAtTheBound() throws Exception {
    JdbcDataSource h2 = new JdbcDataSource();
    h2.setURL("jdbc:h2:mem:nplusonebound;DB_CLOSE_DELAY=-1");
    try (DbTestSupport support = new DbTestSupport(Mode.OBSERVE)) {
      DbOptimizer db =
          DbOptimizer.builder(support.optimizer).nPlusOneThreshold(2).poolSizing(false).build();
      DataSource ds = db.wrap(h2);
      try (Connection c = ds.getConnection();
          Statement s = c.createStatement()) {
        s.execute("CREATE TABLE t (id INT PRIMARY KEY)");
        s.execute("INSERT INTO t VALUES (1), (2)");
      }
      // Statements built per request: each alias is a statement of its own, each an N+1 loop.
      int statements = MAX + 500;
      for (int first = 0; first < statements; first += 500) {
        try (Connection c = ds.getConnection()) {
          for (int i = first; i < Math.min(first + 500, statements); i++) {
            try (PreparedStatement ps =
                c.prepareStatement("SELECT id AS c" + i + " FROM t WHERE id = ?")) {
              for (int id = 1; id <= 2; id++) {
                ps.setInt(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                  rs.next();
                }
              }
            }
          }
        }
      }
      assertThat(db.insight().nPlusOnes()).hasSize(MAX);
      assertThat(db.insight().nPlusOnes().get(0).text()).contains("c0");
    }
  }

  /** What a finding's text is cut to: 1,024 characters and the truncation mark. */
  private static final int MAX_FINDING_TEXT = 1024 + " …".length();

  /** A statement whose normalized text is about 38 KB: 3,000 column aliases. */
  private static String longSelect() {
    StringBuilder sql = new StringBuilder("SELECT id");
    for (int i = 0; i < 3000; i++) {
      sql.append(", id AS a").append(i);
    }
    return sql.append(" FROM t WHERE id = ?").toString();
  }

  /** A write whose normalized text is about 50 KB: 4,000 conditions. */
  private static String longUpdate() {
    StringBuilder sql = new StringBuilder("UPDATE t SET v = ? WHERE id = ?");
    for (int i = 0; i < 4000; i++) {
      sql.append(" AND id <> ").append(-1 - i);
    }
    return sql.toString();
  }

  @Test
  void aFindingOfALongStatementKeepsABoundedTextAndAShortOneSharesTheStatisticsText()
      throws Exception {
    JdbcDataSource h2 = new JdbcDataSource();
    h2.setURL("jdbc:h2:mem:nplusonetext;DB_CLOSE_DELAY=-1");
    try (DbTestSupport support = new DbTestSupport(Mode.RECOMMEND)) {
      DbOptimizer db =
          DbOptimizer.builder(support.optimizer).nPlusOneThreshold(2).poolSizing(false).build();
      DataSource ds = db.wrap(h2);
      try (Connection c = ds.getConnection();
          Statement s = c.createStatement()) {
        s.execute("CREATE TABLE t (id INT PRIMARY KEY, v INT)");
        s.execute("INSERT INTO t VALUES (1, 0), (2, 0)");
      }
      String shortSql = "SELECT v FROM t WHERE id = ?";
      try (Connection c = ds.getConnection()) {
        for (String sql : new String[] {longSelect(), shortSql}) {
          try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int id = 1; id <= 2; id++) {
              ps.setInt(1, id);
              try (ResultSet rs = ps.executeQuery()) {
                rs.next();
              }
            }
          }
        }
        try (PreparedStatement ps = c.prepareStatement(longUpdate())) {
          for (int i = 0; i < 60; i++) { // a write loop: 50+ single executions
            ps.setInt(1, i);
            ps.setInt(2, 1 + i % 2);
            ps.executeUpdate();
          }
        }
      }

      NPlusOne longOne = db.insight().nPlusOnes().get(0);
      StatementStats longStats = db.insight().stats(longOne.fingerprintId()).orElseThrow();
      // Its statistics entry keeps 4,096 characters of the 38 KB text, the finding 1,024.
      assertThat(longStats.text()).hasSize(4096 + " …".length()).endsWith(" …");
      assertThat(longOne.text())
          .hasSize(MAX_FINDING_TEXT)
          .endsWith(" …")
          .startsWith(longStats.text().substring(0, 1024));
      WriteLoop loop = db.writeLoops().get(0);
      assertThat(loop.text()).hasSize(MAX_FINDING_TEXT).startsWith("UPDATE t SET v = ?");
      // The recommendations made of them are kept by the optimizer: bounded the same way.
      assertThat(support.optimizer.recommendations())
          .extracting(r -> r.evidence().get("statement"))
          .allSatisfy(text -> assertThat(text.length()).isLessThanOrEqualTo(MAX_FINDING_TEXT));

      // A short statement's finding holds the very String its statistics entry holds: no copy.
      NPlusOne shortOne = db.insight().nPlusOnes().get(1);
      StatementStats shortStats = db.insight().stats(shortOne.fingerprintId()).orElseThrow();
      assertThat(shortOne.text()).isSameAs(shortStats.text());
    }
  }
}
