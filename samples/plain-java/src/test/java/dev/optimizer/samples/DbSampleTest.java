package dev.optimizer.samples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.optimizer.api.Recommendation;
import org.junit.jupiter.api.Test;

class DbSampleTest {

  @Test
  void theSampleFindsItsNPlusOneLoopAndServesRepeatedReadsFromTheCache() throws Exception {
    DbSample.Result r = DbSample.run();

    assertThat(r.recommendations()).extracting(Recommendation::kind).containsExactly("n-plus-one");
    Recommendation nPlusOne = r.recommendations().get(0);
    assertThat(nPlusOne.evidence().get("statement"))
        .isEqualTo("SELECT name FROM customers WHERE id = ?");
    assertThat(nPlusOne.evidence().get("callSite"))
        .startsWith("dev.optimizer.samples.DbSample.run:");
    // 200 reads of 5 products: the first read of each loads it, the other 195 are hits.
    assertThat(r.cache().misses()).isEqualTo(5);
    assertThat(r.cache().hits()).isEqualTo(195);
    assertThat(r.top())
        .extracting(s -> s.text())
        .contains("SELECT price FROM products WHERE id = ?");
  }
}
