package dev.optimizer.db.cache.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.optimizer.api.Mode;
import dev.optimizer.db.DbOptimizer;
import dev.optimizer.db.cache.ResultCacheSettings;
import dev.optimizer.db.internal.Instrumentation;
import dev.optimizer.db.internal.InstrumentedDataSource;
import dev.optimizer.runtime.Optimizer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A data source's result cache and its cache candidates share one analysis per statement: the
 * analysis parses the statement on the request path the first time it runs, and each of them used
 * to do it again in a cache of its own.
 */
class StatementAnalysesTest {
  private Optimizer optimizer;

  @AfterEach
  void close() {
    if (optimizer != null) {
      optimizer.close();
    }
  }

  @Test
  void aNewStatementIsAnalysedOnceForTheCacheAndItsCandidates() throws Exception {
    JdbcDataSource h2 = new JdbcDataSource();
    h2.setURL("jdbc:h2:mem:analyses-once;DB_CLOSE_DELAY=-1");
    try (Connection c = h2.getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE an_item (id INT PRIMARY KEY, name VARCHAR(20))");
      s.execute("INSERT INTO an_item VALUES (1, 'one'), (2, 'two')");
    }
    optimizer = Optimizer.builder().manualTuning().mode(Mode.AUTO).build();
    DataSource ds =
        DbOptimizer.builder(optimizer)
            .poolSizing(false)
            .resultCache(ResultCacheSettings.builder().cacheTables("an_item").build())
            .build()
            .wrap(h2);
    Instrumentation inst = ds.unwrap(InstrumentedDataSource.class).instrumentation();
    StatementAnalyses analyses = inst.resultCache().analyses();
    assertThat(inst.cacheCandidates().analyses()).isSameAs(analyses);

    for (int id = 1; id <= 2; id++) {
      try (Connection c = ds.getConnection();
          PreparedStatement ps = c.prepareStatement("SELECT name FROM an_item WHERE id = ?")) {
        ps.setInt(1, id);
        try (ResultSet rs = ps.executeQuery()) {
          assertThat(rs.next()).isTrue();
        }
      }
    }
    // One statement, run twice, consulted by both: parsed once.
    assertThat(analyses.analysed()).isEqualTo(1);
  }
}
