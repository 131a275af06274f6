package dev.optimizer.samples;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class EmbeddingSampleTest {

  @Test
  void concurrentSingleCallsAreGatheredIntoBatches() throws Exception {
    EmbeddingSample.Result r = EmbeddingSample.run(8, 16);

    assertThat(r.texts()).isEqualTo(8 * 16);
    assertThat(r.batches()).isPositive();
    assertThat(r.meanBatchSize()).isGreaterThan(1.0);
    assertThat(r.directMillis()).isPositive();
    assertThat(r.batchedMillis()).isPositive();
  }
}
