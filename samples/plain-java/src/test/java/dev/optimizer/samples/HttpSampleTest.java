package dev.optimizer.samples;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HttpSampleTest {

  @Test
  void theServerSeesFewerRequestsThanTheClientMakes() throws Exception {
    HttpSample.Result r = HttpSample.run(20);

    assertThat(r.serverSawCached()).as("max-age=60: one request, then hits").isEqualTo(1);
    assertThat(r.serverSawSlowRaw()).as("the raw client sends every request").isEqualTo(20);
    assertThat(r.serverSawSlowWrapped()).as("coalesced").isLessThan(r.serverSawSlowRaw());
    assertThat(r.stats().cacheHits()).isEqualTo(19);
    assertThat(r.stats().coalesced()).isEqualTo(20 - r.serverSawSlowWrapped());
  }
}
