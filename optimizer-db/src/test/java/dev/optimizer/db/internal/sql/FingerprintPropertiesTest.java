package dev.optimizer.db.internal.sql;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.StringLength;

/**
 * Properties of fingerprints over generated statements. Seeds are fixed so that every run checks
 * the same cases; change a seed to explore others.
 */
class FingerprintPropertiesTest {

  private static final Map<SqlDialect, Fingerprinter> FINGERPRINTERS = new ConcurrentHashMap<>();

  /** Two renderings of one statement that differ only in literals, whitespace, comments, case. */
  record Pair(SqlDialect dialect, String a, String b) {}

  /** A statement and a copy that differs in one structural part. */
  record Variant(String original, String changed, String what) {}

  private static Fingerprint fingerprint(SqlDialect dialect, String sql) {
    return FINGERPRINTERS
        .computeIfAbsent(dialect, d -> Fingerprinter.builder(d).cacheSize(0).build())
        .fingerprint(sql);
  }

  @Provide
  Arbitrary<Pair> sameStatement() {
    return SqlGenerators.dialects()
        .flatMap(
            dialect ->
                SqlGenerators.templates()
                    .flatMap(
                        template ->
                            Combinators.combine(
                                    SqlGenerators.render(dialect, template, false),
                                    SqlGenerators.render(dialect, template, false))
                                .as((a, b) -> new Pair(dialect, a.sql(), b.sql()))));
  }

  @Property(tries = 600, seed = "4242")
  void statementsDifferingOnlyInLiteralsShareAFingerprint(@ForAll("sameStatement") Pair pair) {
    Fingerprint a = fingerprint(pair.dialect(), pair.a());
    Fingerprint b = fingerprint(pair.dialect(), pair.b());

    assertThat(b.normalizedText()).isEqualTo(a.normalizedText());
    assertThat(b.id()).isEqualTo(a.id());
    assertThat(b.querySummary()).isEqualTo(a.querySummary());
    assertThat(a.fallback()).as("fallback for %s", pair.a()).isFalse();
  }

  @Provide
  Arbitrary<Variant> structuralVariants() {
    Arbitrary<String> names =
        Arbitraries.strings()
            .withCharRange('a', 'z')
            .ofMinLength(2)
            .ofMaxLength(7)
            .filter(n -> Keywords.lookup(n, 0, n.length()) < 0);
    Arbitrary<String> operators = Arbitraries.of("=", "<>", "<", ">", "<=", ">=", "!=", "LIKE");
    Arbitrary<Integer> clauses = Arbitraries.integers().between(0, 4);
    Arbitrary<Integer> part = Arbitraries.integers().between(0, 4);
    Arbitrary<Long> value = Arbitraries.longs().between(0, 1_000_000);
    return Combinators.combine(names, names, names, operators, clauses, part, names, value)
        .as(
            (table, column, filter, operator, clause, which, other, v) -> {
              String[] parts = {table, column, filter, operator, String.valueOf(clause)};
              String[] changed = parts.clone();
              switch (which) {
                case 0:
                case 1:
                case 2:
                  changed[which] = other.equals(parts[which]) ? other + "q" : other;
                  break;
                case 3:
                  changed[3] = operator.equals("=") ? "<>" : "=";
                  break;
                default:
                  changed[4] = String.valueOf((clause + 1) % 5);
                  break;
              }
              String[] what = {"table", "column", "filter column", "operator", "clause"};
              return new Variant(select(parts, v), select(changed, v + 1), what[which]);
            });
  }

  private static String select(String[] parts, long value) {
    String[] clauses = {"", " ORDER BY id", " LIMIT 10", " GROUP BY id", " AND id IS NULL"};
    return "SELECT "
        + parts[1]
        + " FROM "
        + parts[0]
        + " WHERE "
        + parts[2]
        + " "
        + parts[3]
        + " "
        + value
        + clauses[Integer.parseInt(parts[4])];
  }

  @Property(tries = 600, seed = "777")
  void statementsWithADifferentStructureGetDifferentFingerprints(
      @ForAll("structuralVariants") Variant variant) {
    Fingerprint original = fingerprint(SqlDialect.POSTGRESQL, variant.original());
    Fingerprint changed = fingerprint(SqlDialect.POSTGRESQL, variant.changed());

    assertThat(changed.normalizedText())
        .as("changed %s", variant.what())
        .isNotEqualTo(original.normalizedText());
    assertThat(changed.id()).as("changed %s", variant.what()).isNotEqualTo(original.id());
  }

  @Provide
  Arbitrary<Map.Entry<SqlDialect, SqlGenerators.Rendered>> distinctiveStatements() {
    return SqlGenerators.dialects()
        .flatMap(
            dialect ->
                SqlGenerators.templates()
                    .flatMap(t -> SqlGenerators.render(dialect, t, true))
                    .map(rendered -> Map.entry(dialect, rendered)));
  }

  @Property(tries = 600, seed = "31337")
  void noLiteralValueEverAppearsInTheOutput(
      @ForAll("distinctiveStatements") Map.Entry<SqlDialect, SqlGenerators.Rendered> statement) {
    Fingerprint fingerprint = fingerprint(statement.getKey(), statement.getValue().sql());
    List<String> outputs =
        List.of(
            fingerprint.normalizedText(),
            fingerprint.querySummary(),
            fingerprint.operation(),
            fingerprint.collection().orElse(""),
            fingerprint.toString());

    for (String secret : statement.getValue().secrets()) {
      assertThat(outputs).noneMatch(output -> output.contains(secret));
    }
    assertThat(fingerprint.normalizedText()).doesNotContain("zq8x").doesNotContain("97531");
  }

  @Provide
  Arbitrary<String> sqlSoup() {
    Arbitrary<String> fragments =
        Arbitraries.of(
            "'", "\"", "`", "$$", "$a$", "$1", "/*", "*/", "/*!", "--", "-- ", "#", "//", "E'",
            "U&'", "U&\"", "X'", "_utf8'", "\\", "(", ")", "[", "]", "::", ":", ":x", "?", "?1",
            "SELECT", "FROM", "IN", "VALUES", "ARRAY", "CREATE", "TABLE", "WITH", "CALL", "{", "}",
            ",", ";", ".", "-", "+", "=", "0x", "1e", "1.5", ".5", "42", " ", "\n", "é", "\uD83D",
            "\uDE00", "t1", "x");
    return fragments.list().ofMaxSize(60).map(list -> String.join("", list));
  }

  @Property(tries = 1000, seed = "99")
  void sqlLikeGarbageNeverThrows(
      @ForAll("sqlSoup") String sql, @ForAll("dialectsProvider") SqlDialect dialect) {
    checkWellBehaved(dialect, sql);
  }

  @Property(tries = 1000, seed = "100")
  void arbitraryStringsNeverThrow(
      @ForAll @StringLength(max = 200) String sql, @ForAll("dialectsProvider") SqlDialect dialect) {
    checkWellBehaved(dialect, sql);
  }

  @Property(tries = 300, seed = "5")
  void theNormalizedTextHasTheSameFingerprintAndSummary(@ForAll("sameStatement") Pair pair) {
    Fingerprint raw = fingerprint(pair.dialect(), pair.a());
    Fingerprint normalized = fingerprint(pair.dialect(), raw.normalizedText());

    assertThat(normalized).isEqualTo(raw);
    assertThat(normalized.querySummary()).isEqualTo(raw.querySummary());
    assertThat(normalized.operation()).isEqualTo(raw.operation());
    assertThat(normalized.collection()).isEqualTo(raw.collection());
  }

  @Property(tries = 500, seed = "6")
  void garbageNormalizesToAFixedPoint(
      @ForAll("sqlSoup") String sql, @ForAll("dialectsProvider") SqlDialect dialect) {
    Fingerprint raw = fingerprint(dialect, sql);
    Fingerprint normalized = fingerprint(dialect, raw.normalizedText());

    assertThat(normalized.normalizedText()).isEqualTo(raw.normalizedText());
    assertThat(normalized.querySummary()).isEqualTo(raw.querySummary());
  }

  @Provide
  Arbitrary<SqlDialect> dialectsProvider() {
    return SqlGenerators.dialects();
  }

  private static void checkWellBehaved(SqlDialect dialect, String sql) {
    Fingerprint fingerprint = fingerprint(dialect, sql);

    assertThat(fingerprint.normalizedText()).isNotNull();
    assertThat(fingerprint.id()).isEqualTo(FingerprintHash.of(fingerprint.normalizedText()));
    assertThat(fingerprint.querySummary()).hasSizeLessThanOrEqualTo(255);
    assertThat(fingerprint.normalizedText().length()).isLessThanOrEqualTo(3 * sql.length() + 2);
    assertThat(fingerprint(dialect, sql)).isEqualTo(fingerprint);
  }
}
