package dev.optimizer.ai.semantic.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ScopeIndexTest {

  @Test
  void eachKeyIsHeldOnceTheIndexSharesTheMapsString() {
    ScopeIndex<String> scope = new ScopeIndex<>(3, 1000, 0, new AtomicLong());
    int n = 64;
    String pad = "x".repeat(1000);
    for (int i = 0; i < n; i++) {
      String key = i + " " + pad;
      scope.put(new Entry<>(key, key, "v" + i, Long.MAX_VALUE, 100), vector(i), 0);
    }
    // Each id is a reference to the key, not a copy of its 1,000-odd bytes (64,000 in all).
    assertThat(scope.index().memoryBytes()).isLessThan(n * 100L);
    Entry<String> e = scope.exact("7 " + pad, 0);
    assertThat(scope.index().search(vector(7), 1).get(0).id()).isSameAs(e.key());
  }

  @Test
  void replacingAndRemovingAKeyFindsTheRightEntry() {
    AtomicLong bytes = new AtomicLong();
    ScopeIndex<String> scope = new ScopeIndex<>(3, 10, 0, bytes);
    // Equal keys, different String objects, as TextKey.of makes them.
    scope.put(new Entry<>("A b", new String("a b"), "old", Long.MAX_VALUE, 100), vector(1), 0);
    scope.put(new Entry<>("a  b", new String("a b"), "new", Long.MAX_VALUE, 70), vector(2), 0);
    scope.put(new Entry<>("c", "c", "other", Long.MAX_VALUE, 50), vector(3), 0);
    assertThat(scope.size()).isEqualTo(2);
    assertThat(bytes.get()).isEqualTo(120);
    assertThat(scope.exact("a b", 0).value()).isEqualTo("new");
    List<ScopeIndex.Found<String>> found = scope.search(vector(2), 1, 0.99, 0);
    assertThat(found).hasSize(1);
    assertThat(found.get(0).entry().value()).isEqualTo("new");
    assertThat(scope.index().search(vector(2), 1).get(0).id())
        .isSameAs(scope.exact("a b", 0).key());
    assertThat(scope.remove("a b", null)).isTrue();
    assertThat(scope.search(vector(2), 2, 0.99, 0)).isEmpty();
    assertThat(scope.index().size()).isEqualTo(1);
    assertThat(bytes.get()).isEqualTo(50);
  }

  /** A unit vector of its own for each {@code i}. */
  private static float[] vector(int i) {
    double a = i * 0.5;
    return new float[] {(float) Math.cos(a), (float) Math.sin(a), 0.1f};
  }

  @Test
  void aClosedScopeRefusesAPutAndCountsNoBytes() {
    AtomicLong bytes = new AtomicLong();
    ScopeIndex<String> scope = new ScopeIndex<>(3, 10, 0, bytes);
    assertThat(scope.put(new Entry<>("a", "a", "v", Long.MAX_VALUE, 100), new float[] {1, 0, 0}, 0))
        .isTrue();
    assertThat(bytes.get()).isEqualTo(100);
    // The cache evicts the scope while a put that already found it is on its way.
    scope.close();
    assertThat(bytes.get()).isZero();
    assertThat(scope.put(new Entry<>("b", "b", "v", Long.MAX_VALUE, 100), new float[] {0, 1, 0}, 0))
        .isFalse();
    assertThat(bytes.get()).isZero();
    assertThat(scope.size()).isZero();
  }
}
