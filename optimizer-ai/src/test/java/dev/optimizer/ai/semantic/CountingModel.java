package dev.optimizer.ai.semantic;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.output.Response;
import dev.optimizer.ai.inference.MiniLm;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** The real all-MiniLM-L6-v2, counting the texts it embeds. */
final class CountingModel implements EmbeddingModel {
  final AtomicInteger calls = new AtomicInteger();

  @Override
  public Response<Embedding> embed(String text) {
    calls.incrementAndGet();
    return MiniLm.langchain4j().embed(text);
  }

  @Override
  public Response<List<Embedding>> embedAll(List<TextSegment> segments) {
    calls.addAndGet(segments.size());
    return MiniLm.langchain4j().embedAll(segments);
  }
}
