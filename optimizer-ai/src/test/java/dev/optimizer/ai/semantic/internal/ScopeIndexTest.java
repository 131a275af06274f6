package dev.optimizer.ai.semantic.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ScopeIndexTest {

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
