package dev.optimizer.ai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.listener.ChatModelRequestContext;
import dev.langchain4j.model.chat.listener.ChatModelResponseContext;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.openai.OpenAiEmbeddingModel;
import dev.langchain4j.model.output.Response;
import dev.optimizer.ai.chat.OptimizedChatModel;
import dev.optimizer.ai.semantic.SemanticCache;
import dev.optimizer.ai.testserver.LocalOpenAiServer;
import dev.optimizer.ai.testserver.OpenAiClients;
import dev.optimizer.ai.testserver.RecordingHandler;
import dev.optimizer.runtime.Optimizer;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AiOptimizerTest {
  private final LocalOpenAiServer server = LocalOpenAiServer.start();
  private final Optimizer optimizer =
      Optimizer.builder().openTelemetry(OpenTelemetry.noop()).manualTuning().build();

  @AfterEach
  void close() {
    optimizer.close();
    server.close();
  }

  private static Thread[] chatThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith("optimizer-ai-chat-") && t.isAlive())
        .toArray(Thread[]::new);
  }

  @Test
  void embeddingsAreCachedByText() {
    AiOptimizer ai = AiOptimizer.create(optimizer);
    EmbeddingModel model =
        ai.wrap(
            OpenAiEmbeddingModel.builder()
                .baseUrl(server.baseUrl())
                .apiKey("k")
                .modelName("text-embedding-test")
                .maxRetries(0)
                .build());
    Embedding a = model.embed("the same text").content();
    Embedding b = model.embed("the same text").content();
    assertThat(b.vector()).containsExactly(a.vector());
    assertThat(server.embeddingRequests()).isEqualTo(1);
  }

  @Test
  void severalEmbeddingModelsAndTheSemanticCacheEachGetKnobsOfTheirOwn() {
    AiOptimizer ai = AiOptimizer.builder(optimizer).semanticCache(true).build();
    EmbeddingModel first = ai.wrap(openAiEmbeddings("text-embedding-a"));
    EmbeddingModel second = ai.wrap(openAiEmbeddings("text-embedding-b"));
    assertThat(first.embed("one").content().vector()).isNotEmpty();
    assertThat(second.embed("two").content().vector()).isNotEmpty();
    assertThat(optimizer.knobs())
        .extracting(k -> k.name())
        .contains(
            "optimizer.ai.embeddings.max_delay_us",
            "optimizer.ai.embeddings-2.max_delay_us",
            "optimizer.ai.semantic-cache-embeddings.max_delay_us");
  }

  @Test
  void twoAiOptimizersOnOneOptimizerEachWrapAnEmbeddingModel() {
    EmbeddingModel first = AiOptimizer.create(optimizer).wrap(openAiEmbeddings("text-embedding-a"));
    EmbeddingModel second =
        AiOptimizer.create(optimizer).wrap(openAiEmbeddings("text-embedding-b"));
    assertThat(first.embed("one").content().vector()).isNotEmpty();
    assertThat(second.embed("two").content().vector()).isNotEmpty();
    assertThat(optimizer.knobs())
        .extracting(k -> k.name())
        .contains("optimizer.ai.embeddings.max_delay_us", "optimizer.ai.embeddings-2.max_delay_us");
  }

  @Test
  void aiOptimizersAndEmbeddingModelsClosedOnTheirOwnAreNotHeldByTheOptimizer() throws Exception {
    // An application that builds and closes them repeatedly (tests, tenants) must not leak each
    // one, its caches and its threads, into the optimizer that outlives them.
    List<WeakReference<Object>> closed = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      AiOptimizer ai = AiOptimizer.create(optimizer);
      EmbeddingModel model = ai.wrap(openAiEmbeddings("text-embedding-" + i));
      assertThat(model.embed("text " + i).content().vector()).isNotEmpty();
      ((AutoCloseable) model).close();
      ai.close();
      closed.add(new WeakReference<>(ai));
      closed.add(new WeakReference<>(model));
    }
    AiOptimizer open = AiOptimizer.create(optimizer);
    open.wrap(openAiEmbeddings("text-embedding-open"));

    assertThat(stillReachable(closed)).as("closed decorators still reachable").isZero();
    // The closed models' knobs left with them: the open one took the first name again.
    assertThat(optimizer.knobs())
        .extracting(k -> k.name())
        .containsExactlyInAnyOrder(
            "optimizer.ai.embeddings.max_delay_us", "optimizer.ai.embeddings.max_batch_size");

    optimizer.close(); // still closes what was left open
    assertThatThrownBy(() -> open.wrap(openAiEmbeddings("late")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("this AiOptimizer is closed");
    assertThat(optimizer.knobs()).isEmpty();
  }

  /** How many of {@code refs} still reach their object after a bounded number of collections. */
  private static long stillReachable(List<? extends WeakReference<?>> refs) {
    for (int i = 0; i < 20 && refs.stream().anyMatch(r -> r.get() != null); i++) {
      System.gc();
    }
    return refs.stream().filter(r -> r.get() != null).count();
  }

  private EmbeddingModel openAiEmbeddings(String name) {
    return OpenAiEmbeddingModel.builder()
        .baseUrl(server.baseUrl())
        .apiKey("k")
        .modelName(name)
        .maxRetries(0)
        .build();
  }

  @Test
  void streamingHitsFireTheModelsListeners() throws Exception {
    List<String> events = new CopyOnWriteArrayList<>();
    ChatModelListener listener =
        new ChatModelListener() {
          @Override
          public void onRequest(ChatModelRequestContext c) {
            events.add("request:" + c.attributes().getOrDefault("optimizer.ai.served_by", "model"));
          }

          @Override
          public void onResponse(ChatModelResponseContext c) {
            events.add(
                "response:" + c.attributes().getOrDefault("optimizer.ai.served_by", "model"));
          }
        };
    StreamingChatModel chat =
        AiOptimizer.create(optimizer).wrap(OpenAiClients.streaming(server, "gpt-test", listener));
    RecordingHandler first = new RecordingHandler();
    chat.chat("hello stream", first);
    first.done.get(10, TimeUnit.SECONDS);
    RecordingHandler second = new RecordingHandler();
    chat.chat("hello stream", second);
    second.done.get(10, TimeUnit.SECONDS);
    assertThat(events)
        .containsExactly(
            "request:model", "response:model", "request:cache:exact", "response:cache:exact");
  }

  @Test
  void closeReleasesThreadsRefusesNewWrapsAndPublishesTheAccounting() {
    AiOptimizer ai = AiOptimizer.create(optimizer);
    OptimizedChatModel chat = ai.wrap(OpenAiClients.chat(server, "gpt-test"));
    chat.chat("warm up");
    assertThat(chatThreads()).isNotEmpty();
    ai.close();
    ai.close();
    for (Thread t : chatThreads()) {
      try {
        t.join(5000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    assertThat(chatThreads()).isEmpty();
    assertThatThrownBy(() -> ai.wrap(OpenAiClients.chat(server, "gpt-test")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
    assertThatThrownBy(() -> chat.chat("after close"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
    assertThat(optimizer.report().recommendations())
        .anySatisfy(r -> assertThat(r.kind()).isEqualTo("llm-cost"));
  }

  @Test
  void closingTheOptimizerClosesTheAiOptimizer() {
    AiOptimizer ai = AiOptimizer.create(optimizer);
    optimizer.close();
    assertThatThrownBy(() -> ai.wrap(OpenAiClients.chat(server, "gpt-test")))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void anAiOptimizerOnAClosedOptimizerIsRefusedBeforeItStartsAnything() {
    InMemoryMetricReader reader = InMemoryMetricReader.create();
    try (OpenTelemetrySdk otel =
        OpenTelemetrySdk.builder()
            .setMeterProvider(SdkMeterProvider.builder().registerMetricReader(reader).build())
            .build()) {
      Optimizer closed = Optimizer.builder().openTelemetry(otel).manualTuning().build();
      closed.close();
      AiOptimizerBuilder b =
          AiOptimizer.builder(closed).semanticCache(SemanticCache.builder(new OneDimension()));

      Throwable refused = catchThrowable(b::build);

      // The semantic tier's counters would be reported for ever by a tier nobody can close.
      assertThat(reader.collectAllMetrics())
          .extracting(MetricData::getName)
          .noneMatch(n -> n.startsWith("optimizer.ai."));
      assertThat(refused)
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("optimizer is closed: AiOptimizer was not built");
      assertThatThrownBy(() -> AiOptimizer.create(closed))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("optimizer is closed: AiOptimizer was not built");
    }
  }

  /** An embedding model that needs nothing: every text is the same one-dimensional vector. */
  private static final class OneDimension implements EmbeddingModel {
    @Override
    public Response<List<Embedding>> embedAll(List<TextSegment> segments) {
      List<Embedding> out = new ArrayList<>();
      segments.forEach(s -> out.add(Embedding.from(new float[] {1f})));
      return Response.from(out);
    }
  }
}
