package dev.optimizer.ai.semantic.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class PairFeaturesTest {

  private static double feature(String name, String a, String b) {
    return PairFeatures.of(a, b)[PairFeatures.NAMES.indexOf(name)];
  }

  @Test
  void identicalTextsHaveNoMismatch() {
    double[] f =
        PairFeatures.of("How do I convert 5 kg to pounds?", "how do i convert 5 kg to pounds");
    for (int i = 0; i < f.length; i++) {
      if (i != PairFeatures.SIZE) {
        assertThat(f[i]).as(PairFeatures.NAMES.get(i)).isZero();
      }
    }
    assertThat(f[PairFeatures.SIZE]).as("size: 16 words of 100").isEqualTo(0.16);
  }

  @Test
  void characterLevelFeaturesSeeInflectionsAndReordering() {
    String a = "How can I learn programming?";
    String b = "How can I learning programming?";
    assertThat(feature("trigrams", a, b)).isStrictlyBetween(0.0, 0.5);
    assertThat(feature("edit", a, b)).isCloseTo(3 / 30.0, within(1e-9));
    assertThat(feature("common_run", a, b)).isStrictlyBetween(0.0, 0.5);
    assertThat(feature("sorted_edit", "learn java fast", "fast java learn")).isZero();
    assertThat(feature("edit", "learn java fast", "fast java learn")).isPositive();
    assertThat(feature("first_word", "Why is it?", "How is it?")).isEqualTo(1);
    assertThat(feature("first_two", "Why is it?", "Why was it?")).isEqualTo(1);
    assertThat(feature("first_two", "Why is it?", "why is that?")).isZero();
    assertThat(feature("last_word", "Why is it?", "why is that?")).isEqualTo(1);
  }

  @Test
  void numbersYearsAndNumberWordsMustMatch() {
    assertThat(feature("numbers", "Is 7 a prime number?", "Is 9 a prime number?")).isEqualTo(1);
    assertThat(feature("numbers", "Best phones of 2016?", "Best phones of 2017?")).isEqualTo(1);
    assertThat(feature("numbers", "Is 1,000 a lot?", "Is 1000 a lot?")).isZero();
    assertThat(feature("numbers", "I have two cats", "I have 2 cats")).isZero();
    assertThat(feature("numbers", "Which one is better?", "Which is better?")).isZero();
  }

  @Test
  void swappedNumbersAreASwap() {
    assertThat(feature("order", "What is 10 minus 3?", "What is 3 minus 10?")).isEqualTo(1);
    assertThat(feature("order", "Count from 3 to 5", "Count from 5 to 3")).isEqualTo(1);
    assertThat(feature("order", "What is ten minus three?", "What is three minus ten?"))
        .isEqualTo(1);
    // The same numbers in the same order, or around a symmetric connector, are no swap.
    assertThat(feature("order", "What is 10 minus 3?", "what is 10 minus 3")).isZero();
    assertThat(feature("order", "Is 3 and 5 prime?", "Is 5 and 3 prime?")).isZero();
    // A number named twice is not the same as named once.
    assertThat(feature("numbers", "Is 3 times 3 nine?", "Is 3 nine?")).isEqualTo(1);
  }

  @Test
  void negationOnOneSideOnly() {
    assertThat(feature("negation", "Why can't I sleep at night?", "Why can I sleep at night?"))
        .isEqualTo(1);
    assertThat(
            feature("negation", "Is life possible without water?", "Is life possible with water?"))
        .isEqualTo(1);
    assertThat(feature("negation", "Why don't cats swim?", "Why do cats never swim?")).isZero();
  }

  @Test
  void swappedRolesAreOutOfOrder() {
    assertThat(
            feature(
                "order",
                "How do I convert ethanol to ethanoic acid?",
                "How do I convert ethanoic acid to ethanol?"))
        .isEqualTo(1);
    assertThat(
            feature(
                "order",
                "Why do Indian women marry Pakistani men?",
                "Why do Pakistani women marry Indian men?"))
        .isEqualTo(1);
    assertThat(
            feature(
                "order",
                "What is the difference between Java and Python?",
                "What is the difference between Python and Java?"))
        .isZero();
    assertThat(feature("order", "How can I learn Java fast?", "How do I learn Java fast?"))
        .isZero();
  }

  @Test
  void oneSidedNamesAndWords() {
    assertThat(feature("entities", "Is Tokyo expensive?", "Is Paris expensive?")).isEqualTo(1);
    assertThat(feature("content", "Is Tokyo expensive?", "Is Paris expensive?")).isGreaterThan(0.5);
    assertThat(feature("length", "Why?", "Why is the sky blue during the day?")).isGreaterThan(0.5);
  }

  @Test
  void discordanceCountsInvertedPairs() {
    assertThat(PairFeatures.discordance(List.of("a", "b", "c"), List.of("c", "b", "a")))
        .isEqualTo(1.0);
    assertThat(PairFeatures.discordance(List.of("a", "b"), List.of("a", "b"))).isZero();
    assertThat(PairFeatures.discordance(List.of("a"), List.of("a"))).isZero();
  }
}
