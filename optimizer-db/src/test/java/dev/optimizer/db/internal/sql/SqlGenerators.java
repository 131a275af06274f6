package dev.optimizer.db.internal.sql;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * jqwik generators of SQL statements: templates whose literal slots are filled with each dialect's
 * literal forms, whose tokens are separated by random whitespace and comments, and whose keywords
 * come in random case. Two renderings of one template differ only in what a fingerprint must
 * ignore.
 */
final class SqlGenerators {

  /** A rendered statement and the distinctive literal values it holds. */
  record Rendered(String sql, List<String> secrets) {}

  /** One literal as written in SQL, and the part of it that must never show in any output. */
  record Literal(String sql, String secret) {}

  /**
   * Templates: tokens separated by single spaces. Upper-case words are keywords, lower-case words
   * identifiers; {@code {v}} is one literal, {@code {list}} a list of them, {@code {rowsN}}
   * multi-row VALUES of N columns.
   */
  static final List<String> TEMPLATES =
      List.of(
          "SELECT * FROM users WHERE id = {v}",
          "SELECT a , b FROM t WHERE a = {v} AND b <> {v} OR c > {v}",
          "SELECT * FROM orders WHERE status IN ( {list} ) AND total >= {v}"
              + " ORDER BY created DESC LIMIT {v} OFFSET {v}",
          "INSERT INTO items ( a , b , c ) VALUES {rows3}",
          "UPDATE accounts SET balance = balance + {v} , note = {v} WHERE id = {v}",
          "DELETE FROM sessions WHERE token = {v} OR user_id NOT IN ( {list} )",
          "SELECT COUNT ( * ) FROM t1 JOIN t2 ON t1.id = t2.t1_id WHERE t2.kind = {v}"
              + " GROUP BY t1.id HAVING COUNT ( * ) > {v}",
          "SELECT * FROM t WHERE x BETWEEN {v} AND {v} AND y LIKE {v}",
          "WITH r AS ( SELECT id FROM t WHERE v = {v} ) SELECT * FROM r WHERE id IN ( {list} )",
          "SELECT CASE WHEN a = {v} THEN {v} ELSE {v} END FROM t",
          "INSERT INTO pairs ( k , v ) VALUES {rows2} ON CONFLICT ( k ) DO NOTHING");

  private SqlGenerators() {}

  static Arbitrary<SqlDialect> dialects() {
    // CONSERVATIVE lexes a database not known yet; statements are written in a real dialect.
    return Arbitraries.of(
        SqlDialect.POSTGRESQL, SqlDialect.MYSQL, SqlDialect.H2, SqlDialect.GENERIC);
  }

  static Arbitrary<String> templates() {
    return Arbitraries.of(TEMPLATES);
  }

  /** A rendering of {@code template} with any literals, separators and keyword case. */
  static Arbitrary<Rendered> render(SqlDialect dialect, String template, boolean distinctive) {
    String[] tokens = template.split(" ");
    int slots = 0;
    for (String token : tokens) {
      if (token.equals("{list}") || token.startsWith("{rows")) {
        slots++;
      }
    }
    return Arbitraries.integers()
        .between(1, 12)
        .list()
        .ofSize(slots)
        .flatMap(sizes -> render(dialect, expand(tokens, sizes), distinctive));
  }

  private static Arbitrary<Rendered> render(
      SqlDialect dialect, List<String> tokens, boolean distinctive) {
    int literals = (int) tokens.stream().filter(t -> t.equals("{v}")).count();
    Arbitrary<List<Literal>> values = literal(dialect, distinctive).list().ofSize(literals);
    Arbitrary<List<String>> separators = separator(dialect).list().ofSize(tokens.size());
    Arbitrary<List<Integer>> cases =
        Arbitraries.integers().between(0, 2).list().ofSize(tokens.size());
    return Combinators.combine(values, separators, cases)
        .as(
            (v, s, c) -> {
              StringBuilder sql = new StringBuilder();
              List<String> secrets = new ArrayList<>();
              int next = 0;
              for (int i = 0; i < tokens.size(); i++) {
                String token = tokens.get(i);
                if (token.equals("{v}")) {
                  Literal literal = v.get(next++);
                  sql.append(literal.sql());
                  if (literal.secret() != null) {
                    secrets.add(literal.secret());
                  }
                } else {
                  sql.append(keywordCase(token, c.get(i)));
                }
                sql.append(s.get(i));
              }
              return new Rendered(sql.toString(), secrets);
            });
  }

  /** The template's tokens with each list or row slot expanded to the given number of items. */
  private static List<String> expand(String[] tokens, List<Integer> sizes) {
    List<String> out = new ArrayList<>();
    int slot = 0;
    for (String token : tokens) {
      if (token.equals("{list}")) {
        int n = sizes.get(slot++);
        for (int i = 0; i < n; i++) {
          if (i > 0) {
            out.add(",");
          }
          out.add("{v}");
        }
      } else if (token.startsWith("{rows")) {
        int columns = token.charAt(5) - '0';
        int rows = sizes.get(slot++);
        for (int r = 0; r < rows; r++) {
          if (r > 0) {
            out.add(",");
          }
          out.add("(");
          for (int c = 0; c < columns; c++) {
            if (c > 0) {
              out.add(",");
            }
            out.add("{v}");
          }
          out.add(")");
        }
      } else {
        out.add(token);
      }
    }
    return out;
  }

  private static String keywordCase(String token, int style) {
    if (!token.equals(token.toUpperCase(Locale.ROOT)) || !Character.isLetter(token.charAt(0))) {
      return token;
    }
    switch (style) {
      case 0:
        return token;
      case 1:
        return token.toLowerCase(Locale.ROOT);
      default:
        return token.charAt(0) + token.substring(1).toLowerCase(Locale.ROOT);
    }
  }

  static Arbitrary<String> separator(SqlDialect dialect) {
    List<String> forms =
        new ArrayList<>(List.of(" ", "  ", "\n", "\t ", " /* c */ ", "/**/", " -- c\n"));
    switch (dialect) {
      case POSTGRESQL:
        forms.add(" /* a /* nested */ b */ ");
        break;
      case MYSQL:
        forms.add(" # c\n");
        break;
      case H2:
        forms.add(" // c\n");
        break;
      default:
        break;
    }
    return Arbitraries.of(forms);
  }

  /** Any literal or bind marker of the dialect; distinctive ones carry a value to look for. */
  static Arbitrary<Literal> literal(SqlDialect dialect, boolean distinctive) {
    Arbitrary<String> content =
        distinctive
            ? Combinators.combine(text(), Arbitraries.strings().withCharRange('a', 'z').ofLength(6))
                .as((t, tag) -> t + "zq8x" + tag + t)
            : text();
    Arbitrary<String> digits =
        distinctive
            ? Arbitraries.strings().numeric().ofLength(8).map(d -> "97531" + d)
            : Arbitraries.longs().between(0, Long.MAX_VALUE).map(String::valueOf);
    List<Arbitrary<Literal>> forms = new ArrayList<>();
    forms.add(digits.map(d -> new Literal(d, d)));
    forms.add(digits.map(d -> new Literal("-" + d, d)));
    forms.add(digits.map(d -> new Literal(d + ".25", d)));
    forms.add(digits.map(d -> new Literal("-" + d + "e-3", d)));
    if (dialect != SqlDialect.MYSQL) {
      forms.add(content.map(s -> new Literal("'" + s.replace("'", "''") + "'", secret(s))));
    }
    if (!distinctive) {
      forms.add(
          Arbitraries.of("?", ":name", "TRUE", "false", "NULL").map(m -> new Literal(m, null)));
    }
    switch (dialect) {
      case POSTGRESQL:
        forms.add(content.map(s -> new Literal("E'" + escapeBackslash(s, '\'') + "'", secret(s))));
        forms.add(content.map(s -> dollar(s, "$$")));
        forms.add(content.map(s -> dollar(s, "$q1$")));
        forms.add(Arbitraries.integers().between(1, 99).map(n -> new Literal("$" + n, null)));
        forms.add(digits.map(d -> new Literal("X'" + d + "'", d)));
        break;
      case MYSQL:
        forms.add(content.map(s -> new Literal("'" + escapeBackslash(s, '\'') + "'", secret(s))));
        forms.add(
            content.map(
                s ->
                    new Literal(
                        "'" + s.replace("\\", "\\\\").replace("'", "''") + "'", secret(s))));
        forms.add(content.map(s -> new Literal("\"" + escapeBackslash(s, '"') + "\"", secret(s))));
        forms.add(
            content.map(s -> new Literal("_utf8mb4'" + escapeBackslash(s, '\'') + "'", secret(s))));
        forms.add(digits.map(d -> new Literal("0x" + d, d)));
        break;
      case H2:
        forms.add(content.map(s -> dollar(s, "$$")));
        forms.add(Arbitraries.integers().between(1, 99).map(n -> new Literal("?" + n, null)));
        break;
      default:
        break;
    }
    return Arbitraries.oneOf(forms);
  }

  /** Text with quotes, backslashes, comment openers, dollars, newlines and non-ASCII. */
  private static Arbitrary<String> text() {
    return Arbitraries.strings()
        .withChars("ab Z9'\"\\$*/-#\n\té中")
        .withChars('\u00a0', '\u2028')
        .ofMaxLength(12)
        .map(s -> s.length() > 6 ? s + "\uD83D\uDE00" : s);
  }

  private static Literal dollar(String content, String tag) {
    String body = content.replace("$", "S");
    return new Literal(tag + body + tag, secret(content));
  }

  private static String escapeBackslash(String s, char quote) {
    return s.replace("\\", "\\\\").replace(String.valueOf(quote), "\\" + quote);
  }

  /** The distinctive marker inside a generated string, if there is one. */
  private static String secret(String content) {
    int at = content.indexOf("zq8x");
    return at < 0 ? null : content.substring(at, at + 10);
  }
}
