package dev.optimizer.ai.inference.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.output.Response;
import dev.langchain4j.model.output.TokenUsage;
import dev.optimizer.ai.AiOptimizer;
import dev.optimizer.runtime.Optimizer;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CachingEmbeddingModelTest {

  private final InMemoryMetricReader reader = InMemoryMetricReader.create();
  private final OpenTelemetrySdk otel =
      OpenTelemetrySdk.builder()
          .setMeterProvider(SdkMeterProvider.builder().registerMetricReader(reader).build())
          .build();
  private final Optimizer optimizer =
      Optimizer.builder().openTelemetry(otel).manualTuning().build();

  @AfterEach
  void close() {
    optimizer.close();
    otel.close();
  }

  private Set<String> cacheNames() {
    return reader.collectAllMetrics().stream()
        .flatMap(m -> m.getData().getPoints().stream())
        .map(p -> p.getAttributes().get(AttributeKey.stringKey("optimizer.cache.name")))
        .filter(java.util.Objects::nonNull)
        .collect(Collectors.toSet());
  }

  /** A remote-style model: one vector per text, from its UTF-16 hash; records what it embeds. */
  static final class Recording implements EmbeddingModel {
    final List<String> texts = new CopyOnWriteArrayList<>();

    @Override
    public Response<List<Embedding>> embedAll(List<TextSegment> segments) {
      List<Embedding> out = new ArrayList<>();
      int tokens = 0;
      for (TextSegment s : segments) {
        texts.add(s.text());
        out.add(Embedding.from(new float[] {s.text().hashCode(), 1}));
        tokens += s.text().length();
      }
      // One "token" per character, as a remote API would report its usage.
      return Response.from(out, new TokenUsage(tokens));
    }

    @Override
    public int dimension() {
      return 2;
    }
  }

  @Test
  void closingAWrapFromAnAiOptimizerReleasesItsBatcherSoTheNameIsFreeAgain() throws Exception {
    AiOptimizer ai = AiOptimizer.create(optimizer);
    EmbeddingModel first = ai.wrap(new Recording());
    first.embed("a");
    assertThat(optimizer.knob("optimizer.ai.embeddings.max_batch_size")).isPresent();
    ((AutoCloseable) first).close();
    assertThat(optimizer.knob("optimizer.ai.embeddings.max_batch_size")).isEmpty();
    assertThat(optimizer.knob("optimizer.ai.embeddings.max_delay_us")).isEmpty();
    // The next wrap takes the first name again, rather than embeddings-2, -3, ...
    EmbeddingModel second = ai.wrap(new Recording());
    assertThat(optimizer.knob("optimizer.ai.embeddings.max_batch_size")).isPresent();
    assertThat(optimizer.knob("optimizer.ai.embeddings-2.max_batch_size")).isEmpty();
    assertThat(second.embed("a").content().vector()).hasSize(2);
  }

  @Test
  void textsDifferingOnlyInALoneSurrogateAreDifferentEntries() {
    Recording model = new Recording();
    CachingEmbeddingModel cached = CachingEmbeddingModel.wrap(optimizer, model, 1 << 20);
    float[] high = cached.embed("x\uD800").content().vector();
    float[] low = cached.embed("x\uDC00").content().vector();
    cached.embed("x?");
    // UTF-8 encoding turned every unpaired surrogate into '?': all three were one entry.
    assertThat(model.texts).containsExactly("x\uD800", "x\uDC00", "x?");
    assertThat(low).isNotEqualTo(high);
    assertThat(cached.embed("x\uD800").content().vector()).isEqualTo(high);
    assertThat(model.texts).hasSize(3);
  }

  @Test
  void eachWrappedModelsCacheReportsUnderItsOwnName() {
    AiOptimizer ai = AiOptimizer.create(optimizer);
    ai.wrap(new Recording()).embed("one");
    ai.wrap(new Recording()).embed("two");
    CachingEmbeddingModel.wrap(
            optimizer,
            BatchingEmbeddingModel.builder(optimizer, new Recording()).name("mine").build(),
            1 << 20)
        .embed("three");
    CachingEmbeddingModel.wrap(optimizer, new Recording(), 1 << 20, "named").embed("four");
    assertThat(cacheNames()).contains("ai.embeddings", "ai.embeddings-2", "ai.mine", "ai.named");
  }

  @Test
  void theDelegatesTokenUsageIsPassedOnForWhatItEmbedded() {
    CachingEmbeddingModel cached = CachingEmbeddingModel.wrap(optimizer, new Recording(), 1 << 20);
    assertThat(cached.embed("abc").tokenUsage().inputTokenCount()).isEqualTo(3);
    assertThat(cached.embed("abc").tokenUsage()).as("a hit spends nothing").isNull();
    Response<List<Embedding>> all =
        cached.embedAll(
            List.of(TextSegment.from("abc"), TextSegment.from("de"), TextSegment.from("fgh")));
    assertThat(all.content()).hasSize(3);
    assertThat(all.tokenUsage().inputTokenCount()).as("the misses' one call").isEqualTo(5);
    assertThat(cached.embedAll(List.of(TextSegment.from("de"))).tokenUsage()).isNull();
  }
}
