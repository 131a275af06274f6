package dev.optimizer.ai.inference.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.langchain4j.exception.InternalServerException;
import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.exception.RateLimitException;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.openai.OpenAiEmbeddingModel;
import dev.optimizer.ai.inference.InferenceBatcher;
import dev.optimizer.ai.inference.InferenceFailedException;
import dev.optimizer.ai.testserver.LocalOpenAiServer;
import dev.optimizer.ai.testserver.LocalOpenAiServer.Fault;
import dev.optimizer.runtime.Optimizer;
import io.opentelemetry.api.OpenTelemetry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A batch that LangChain4j's real OpenAI client sends to a local OpenAI-compatible server, and that
 * the server refuses as a whole: a refusal of the service fails every caller in one request; a
 * refusal of one input fails only that input's caller.
 */
class RemoteBatchFailureTest {

  private static final int N = 8;

  private LocalOpenAiServer server;
  private Optimizer optimizer;
  private EmbeddingModel remote;
  private BatchingEmbeddingModel wrapped;

  @BeforeEach
  void setUp() {
    server = LocalOpenAiServer.start();
    optimizer = Optimizer.builder().openTelemetry(OpenTelemetry.noop()).manualTuning().build();
    remote =
        OpenAiEmbeddingModel.builder()
            .baseUrl(server.baseUrl())
            .apiKey("k")
            .modelName("text-embedding-test")
            // The client's own retries would multiply the requests this test counts.
            .maxRetries(0)
            .timeout(Duration.ofSeconds(10))
            .build();
    wrapped = BatchingEmbeddingModel.builder(optimizer, remote).name("remote").build();
  }

  @AfterEach
  void tearDown() {
    server.releaseEmbeddings();
    optimizer.close();
    server.close();
  }

  /**
   * Submits {@code texts} while a first request is held at the server, so that they queue behind it
   * and go as one batch once {@link LocalOpenAiServer#releaseEmbeddings()} answers the first; that
   * batch is answered with {@code batchFault}, if any.
   */
  private List<CompletableFuture<float[]>> oneBatch(List<String> texts, Fault batchFault)
      throws Exception {
    InferenceBatcher<String, float[]> batcher = wrapped.batcher();
    server.holdEmbeddings();
    CompletableFuture<float[]> first = batcher.submit("first");
    assertThat(server.takeRequest().body().path("input").toString()).contains("first");
    if (batchFault != null) {
      // Queued once the first request was received: the next request, the batch, gets it.
      server.enqueueEmbeddingFault(batchFault);
    }
    List<CompletableFuture<float[]>> futures = new ArrayList<>();
    for (String t : texts) {
      futures.add(batcher.submit(t));
    }
    assertThat(batcher.stats().queuedItems()).isEqualTo(texts.size());
    server.releaseEmbeddings();
    assertThat(first.get(10, TimeUnit.SECONDS)).isNotEmpty();
    return futures;
  }

  private static List<String> texts(int n) {
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      texts.add("text number " + i);
    }
    return texts;
  }

  @Test
  void aRateLimitedBatchFailsEveryCallerInOneRequestWithTheModelsException() throws Exception {
    List<CompletableFuture<float[]>> futures = oneBatch(texts(N), Fault.rateLimited("1"));
    Set<Throwable> wrappers = new HashSet<>();
    Throwable cause = null;
    for (CompletableFuture<float[]> f : futures) {
      assertThatThrownBy(() -> wrapped.batcher().await(f))
          .isExactlyInstanceOf(RateLimitException.class);
      try {
        f.get(10, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        assertThat(e.getCause()).isInstanceOf(InferenceFailedException.class);
        wrappers.add(e.getCause());
        cause = e.getCause().getCause();
      }
    }
    assertThat(wrappers).as("each caller its own failed future").hasSize(N);
    // The exception LangChain4j's client throws for that answer when called directly.
    server.enqueueEmbeddingFault(Fault.rateLimited("1"));
    assertThatThrownBy(() -> remote.embed("direct")).isExactlyInstanceOf(cause.getClass());
    assertThat(server.embeddingRequests())
        .as("the held request, the batch, the direct call")
        .isEqualTo(3);
    assertThat(server.takeRequest().body().path("input").size()).isEqualTo(N);
  }

  @Test
  void aBatchAnsweredWith503FailsEveryCallerWithoutRunningThemAlone() throws Exception {
    List<CompletableFuture<float[]>> futures = oneBatch(texts(N), Fault.status(503));
    for (CompletableFuture<float[]> f : futures) {
      assertThatThrownBy(() -> wrapped.batcher().await(f))
          .isExactlyInstanceOf(InternalServerException.class);
    }
    assertThat(server.embeddingRequests()).isEqualTo(2);
  }

  @Test
  void aBatchRefusedFor400OfOneInputFailsOnlyThatCaller() throws Exception {
    List<String> texts = texts(N);
    texts.set(3, "text number 3 " + LocalOpenAiServer.REJECTED_INPUT);
    List<CompletableFuture<float[]>> futures = oneBatch(texts, null);
    for (int i = 0; i < N; i++) {
      CompletableFuture<float[]> f = futures.get(i);
      if (i == 3) {
        assertThatThrownBy(() -> wrapped.batcher().await(f))
            .isExactlyInstanceOf(InvalidRequestException.class)
            .hasMessageContaining("input 0 is rejected");
      } else {
        assertThat(wrapped.batcher().await(f))
            .containsExactly(remote.embed(texts.get(i)).content().vector());
      }
    }
    // The held request, the refused batch, then each input alone (and N - 1 direct calls above).
    assertThat(server.embeddingRequests()).isEqualTo(1 + 1 + N + (N - 1));
  }
}
