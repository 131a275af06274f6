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

/** The N+1 findings of an application whose statements never repeat stop growing at a bound. */
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
}
