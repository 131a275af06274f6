package dev.optimizer.ai.semantic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.optimizer.testing.ManualTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SemanticCacheTest {

  private static final String SCOPE = "tenant-1|You are a helpful assistant";
  private final CountingModel model = new CountingModel();

  @Test
  void aHitNeverPrintsThePrompt() {
    try (SemanticCache<String> cache = SemanticCache.builder(model).build()) {
      cache.put(SCOPE, "My account number is 12345, why was I charged?", "answer");

      SemanticCache.Hit<String> hit =
          cache.lookup(SCOPE, "My account number is 12345, why was I charged?").orElseThrow();

      assertThat(hit.toString()).doesNotContain("12345").doesNotContain("charged");
    }
  }

  @Test
  void exactTierMatchesNormalisedTextWithoutEmbedding() {
    try (SemanticCache<String> cache = SemanticCache.builder(model).build()) {
      cache.put(SCOPE, "How do I learn Java?", "answer");
      int before = model.calls.get();
      Optional<SemanticCache.Hit<String>> hit = cache.lookup(SCOPE, "  how do I   LEARN\tjava?");
      assertThat(hit).isPresent();
      assertThat(hit.get().exact()).isTrue();
      assertThat(hit.get().value()).isEqualTo("answer");
      assertThat(hit.get().matchedText()).isEqualTo("How do I learn Java?");
      assertThat(hit.get().score()).isEqualTo(1.0);
      assertThat(model.calls.get()).isEqualTo(before);
      assertThat(cache.stats().exactHits()).isEqualTo(1);
    }
  }

  @Test
  void storingTheAnswerToAMissedLookupDoesNotEmbedTheTextAgain() {
    try (SemanticCache<String> cache = SemanticCache.builder(model).build()) {
      cache.put(SCOPE, "What is the capital of France?", "Paris");
      int before = model.calls.get();
      assertThat(cache.lookup(SCOPE, "How do I learn Java?")).isEmpty();
      cache.put(SCOPE, "How do I learn Java?", "practice");
      assertThat(model.calls.get() - before).as("one embedding for lookup and put").isEqualTo(1);
      assertThat(cache.lookup(SCOPE, "How do I learn Java?").orElseThrow().value())
          .isEqualTo("practice");
    }
  }

  @Test
  void paraphraseIsASemanticHit() {
    try (SemanticCache<String> cache = SemanticCache.builder(model).build()) {
      cache.put(SCOPE, "What is the best way to learn Java?", "answer");
      Optional<SemanticCache.Hit<String>> hit =
          cache.lookup(SCOPE, "What's the best way to learn Java?");
      assertThat(hit).isPresent();
      assertThat(hit.get().exact()).isFalse();
      assertThat(hit.get().similarity()).isGreaterThan(0.99).isLessThan(1.0);
      assertThat(cache.lookup(SCOPE, "What is the capital of France?")).isEmpty();
    }
  }

  @Test
  void guardRulesRefuseNumbersNegationAndSwapsThatTheSameCosineWouldServe() {
    List<String[]> traps =
        List.of(
            new String[] {
              "What was the population of India in 2011?",
              "What was the population of India in 2001?"
            },
            new String[] {"Why can't I lose weight?", "Why can I lose weight?"},
            new String[] {
              "How do I convert ethanol to ethanoic acid?",
              "How do I convert ethanoic acid to ethanol?"
            });
    // The same calibration (score 0.5 at cosine 0.85), with and without the rules.
    FeatureGuard rules =
        FeatureGuard.of(
            -85,
            100,
            Map.of("numbers", -40.0, "negation", -40.0, "order", -40.0, "entities", -40.0));
    FeatureGuard cosineOnly = FeatureGuard.of(-85, 100, Map.of());
    try (SemanticCache<String> guarded =
            SemanticCache.builder(model).guard(rules).decisionThreshold(0.5).build();
        SemanticCache<String> plain =
            SemanticCache.builder(model).guard(cosineOnly).decisionThreshold(0.5).build()) {
      for (String[] t : traps) {
        guarded.put(SCOPE, t[0], t[0]);
        plain.put(SCOPE, t[0], t[0]);
      }
      for (String[] t : traps) {
        assertThat(plain.lookup(SCOPE, t[1]))
            .as("cosine alone serves %s: %s", t[1], plain.candidates(SCOPE, t[1]))
            .isPresent();
        assertThat(guarded.lookup(SCOPE, t[1])).as("the rules refuse %s", t[1]).isEmpty();
      }
      assertThat(guarded.stats().guardRejections()).isEqualTo(3);
    }
  }

  @Test
  void defaultGuardRefusesTheSwapAtAnyCosine() {
    try (SemanticCache<String> cache = SemanticCache.builder(model).build()) {
      cache.put(SCOPE, "How do I convert ethanol to ethanoic acid?", "a");
      List<SemanticCache.Candidate> c =
          cache.candidates(SCOPE, "How do I convert ethanoic acid to ethanol?");
      assertThat(c).hasSize(1);
      assertThat(c.get(0).similarity()).isGreaterThan(0.99);
      assertThat(c.get(0).accepted()).isFalse();
    }
  }

  @Test
  void wrongFeedbackRaisesOnlyThatEntrysThreshold() {
    try (SemanticCache<String> cache = SemanticCache.builder(model).build()) {
      cache.put(SCOPE, "What is the best way to learn Java?", "java");
      SemanticCache.Hit<String> hit =
          cache.lookup(SCOPE, "What's the best way to learn Java?").orElseThrow();
      cache.feedback(hit, true);
      assertThat(cache.lookup(SCOPE, "What's the best way to learn Java?")).isPresent();
      cache.feedback(hit, false);
      assertThat(cache.lookup(SCOPE, "What's the best way to learn Java?")).isEmpty();
      assertThat(cache.lookup(SCOPE, "what is the best way to learn java?")).isPresent();
      List<SemanticCache.Candidate> c =
          cache.candidates(SCOPE, "What's the best way to learn Java?");
      assertThat(c).hasSize(1);
      assertThat(c.get(0).accepted()).isFalse();
    }
  }

  @Test
  void wrongExactHitEvictsTheEntry() {
    try (SemanticCache<String> cache = SemanticCache.builder(model).build()) {
      cache.put(SCOPE, "What is 2 + 2?", "5");
      cache.feedback(cache.lookup(SCOPE, "what is 2 + 2?").orElseThrow(), false);
      assertThat(cache.lookup(SCOPE, "What is 2 + 2?")).isEmpty();
      assertThat(cache.stats().entries()).isZero();
    }
  }

  @Test
  void entriesExpireAfterTheTtlOnTheInjectedTicker() {
    ManualTime time = ManualTime.create();
    try (SemanticCache<String> cache =
        SemanticCache.builder(model).ttl(Duration.ofMinutes(5)).ticker(time.ticker()).build()) {
      cache.put(SCOPE, "What is the best way to learn Java?", "java");
      time.advance(Duration.ofMinutes(4));
      assertThat(cache.lookup(SCOPE, "What is the best way to learn Java?")).isPresent();
      assertThat(cache.lookup(SCOPE, "What's the best way to learn Java?")).isPresent();
      time.advance(Duration.ofMinutes(1));
      assertThat(cache.lookup(SCOPE, "What's the best way to learn Java?")).isEmpty();
      assertThat(cache.lookup(SCOPE, "What is the best way to learn Java?")).isEmpty();
      assertThat(cache.stats().entries()).isZero();
    }
  }

  @Test
  void eachScopeKeepsAtMostItsBoundLeastRecentlyUsedOut() {
    try (SemanticCache<Integer> cache =
        SemanticCache.builder(model).maxEntriesPerScope(2).build()) {
      cache.put(SCOPE, "What is the capital of France?", 1);
      cache.put(SCOPE, "How tall is Mount Everest?", 2);
      cache.lookup(SCOPE, "What is the capital of France?");
      cache.put(SCOPE, "Who wrote Hamlet?", 3);
      assertThat(cache.lookup(SCOPE, "How tall is Mount Everest?")).isEmpty();
      assertThat(cache.lookup(SCOPE, "What is the capital of France?")).isPresent();
      assertThat(cache.lookup(SCOPE, "Who wrote Hamlet?")).isPresent();
      assertThat(cache.stats().entries()).isEqualTo(2);
    }
  }

  @Test
  void theByteBoundTakesTheLeastRecentlyUsedScopeFirst() {
    ManualTime time = ManualTime.create();
    // An entry here weighs about 2.1 KiB (mostly its 384-float vector and int8 copy): two fit.
    try (SemanticCache<String> cache =
        SemanticCache.builder(model).maxBytes(5_000).ticker(time.ticker()).build()) {
      cache.put("a", "What is the capital of France?", "Paris");
      time.advance(Duration.ofSeconds(1));
      cache.put("b", "How tall is Mount Everest?", "8849 m");
      time.advance(Duration.ofSeconds(1));
      assertThat(cache.lookup("a", "What is the capital of France?")).isPresent();
      time.advance(Duration.ofSeconds(1));
      cache.put("a", "Who wrote Hamlet?", "Shakespeare");

      assertThat(cache.lookup("b", "How tall is Mount Everest?")).isEmpty();
      assertThat(cache.lookup("a", "What is the capital of France?")).isPresent();
      assertThat(cache.lookup("a", "Who wrote Hamlet?")).isPresent();
      SemanticCache.Stats stats = cache.stats();
      assertThat(stats.entries()).isEqualTo(2);
      assertThat(stats.scopes()).as("the emptied scope goes").isEqualTo(1);
      assertThat(stats.bytes()).isBetween(2 * 2_000L, 5_000L);

      cache.evict("a", "Who wrote Hamlet?");
      assertThat(cache.stats().bytes()).isBetween(2_000L, 2_500L);
    }
  }

  @Test
  void theBytesHeldReturnToZero() {
    SemanticCache<String> cache = SemanticCache.builder(model).maxEntriesPerScope(1).build();
    cache.put(SCOPE, "What is the capital of France?", "Paris");
    cache.put(SCOPE, "What is the capital of France?", "Paris, again");
    cache.put(SCOPE, "How tall is Mount Everest?", "8849 m");
    assertThat(cache.stats().entries()).isEqualTo(1);
    assertThat(cache.stats().bytes()).isBetween(2_000L, 2_500L);
    cache.close();
    assertThat(cache.stats().bytes()).isZero();
  }

  @Test
  void churnUnderTheBoundKeepsWorking() {
    try (SemanticCache<Integer> cache =
        SemanticCache.builder(model).maxEntriesPerScope(3).build()) {
      List<String> texts = new ArrayList<>();
      for (int i = 0; i < 80; i++) {
        texts.add("question number " + i + " about topic " + (i * 7));
        cache.put(SCOPE, texts.get(i), i);
      }
      assertThat(cache.stats().entries()).isEqualTo(3);
      assertThat(cache.lookup(SCOPE, texts.get(79)).map(SemanticCache.Hit::value)).contains(79);
      assertThat(cache.lookup(SCOPE, texts.get(10))).isEmpty();
    }
  }

  @Test
  void blankTextIsAnErrorAndHugeTextPassesThrough() {
    try (SemanticCache<String> cache = SemanticCache.builder(model).maxTextChars(100).build()) {
      assertThatThrownBy(() -> cache.lookup(SCOPE, " "))
          .hasMessage("text must not be blank, but was ' '");
      assertThatThrownBy(() -> cache.put(SCOPE, "", "v"))
          .hasMessageContaining("text must not be blank");
      String huge = "why ".repeat(200);
      cache.put(SCOPE, huge, "v");
      assertThat(cache.lookup(SCOPE, huge)).isEmpty();
      assertThat(cache.stats().entries()).isZero();
    }
  }

  @Test
  void verifierIsAskedOnlyAboutAcceptedCandidates() {
    List<String> asked = new ArrayList<>();
    try (SemanticCache<String> cache =
        SemanticCache.builder(model)
            .verifier(
                (q, c) -> {
                  asked.add(c);
                  return false;
                })
            .build()) {
      cache.put(SCOPE, "What is the best way to learn Java?", "java");
      cache.put(SCOPE, "What is the capital of France?", "paris");
      assertThat(cache.lookup(SCOPE, "What's the best way to learn Java?")).isEmpty();
      assertThat(asked).containsExactly("What is the best way to learn Java?");
      assertThat(cache.stats().verifierRejections()).isEqualTo(1);
    }
  }

  @Test
  void closeReleasesEverything() {
    SemanticCache<String> cache = SemanticCache.builder(model).build();
    cache.put(SCOPE, "How do I learn Java?", "answer");
    cache.close();
    assertThat(cache.stats().entries()).isZero();
    assertThat(cache.stats().scopes()).isZero();
    assertThatThrownBy(() -> cache.lookup(SCOPE, "How do I learn Java?"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
    cache.close();
  }

  @Test
  void badSettingsNameTheSettingTheRangeAndTheValue() {
    assertThatThrownBy(() -> SemanticCache.builder(model).topK(0))
        .hasMessage("topK must be in [1, 100], but was 0");
    assertThatThrownBy(() -> SemanticCache.builder(model).decisionThreshold(1.5))
        .hasMessage("decisionThreshold must be in [-1.0, 1.0], but was 1.5");
    assertThatThrownBy(() -> SemanticCache.builder(model).ttl(Duration.ZERO))
        .hasMessageContaining("ttl must be in");
    assertThatThrownBy(() -> SemanticCache.builder(model).maxBytes(10))
        .hasMessage("maxBytes must be in [1024, 1099511627776], but was 10");
    assertThatThrownBy(() -> SemanticCache.builder(model).topK(3).topK(4))
        .hasMessage("topK was already set");
    assertThatThrownBy(() -> SemanticCache.builder(model).guard(PrecisionGuard.cosine()).build())
        .hasMessageContaining("decisionThreshold must be set with a custom guard");
  }
}
