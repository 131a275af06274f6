package dev.optimizer.ai.semantic.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

class TextSimilarityTest {

  @Test
  void knownValues() {
    assertThat(TextSimilarity.edit("kitten", "sitting")).isCloseTo(1 - 3 / 7.0, within(1e-12));
    assertThat(TextSimilarity.commonRun("abcdef", "zcdez")).isCloseTo(3 / 5.0, within(1e-12));
    assertThat(TextSimilarity.trigrams("abcd", "abce")).isCloseTo(1 / 3.0, within(1e-12));
    assertThat(TextSimilarity.edit("", "")).isEqualTo(1);
    assertThat(TextSimilarity.edit("", "abc")).isZero();
    assertThat(TextSimilarity.commonRun("", "abc")).isZero();
    assertThat(TextSimilarity.trigrams("ab", "ab")).isEqualTo(1);
    assertThat(TextSimilarity.trigrams("ab", "abc")).isZero();
  }

  @Test
  void longTextsAreComparedOnTheirOpeningOnly() {
    String prefix = "x".repeat(TextSimilarity.MAX_CHARS);
    assertThat(TextSimilarity.edit(prefix + "tail one", prefix + "another tail")).isEqualTo(1);
    assertThat(TextSimilarity.commonRun(prefix + "a", prefix + "b")).isEqualTo(1);
    assertThat(TextSimilarity.trigrams(prefix + "abc", prefix + "xyz")).isEqualTo(1);
  }

  @Property(tries = 300)
  void symmetricBoundedAndOneForEqualTexts(
      @ForAll @StringLength(max = 40) String a, @ForAll @StringLength(max = 40) String b) {
    for (Measure m :
        new Measure[] {TextSimilarity::edit, TextSimilarity::commonRun, TextSimilarity::trigrams}) {
      double ab = m.of(a, b);
      assertThat(ab).isBetween(0.0, 1.0).isEqualTo(m.of(b, a));
      assertThat(m.of(a, a)).isEqualTo(1);
    }
  }

  private interface Measure {
    double of(String a, String b);
  }
}
