package dev.optimizer.ai.semantic;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.StringLength;

class ScopeIsolationProperties {

  private static final SemanticCache<String> CACHE =
      SemanticCache.builder(new CountingModel()).build();

  @Property(tries = 40)
  void twoScopesWithTheSameTextNeverShareAnEntry(
      @ForAll @AlphaChars @StringLength(min = 1, max = 12) String tenantA,
      @ForAll @AlphaChars @StringLength(min = 1, max = 12) String tenantB,
      @ForAll @AlphaChars @StringLength(min = 3, max = 40) String text) {
    Assume.that(!tenantA.equals(tenantB));
    String scopeA = "a:" + tenantA;
    String scopeB = "b:" + tenantB;
    CACHE.put(scopeA, text, scopeA);
    assertThat(CACHE.lookup(scopeB, text)).isEmpty();
    assertThat(CACHE.candidates(scopeB, text)).isEmpty();
    CACHE.put(scopeB, text, scopeB);
    assertThat(CACHE.lookup(scopeA, text).map(SemanticCache.Hit::value)).contains(scopeA);
    assertThat(CACHE.lookup(scopeB, text).map(SemanticCache.Hit::value)).contains(scopeB);
    assertThat(CACHE.lookup(scopeB, text + " please").map(SemanticCache.Hit::value).orElse(scopeB))
        .isEqualTo(scopeB);
    CACHE.evict(scopeA, text);
    CACHE.evict(scopeB, text);
  }
}
