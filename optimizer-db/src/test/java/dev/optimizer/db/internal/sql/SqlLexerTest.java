package dev.optimizer.db.internal.sql;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Token boundaries for each dialect's literal, quoting and comment syntax. */
class SqlLexerTest {

  @Test
  void postgresqlLiterals() {
    assertThat(tokens(SqlDialect.POSTGRESQL, "E'a\\'b' $x$ $ $$ $x$ U&'u' B'1' 'c''d' 'e\\'"))
        .containsExactly(
            "STRING E'a\\'b'",
            "STRING $x$ $ $$ $x$",
            "STRING U&'u'",
            "STRING B'1'",
            "STRING 'c''d'",
            "STRING 'e\\'");
  }

  @Test
  void postgresqlOperatorsMarkersAndCasts() {
    assertThat(tokens(SqlDialect.POSTGRESQL, "a=-1 AND b::int<>$1 AND c->>'k' @> :p"))
        .containsExactly(
            "WORD a",
            "OPERATOR =",
            "OPERATOR -",
            "NUMBER 1",
            "WORD AND",
            "WORD b",
            "CAST ::",
            "WORD int",
            "OPERATOR <>",
            "BIND_MARKER $1",
            "WORD AND",
            "WORD c",
            "OPERATOR ->>",
            "STRING 'k'",
            "OPERATOR @>",
            "BIND_MARKER :p");
  }

  @Test
  void postgresqlCommentsNest() {
    assertThat(tokens(SqlDialect.POSTGRESQL, "1 /* a /* b */ c */ 2 -- d\n3"))
        .containsExactly("NUMBER 1", "NUMBER 2", "NUMBER 3");
    assertThat(tokens(SqlDialect.MYSQL, "1 /* a /* b */ 2"))
        .containsExactly("NUMBER 1", "NUMBER 2");
  }

  @Test
  void numbers() {
    assertThat(tokens(SqlDialect.POSTGRESQL, "1e10 1.5E-3 .5 1. 0x1F 1_000 t1.c2"))
        .containsExactly(
            "NUMBER 1e10",
            "NUMBER 1.5E-3",
            "NUMBER .5",
            "NUMBER 1.",
            "NUMBER 0x1F",
            "NUMBER 1_000",
            "WORD t1",
            "DOT .",
            "WORD c2");
  }

  @Test
  void mysqlQuotingAndComments() {
    assertThat(tokens(SqlDialect.MYSQL, "`a``b` \"s\\\"t\" 'u\\'v' # c\n-- d\n--1 x$y 9lives"))
        .containsExactly(
            "QUOTED_IDENTIFIER `a``b`",
            "STRING \"s\\\"t\"",
            "STRING 'u\\'v'",
            "OPERATOR -",
            "OPERATOR -",
            "NUMBER 1",
            "WORD x$y",
            "WORD 9lives");
  }

  @Test
  void mysqlVersionCommentsKeepTheirContent() {
    assertThat(tokens(SqlDialect.MYSQL, "/*!50001 CREATE */ /*M!100101 x */ /*+ hint */ y"))
        .containsExactly("WORD CREATE", "WORD x", "WORD y");
  }

  @Test
  void h2AndGenericQuotedIdentifiers() {
    assertThat(tokens(SqlDialect.H2, "\"a\"\"b\" $$s$$ ?1 // c\n'd'"))
        .containsExactly(
            "QUOTED_IDENTIFIER \"a\"\"b\"", "STRING $$s$$", "BIND_MARKER ?1", "STRING 'd'");
    assertThat(tokens(SqlDialect.GENERIC, "\"x\" '\\' $$"))
        .containsExactly("QUOTED_IDENTIFIER \"x\"", "STRING '\\'", "OTHER $", "OTHER $");
  }

  @Test
  void unterminatedInputRunsToTheEndWithoutThrowing() {
    for (String sql : new String[] {"'abc", "E'\\", "$t$ x", "\"id", "`id", "/* x", "x /* /*"}) {
      for (SqlDialect dialect : SqlDialect.values()) {
        SqlLexer lexer = new SqlLexer(sql, dialect);
        while (lexer.next() != TokenType.EOF) {
          assertThat(lexer.end()).isGreaterThan(lexer.start());
        }
      }
    }
    SqlLexer lexer = new SqlLexer("SELECT 'abc", SqlDialect.POSTGRESQL);
    while (lexer.next() != TokenType.EOF) {
      // drain
    }
    assertThat(lexer.sawUnterminated()).isTrue();
  }

  @Test
  void aLimitHidesTheRestOfTheInput() {
    SqlLexer lexer = new SqlLexer("SELECT 'abc' FROM t", 9, SqlDialect.POSTGRESQL);

    assertThat(lexer.next()).isEqualTo(TokenType.WORD);
    assertThat(lexer.next()).isEqualTo(TokenType.STRING);
    assertThat(lexer.end()).isEqualTo(9);
    assertThat(lexer.next()).isEqualTo(TokenType.EOF);
    assertThat(lexer.sawUnterminated()).isTrue();
  }

  private static List<String> tokens(SqlDialect dialect, String sql) {
    SqlLexer lexer = new SqlLexer(sql, dialect);
    List<String> tokens = new ArrayList<>();
    for (TokenType type = lexer.next(); type != TokenType.EOF; type = lexer.next()) {
      tokens.add(type + " " + sql.substring(lexer.start(), lexer.end()));
    }
    return tokens;
  }
}
