package dev.optimizer.db.batch.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.optimizer.api.Mode;
import dev.optimizer.runtime.Optimizer;
import io.opentelemetry.api.OpenTelemetry;
import java.util.Optional;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

class BatchAdvisorBoundTest {

  @Test
  void theReportedSetStopsGrowingAtItsBound() {
    JdbcDataSource h2 = new JdbcDataSource();
    h2.setURL("jdbc:h2:mem:batchbound;DB_CLOSE_DELAY=-1");
    try (Optimizer optimizer =
        Optimizer.builder()
            .openTelemetry(OpenTelemetry.noop())
            .manualTuning()
            .mode(Mode.OBSERVE)
            .build()) {
      BatchAdvisor advisor = BatchAdvisor.of(optimizer, h2, () -> "h2database", false);
      for (int i = 0; i < BatchAdvisor.MAX_REPORTED + 500; i++) {
        advisor.writeLoop(i, "INSERT INTO t VALUES (?)", 20, false, Optional.of("App.run:" + i));
      }
      assertThat(advisor.reportedCount()).isEqualTo(BatchAdvisor.MAX_REPORTED);
    }
  }
}
