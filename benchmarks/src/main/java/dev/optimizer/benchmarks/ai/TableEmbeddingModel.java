package dev.optimizer.benchmarks.ai;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.output.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * all-MiniLM-L6-v2 with the QQP embeddings computed once and read from the disk cache: a text in
 * the table is answered from it; any other text, or every text while {@link #live} is set, goes to
 * the real model (so that a timed sample includes the embedding).
 */
final class TableEmbeddingModel implements EmbeddingModel {
  private final Map<String, float[]> table;
  private final EmbeddingModel real;
  volatile boolean live;

  TableEmbeddingModel(Map<String, float[]> table, EmbeddingModel real) {
    this.table = table;
    this.real = real;
  }

  @Override
  public Response<Embedding> embed(String text) {
    float[] v = live ? null : table.get(text);
    return v != null ? Response.from(Embedding.from(v)) : real.embed(text);
  }

  @Override
  public Response<Embedding> embed(TextSegment segment) {
    return embed(segment.text());
  }

  @Override
  public Response<List<Embedding>> embedAll(List<TextSegment> segments) {
    List<Embedding> out = new ArrayList<>(segments.size());
    for (TextSegment s : segments) {
      out.add(embed(s.text()).content());
    }
    return Response.from(out);
  }

  @Override
  public int dimension() {
    return 384;
  }
}
