package dev.optimizer.ai.inference.vector;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * The index keeps ids as bytes (Latin-1, else UTF-16) in pages with an open-addressing lookup; for
 * random sequences of adds, replacements and removals of random ids (ASCII, Latin-1, any UTF-16
 * with unpaired surrogates, ids with equal hash codes, ids over the inline limit, the empty id) it
 * agrees with a {@code HashMap} model: which ids are present, their vectors, and the ids that
 * searches and filters see, through rehashes and compactions. The same with {@code sharedIds},
 * where the index holds the callers' Strings instead.
 */
class QuantizedVectorIndexIdPropertyTest {
  private static final int DIM = 8;

  /** One step: add (or replace) or remove the id at {@code id} (an index into the pool). */
  record Op(boolean remove, int id) {}

  @Property(tries = 200)
  void theIndexAgreesWithAMapOfIds(
      @ForAll("pools") List<String> pool,
      @ForAll @Size(max = 400) List<@IntRange(min = 0, max = 999) Integer> steps,
      @ForAll long seed,
      @ForAll VectorEncoding encoding,
      @ForAll boolean sharedIds) {
    Random r = new Random(seed);
    Map<String, float[]> model = new HashMap<>();
    QuantizedVectorIndex.Builder builder = QuantizedVectorIndex.builder(DIM).encoding(encoding);
    if (sharedIds) {
      builder.sharedIds();
    }
    try (QuantizedVectorIndex index = builder.build()) {
      for (int step : steps) {
        // A third removals, so that dead slots pile up and compactions run.
        Op op = new Op(step % 3 == 0, (step / 3) % pool.size());
        String id = pool.get(op.id());
        if (op.remove()) {
          assertThat(index.remove(id))
              .as("remove %s", show(id))
              .isEqualTo(model.remove(id) != null);
        } else {
          float[] v = StoreModel.gaussian(r, DIM);
          index.add(id, v);
          model.put(id, v);
        }
        assertThat(index.size()).isEqualTo(model.size());
      }
      assertAgrees(index, pool, model, r);
    }
  }

  private static void assertAgrees(
      QuantizedVectorIndex index, List<String> pool, Map<String, float[]> model, Random r) {
    for (String id : pool) {
      float[] stored = index.vector(id);
      float[] expected = model.get(id);
      if (expected == null) {
        assertThat(stored).as("vector of absent %s", show(id)).isNull();
      } else {
        assertThat(stored).as("vector of %s", show(id)).isNotNull();
        assertThat(Vectors.cosine(stored, expected)).isGreaterThan(0.9999);
      }
    }
    float[] query = StoreModel.gaussian(r, DIM);
    // k above the size: every live id is a candidate and a result, each as the String it was.
    List<String> found = new ArrayList<>();
    for (QuantizedVectorIndex.Match m : index.search(query, 10_000, -2)) {
      found.add(m.id());
    }
    assertThat(found).hasSize(model.size());
    assertThat(new HashSet<>(found)).isEqualTo(model.keySet());
    // The filter is handed the live ids as they were added.
    Set<String> asked = new HashSet<>();
    Set<String> half = new HashSet<>();
    for (String id : model.keySet()) {
      if (r.nextBoolean()) {
        half.add(id);
      }
    }
    List<String> filtered = new ArrayList<>();
    for (QuantizedVectorIndex.Match m :
        index.search(
            query,
            10_000,
            -2,
            id -> {
              asked.add(id);
              return half.contains(id);
            })) {
      filtered.add(m.id());
    }
    assertThat(model.keySet()).containsAll(asked);
    assertThat(new HashSet<>(filtered)).isEqualTo(half);
    assertThat(filtered).hasSize(half.size());
  }

  @Provide
  Arbitrary<List<String>> pools() {
    return ids()
        .list()
        .ofMinSize(1)
        .ofMaxSize(40)
        .map(l -> new ArrayList<>(new LinkedHashSet<>(l)));
  }

  static Arbitrary<String> ids() {
    Arbitrary<String> ascii = Arbitraries.strings().ascii().ofMaxLength(20);
    Arbitrary<String> latin1 =
        Arbitraries.strings().withCharRange('\u0000', '\u00ff').ofMaxLength(20);
    Arbitrary<String> utf16 =
        Arbitraries.strings()
            .withCharRange('a', 'z')
            .withCharRange('\u00e0', '\u00ff')
            .withCharRange('\u0100', '\u04ff')
            .withCharRange('\u4e00', '\u4e2f')
            .ofMinLength(1)
            .ofMaxLength(12);
    // Emoji (surrogate pairs) and unpaired surrogates, which UTF-8 or a UTF-16 decoder would
    // replace.
    Arbitrary<String> surrogates =
        Arbitraries.strings()
            .withCharRange('a', 'c')
            .withCharRange('\ud800', '\ud801')
            .withCharRange('\udc00', '\udc01')
            .ofMinLength(1)
            .ofMaxLength(8)
            .map(s -> s + "\ud83d\ude00".repeat(s.length() % 2));
    // "Aa" and "BB" have the same hash code, so these collide in the lookup.
    Arbitrary<String> colliding =
        Arbitraries.of("Aa", "BB").list().ofMinSize(1).ofMaxSize(6).map(l -> String.join("", l));
    // The same bytes as Latin-1 and as UTF-16: "\u0141" and "\u0001A".
    Arbitrary<String> sameBytes =
        Arbitraries.chars()
            .range('\u0100', '\u7fff')
            .flatMap(
                c -> Arbitraries.of(String.valueOf(c), "" + (char) (c >>> 8) + (char) (c & 0xFF)));
    // Over IdTable.MAX_INLINE_BYTES: an array of their own.
    Arbitrary<String> large =
        Arbitraries.oneOf(ascii, utf16)
            .filter(s -> !s.isEmpty())
            .map(s -> s.repeat(IdTable.MAX_INLINE_BYTES / s.length() + 1));
    return Arbitraries.frequencyOf(
        Tuple.of(4, ascii),
        Tuple.of(2, latin1),
        Tuple.of(2, utf16),
        Tuple.of(1, surrogates),
        Tuple.of(1, colliding),
        Tuple.of(1, sameBytes),
        Tuple.of(1, large));
  }

  private static String show(String id) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < Math.min(id.length(), 24); i++) {
      sb.append(String.format("\\u%04x", (int) id.charAt(i)));
    }
    return sb + (id.length() > 24 ? "... (" + id.length() + " chars)" : "");
  }
}
