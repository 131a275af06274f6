package dev.optimizer.db.internal.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.sf.jsqlparser.JSQLParserException;
import net.sf.jsqlparser.statement.select.Select;
import org.junit.jupiter.api.Test;

class SqlParsersTest {
  @Test
  void parsesOneAfterAnotherOnTheSameThread() throws Exception {
    assertThat(SqlParsers.parse("SELECT a FROM t WHERE id = ?", 5_000)).isInstanceOf(Select.class);
    int before = SqlParsers.threadsStarted();
    for (int i = 0; i < 50; i++) {
      SqlParsers.parse("SELECT a FROM t" + i + " WHERE id = ?", 5_000);
    }
    // JSqlParser on its own would have started one thread per statement: 50 here.
    assertThat(SqlParsers.threadsStarted() - before).isLessThanOrEqualTo(1);
  }

  @Test
  void textThatDoesNotParseIsAnExceptionAndTheNextParseStillWorks() throws Exception {
    assertThatThrownBy(() -> SqlParsers.parse("SELEKT nothing FROM", 5_000))
        .isInstanceOf(JSQLParserException.class);
    assertThat(SqlParsers.parse("DELETE FROM t WHERE id = ?", 5_000)).isNotNull();
  }
}
