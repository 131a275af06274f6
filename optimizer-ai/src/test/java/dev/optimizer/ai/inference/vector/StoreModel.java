package dev.optimizer.ai.inference.vector;

import static dev.langchain4j.store.embedding.filter.MetadataFilterBuilder.metadataKey;

import dev.langchain4j.data.document.Metadata;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.store.embedding.filter.Filter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Random entries (vectors, metadata, values that are not segments) and random filters, and the
 * exhaustive float64 oracle the filtered store is checked against.
 */
final class StoreModel {
  static final String[] TENANTS = {"acme", "globex", "initech", "umbrella"};

  /** One entry: its vector and what is embedded with it (a segment, another object, or null). */
  record Entry(float[] vector, Object value) {}

  /** A match of the oracle: id and relevance score {@code (cosine + 1) / 2}. */
  record Scored(String id, double score) {}

  private StoreModel() {}

  static float[] gaussian(Random r, int dim) {
    float[] v = new float[dim];
    for (int j = 0; j < dim; j++) {
      v[j] = (float) r.nextGaussian();
    }
    return v;
  }

  /** A segment with a tenant (mostly), a year (often), or no metadata at all (sometimes). */
  static Object value(Random r, int i) {
    double p = r.nextDouble();
    if (p < 0.12) {
      return null;
    }
    if (p < 0.18) {
      return "not a segment " + i;
    }
    Metadata m = new Metadata();
    if (r.nextDouble() < 0.85) {
      m.put("tenant", TENANTS[r.nextInt(TENANTS.length)]);
    }
    if (r.nextDouble() < 0.7) {
      m.put("year", 2018 + r.nextInt(8));
    }
    return TextSegment.from("text " + i, m);
  }

  /** A random filter over "tenant" and "year", nested up to {@code depth} levels. */
  static Filter filter(Random r, int depth) {
    int choice = r.nextInt(depth > 0 ? 9 : 6);
    String tenant = TENANTS[r.nextInt(TENANTS.length)];
    int year = 2018 + r.nextInt(8);
    return switch (choice) {
      case 0 -> metadataKey("tenant").isEqualTo(tenant);
      case 1 -> metadataKey("tenant").isNotEqualTo(tenant);
      case 2 -> metadataKey("tenant").isIn(tenant, TENANTS[r.nextInt(TENANTS.length)]);
      case 3 -> metadataKey("year").isGreaterThan(year);
      case 4 -> metadataKey("year").isLessThanOrEqualTo(year);
      case 5 -> metadataKey("tenant").isEqualTo("nobody");
      case 6 -> Filter.and(filter(r, depth - 1), filter(r, depth - 1));
      case 7 -> Filter.or(filter(r, depth - 1), filter(r, depth - 1));
      default -> Filter.not(filter(r, depth - 1));
    };
  }

  /** LangChain4j 1.19's rule, written out: only a segment's metadata is tested. */
  static boolean matches(Object value, Filter filter) {
    return value instanceof TextSegment s && filter.test(s.metadata());
  }

  static double relevance(float[] a, float[] b) {
    return (Vectors.cosine(a, b) + 1) / 2;
  }

  /** Every matching entry (all when {@code filter} is null) with its score, best first. */
  static List<Scored> exhaustive(Map<String, Entry> model, float[] query, Filter filter) {
    List<Scored> out = new ArrayList<>();
    for (Map.Entry<String, Entry> e : model.entrySet()) {
      if (filter == null || matches(e.getValue().value(), filter)) {
        out.add(new Scored(e.getKey(), relevance(query, e.getValue().vector())));
      }
    }
    out.sort(Comparator.comparingDouble(Scored::score).reversed());
    return out;
  }

  /** A random sequence of adds, some of which replace an earlier id. */
  static List<Map.Entry<String, Entry>> adds(Random r, int n, int dim) {
    List<Map.Entry<String, Entry>> adds = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String id = i > 0 && r.nextDouble() < 0.1 ? "e" + r.nextInt(i) : "e" + i;
      adds.add(Map.entry(id, new Entry(gaussian(r, dim), value(r, i))));
    }
    return adds;
  }

  /** What a store holds after {@code adds}: the last add of each id wins. */
  static Map<String, Entry> replay(List<Map.Entry<String, Entry>> adds) {
    Map<String, Entry> model = new LinkedHashMap<>();
    for (Map.Entry<String, Entry> a : adds) {
      model.put(a.getKey(), a.getValue());
    }
    return model;
  }
}
