package dev.optimizer.db.internal;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** The texts a statistics entry and a finding keep are bounded prefixes of the full one. */
class StatementKeyTest {
  private static final int MAX = StatementKey.MAX_STATISTICS_TEXT;

  /** Lengths around both bounds, of ASCII or of characters outside the BMP (surrogate pairs). */
  @Provide
  Arbitrary<String> texts() {
    Arbitrary<Integer> lengths =
        Arbitraries.oneOf(
            Arbitraries.integers().between(0, 9000),
            Arbitraries.integers().between(1020, 1030),
            Arbitraries.integers().between(MAX - 4, MAX + 4));
    Arbitrary<String> ascii = lengths.map("x"::repeat);
    // An odd lead puts the cut after the first or the second half of a pair.
    Arbitrary<String> astral =
        Arbitraries.integers()
            .between(0, 1)
            .flatMap(lead -> lengths.map(n -> "a".repeat(lead) + "\uD83D\uDE00".repeat(n / 2)));
    return Arbitraries.oneOf(ascii, astral);
  }

  @Property(tries = 300)
  void theStatisticsKeyKeepsTheIdAndABoundedPrefixNeverHalfAPair(@ForAll("texts") String text) {
    StatementKey key = new StatementKey(7, text, "SELECT", "t", "SELECT t");

    StatementKey kept = key.statisticsKey();

    assertThat(kept.id()).isEqualTo(key.id());
    assertThat(kept.operation()).isEqualTo("SELECT");
    assertThat(kept.collection()).isEqualTo("t");
    assertThat(kept.summary()).isEqualTo("SELECT t");
    if (text.length() <= MAX) {
      assertThat(kept).isSameAs(key);
    } else {
      String prefix = kept.text().substring(0, kept.text().length() - 2);
      assertThat(kept.text()).endsWith(StatementKey.TRUNCATION_MARK);
      assertThat(text).startsWith(prefix);
      assertThat(prefix.length()).isBetween(MAX - 1, MAX);
      assertThat(Character.isHighSurrogate(prefix.charAt(prefix.length() - 1))).isFalse();
    }
    String finding = key.findingText();
    assertThat(finding.length())
        .isLessThanOrEqualTo(StatementKey.MAX_FINDING_TEXT + StatementKey.TRUNCATION_MARK.length());
    if (text.length() <= StatementKey.MAX_FINDING_TEXT) {
      assertThat(finding).isSameAs(text);
    }
  }
}
