package dev.optimizer.db.internal.sql;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import net.sf.jsqlparser.JSQLParserException;
import net.sf.jsqlparser.parser.CCJSqlParserUtil;
import net.sf.jsqlparser.statement.Statement;

/**
 * JSqlParser with a time limit, on threads that are kept. JSqlParser enforces its limit by parsing
 * on another thread and waiting for it; given no executor, it starts (and stops) a thread for every
 * statement, which cost about 250 µs per parse here, as much as half the parse itself once its code
 * is compiled. These threads are daemons, made as concurrent parses need them and ended after a
 * minute idle, so that nothing is held while no new statement comes.
 */
public final class SqlParsers {
  private static final AtomicInteger THREADS = new AtomicInteger();

  private static final ExecutorService PARSING =
      new ThreadPoolExecutor(
          0,
          Integer.MAX_VALUE, // each caller waits for its own parse: as many as callers at once
          60,
          TimeUnit.SECONDS,
          new SynchronousQueue<>(),
          r -> {
            Thread t = new Thread(r, "optimizer-sql-parser-" + THREADS.incrementAndGet());
            t.setDaemon(true);
            return t;
          });

  private SqlParsers() {}

  /**
   * Parses one statement, giving up after {@code timeoutMillis}.
   *
   * @throws JSQLParserException if the text does not parse or the time ran out
   */
  public static Statement parse(String sql, long timeoutMillis) throws JSQLParserException {
    return CCJSqlParserUtil.parse(sql, PARSING, p -> p.withTimeOut(timeoutMillis));
  }

  /** Threads started for parsing so far, for tests. */
  static int threadsStarted() {
    return THREADS.get();
  }
}
