package dev.optimizer.db.cache.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ParserWarmUpTest {
  @Test
  void theWarmUpRunsOnceAndFinishes() throws Exception {
    CompletableFuture<Void> first = ParserWarmUp.start();
    new StatementAnalyses(); // a second data source starts nothing new

    assertThat(ParserWarmUp.start()).isSameAs(first);
    first.get(60, TimeUnit.SECONDS);
    assertThat(first).isCompleted();
  }
}
