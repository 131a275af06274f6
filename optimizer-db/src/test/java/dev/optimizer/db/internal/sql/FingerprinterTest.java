package dev.optimizer.db.internal.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The fingerprinter's contract: input checks, flags, settings, cache, truncation, output. */
class FingerprinterTest {

  private static final long PINNED_SELECT_ID = 0x746a76439805d3f7L;

  private final Fingerprinter fingerprinter = Fingerprinter.create(SqlDialect.POSTGRESQL);

  @Test
  void nullIsRefusedWithAClearMessage() {
    assertThatThrownBy(() -> fingerprinter.fingerprint(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("sql must not be null");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "   ", "\n\t", "-- only a comment", "/* only */", ";"})
  void blankInputGetsAFallbackFingerprint(String sql) {
    Fingerprint fingerprint = fingerprinter.fingerprint(sql);

    assertThat(fingerprint.fallback()).isTrue();
    assertThat(fingerprint.normalizedText()).isEmpty();
    assertThat(fingerprint.operation()).isEmpty();
    assertThat(fingerprint.querySummary()).isEmpty();
    assertThat(fingerprint.collection()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "hello world",
        "SELECT 'unterminated",
        "SELECT (1",
        "SELECT 1)",
        "SELECT /* unterminated",
        "42"
      })
  void statementsItCannotMakeSenseOfAreMarkedFallback(String sql) {
    assertThat(fingerprinter.fingerprint(sql).fallback()).isTrue();
  }

  @Test
  void wellFormedStatementsAreNotFallback() {
    assertThat(fingerprinter.fingerprint("SELECT 1").fallback()).isFalse();
    assertThat(fingerprinter.fingerprint("BEGIN").fallback()).isFalse();
    assertThat(fingerprinter.fingerprint("SET search_path = public").fallback()).isFalse();
  }

  @Test
  void idIsTheDocumentedHashOfTheNormalizedText() {
    Fingerprint fingerprint = fingerprinter.fingerprint("SELECT * FROM t WHERE a = 1");

    assertThat(fingerprint.id()).isEqualTo(FingerprintHash.of(fingerprint.normalizedText()));
    assertThat(fingerprint.hexId()).hasSize(16).matches("[0-9a-f]{16}");
    assertThat(Long.parseUnsignedLong(fingerprint.hexId(), 16)).isEqualTo(fingerprint.id());
    // Pinned: the id is a stored key, it must not change between releases.
    assertThat(FingerprintHash.of("SELECT ?")).isEqualTo(PINNED_SELECT_ID);
  }

  @Test
  void settingsAreCheckedWithMessagesNamingSettingRangeAndValue() {
    assertThatThrownBy(() -> Fingerprinter.builder(SqlDialect.MYSQL).maxStatementLength(10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxStatementLength must be in [1024, 16777216], but was 10");
    assertThatThrownBy(() -> Fingerprinter.builder(SqlDialect.MYSQL).cacheSize(-1))
        .hasMessage("cacheSize must be in [0, 1000000], but was -1");
    assertThatThrownBy(() -> Fingerprinter.builder(SqlDialect.MYSQL).maxNestingDepth(8))
        .hasMessage("maxNestingDepth must be in [16, 4096], but was 8");
    assertThatThrownBy(() -> Fingerprinter.builder(SqlDialect.MYSQL).maxCachedStatementLength(-5))
        .hasMessage("maxCachedStatementLength must be in [0, 16777216], but was -5");
    assertThatThrownBy(() -> Fingerprinter.builder(SqlDialect.MYSQL).cacheSize(5).cacheSize(6))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("cacheSize was already set");
    assertThatThrownBy(() -> Fingerprinter.builder(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("dialect must not be null");
  }

  @Test
  void aRepeatedStatementIsServedFromTheCache() {
    String sql = "SELECT * FROM t WHERE a = 1";

    assertThat(fingerprinter.fingerprint(sql)).isSameAs(fingerprinter.fingerprint(sql));
    assertThat(fingerprinter.estimatedCacheSize()).isEqualTo(1);
  }

  @Test
  void theCacheCanBeTurnedOffAndSkipsLongStatements() {
    Fingerprinter uncached = Fingerprinter.builder(SqlDialect.GENERIC).cacheSize(0).build();
    assertThat(uncached.fingerprint("SELECT 1")).isEqualTo(uncached.fingerprint("SELECT 1"));
    assertThat(uncached.estimatedCacheSize()).isZero();

    Fingerprinter shortOnly =
        Fingerprinter.builder(SqlDialect.GENERIC).maxCachedStatementLength(20).build();
    shortOnly.fingerprint("SELECT * FROM a_rather_long_table_name");
    assertThat(shortOnly.estimatedCacheSize()).isZero();
  }

  @Test
  void aLongStatementIsFingerprintedFromItsPrefixAndMarkedTruncated() {
    Fingerprinter small =
        Fingerprinter.builder(SqlDialect.POSTGRESQL).maxStatementLength(1024).build();
    // Four-digit numbers only, so both prefixes hold the same number of list elements.
    String a = "SELECT * FROM t WHERE id IN (" + numbers(1000, 2000) + ") AND x = 'secret'";
    String b = "SELECT * FROM t WHERE id IN (" + numbers(5000, 1000) + ")";

    Fingerprint fa = small.fingerprint(a);
    Fingerprint fb = small.fingerprint(b);

    assertThat(fa.truncated()).isTrue();
    assertThat(fa.fallback()).isFalse();
    assertThat(fa.originalLength()).isEqualTo(a.length());
    assertThat(fa.normalizedText()).startsWith("SELECT * FROM t WHERE id IN (?, ?").endsWith(" …");
    assertThat(fa.normalizedText()).doesNotContain("secret").doesNotContainPattern("[0-9]");
    // Same normalized prefix, same fingerprint: the id never depends on raw text.
    assertThat(fb.id()).isEqualTo(fa.id());
    assertThat(fa.toString()).contains("truncated from " + a.length() + " chars");
  }

  @Test
  void truncationNeverSplitsASurrogatePair() {
    Fingerprinter small =
        Fingerprinter.builder(SqlDialect.POSTGRESQL).maxStatementLength(1024).build();
    String sql = "SELECT " + "x".repeat(1016) + "\uD83D\uDE00" + " FROM t";

    String text = small.fingerprint(sql).normalizedText();

    assertThat(text.chars().filter(c -> Character.isSurrogate((char) c)).count()).isZero();
  }

  @Test
  void listsAreCollapsedUpToTheNestingLimitAndOnlyWrittenOutBeyondIt() {
    Fingerprinter limited =
        Fingerprinter.builder(SqlDialect.POSTGRESQL).maxNestingDepth(16).build();
    String shallow = "SELECT " + "(".repeat(14) + "x IN (1, 2, 3)" + ")".repeat(14);
    String deep = "SELECT " + "(".repeat(20) + "x IN (1, 2, 3)" + ")".repeat(20);

    Fingerprint within = limited.fingerprint(shallow);
    Fingerprint beyond = limited.fingerprint(deep);

    assertThat(within.normalizedText()).contains("x IN (?)");
    assertThat(within.fallback()).isFalse();
    assertThat(beyond.normalizedText()).contains("x IN (?, ?, ?)");
    assertThat(beyond.normalizedText())
        .startsWith("SELECT " + "(".repeat(20))
        .endsWith(")".repeat(20));
    assertThat(beyond.fallback()).isTrue();
  }

  @Test
  void droppedValuesRowsDoNotRepeatInTheSummary() {
    Fingerprint fingerprint =
        fingerprinter.fingerprint(
            "INSERT INTO t (a) VALUES ((SELECT max(id) FROM s)), ((SELECT max(id) FROM s))");

    assertThat(fingerprint.normalizedText())
        .isEqualTo("INSERT INTO t(a) VALUES ((SELECT MAX(id) FROM s))");
    assertThat(fingerprint.querySummary()).isEqualTo("INSERT t SELECT s");
  }

  @Test
  void toStringShowsNoLiteral() {
    Fingerprint fingerprint =
        fingerprinter.fingerprint("SELECT * FROM users WHERE email = 'alice@example.com'");

    assertThat(fingerprint.toString())
        .contains("SELECT users")
        .contains(fingerprint.hexId())
        .doesNotContain("alice");
  }

  @Test
  void fingerprintsAreValuesAndIgnoreTheRawLength() {
    Fingerprint a = fingerprinter.fingerprint("SELECT * FROM t WHERE id IN (1)");
    Fingerprint b = fingerprinter.fingerprint("SELECT * FROM t WHERE id IN (1, 2, 3, 4)");

    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
    assertThat(a.originalLength()).isNotEqualTo(b.originalLength());
    assertThat(a).isNotEqualTo(Fingerprinter.create(SqlDialect.MYSQL).fingerprint("SELECT 1"));
  }

  @Test
  void isSafeToShareBetweenThreads() {
    List<String> statements =
        IntStream.range(0, 2000)
            .mapToObj(i -> "SELECT * FROM t" + (i % 50) + " WHERE a = " + i)
            .collect(Collectors.toList());
    Fingerprinter shared = Fingerprinter.builder(SqlDialect.POSTGRESQL).cacheSize(64).build();

    List<Fingerprint> parallel =
        statements.parallelStream().map(shared::fingerprint).collect(Collectors.toList());

    Fingerprinter reference = Fingerprinter.builder(SqlDialect.POSTGRESQL).cacheSize(0).build();
    assertThat(parallel)
        .containsExactlyElementsOf(
            statements.stream().map(reference::fingerprint).collect(Collectors.toList()));
  }

  @Test
  void toStringOfTheFingerprinterNamesItsSettings() {
    assertThat(fingerprinter.toString())
        .isEqualTo(
            "Fingerprinter{dialect=POSTGRESQL, maxStatementLength=65536, maxNestingDepth=256,"
                + " cacheSize=10000, maxCachedStatementLength=8192}");
    assertThat(fingerprinter.dialect()).isEqualTo(SqlDialect.POSTGRESQL);
  }

  private static String numbers(int from, int count) {
    return IntStream.range(from, from + count)
        .mapToObj(Integer::toString)
        .collect(Collectors.joining(", "));
  }
}
