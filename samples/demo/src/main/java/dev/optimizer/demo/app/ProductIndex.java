package dev.optimizer.demo.app;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * The products' descriptions embedded once at start-up, searched by cosine similarity (the vectors
 * are normalised, so a dot product). A few thousand vectors: an exact scan takes well under a
 * millisecond, no vector database needed.
 */
public final class ProductIndex {
  private final List<CatalogRepository.ProductText> products;
  private final float[][] vectors;

  private ProductIndex(List<CatalogRepository.ProductText> products, float[][] vectors) {
    this.products = products;
    this.vectors = vectors;
  }

  /** Embeds every product's name and description with {@code model}. */
  public static ProductIndex build(
      List<CatalogRepository.ProductText> products, EmbeddingModel model) {
    List<TextSegment> texts = new ArrayList<>(products.size());
    for (CatalogRepository.ProductText p : products) {
      texts.add(TextSegment.from(p.name() + ". " + p.description()));
    }
    List<Embedding> embeddings = model.embedAll(texts).content();
    float[][] vectors = new float[embeddings.size()][];
    for (int i = 0; i < vectors.length; i++) {
      vectors[i] = normalised(embeddings.get(i).vector());
    }
    return new ProductIndex(List.copyOf(products), vectors);
  }

  /** Products indexed. */
  public int size() {
    return products.size();
  }

  /** The {@code k} products nearest to {@code query}, nearest first. */
  public List<CatalogRepository.ProductText> nearest(Embedding query, int k) {
    float[] q = normalised(query.vector());
    PriorityQueue<double[]> best = new PriorityQueue<>(Comparator.comparingDouble(a -> a[0]));
    for (int i = 0; i < vectors.length; i++) {
      double score = 0;
      float[] v = vectors[i];
      for (int d = 0; d < v.length; d++) {
        score += q[d] * v[d];
      }
      best.add(new double[] {score, i});
      if (best.size() > k) {
        best.poll();
      }
    }
    List<CatalogRepository.ProductText> result = new ArrayList<>(best.size());
    while (!best.isEmpty()) {
      result.add(0, products.get((int) best.poll()[1]));
    }
    return result;
  }

  private static float[] normalised(float[] v) {
    double norm = 0;
    for (float x : v) {
      norm += x * x;
    }
    float inv = (float) (1 / Math.sqrt(Math.max(norm, 1e-12)));
    float[] out = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = v[i] * inv;
    }
    return out;
  }
}
