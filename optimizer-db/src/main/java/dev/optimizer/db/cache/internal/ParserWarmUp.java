package dev.optimizer.db.cache.internal;

import dev.optimizer.db.internal.sql.SqlParsers;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Loads the SQL parser off the request path, once per class loader. JSqlParser's parser is one very
 * large generated class: loading and verifying it, with the grammar's other classes, takes about
 * 150 ms, and the first statement a service ran with the optimizer on paid it on its request path
 * (and every request that reached a new statement meanwhile waited for the class to initialise). A
 * short-lived daemon thread parses a few statements of each kind instead, while the application is
 * still starting.
 */
final class ParserWarmUp {
  /** One of each shape the analyses meet most: a join, an update, an insert, a delete. */
  private static final List<String> STATEMENTS =
      List.of(
          "SELECT a.x, count(*) FROM a JOIN b ON b.a_id = a.id WHERE a.y = ? AND b.z IN (?)"
              + " GROUP BY a.x ORDER BY a.x LIMIT 10",
          "UPDATE a SET x = ? WHERE id = ?",
          "INSERT INTO a (x, y) VALUES (?, ?)",
          "DELETE FROM a WHERE id = ?");

  private static final CompletableFuture<Void> DONE = new CompletableFuture<>();
  private static boolean started; // guarded by ParserWarmUp.class

  private ParserWarmUp() {}

  /**
   * Starts the warm-up unless it has started already; the future completes when it has run. It
   * never fails: a statement the parser refuses only warms it less.
   */
  static CompletableFuture<Void> start() {
    synchronized (ParserWarmUp.class) {
      if (started) {
        return DONE;
      }
      started = true;
    }
    Thread t = new Thread(ParserWarmUp::run, "optimizer-sql-parser-warm-up");
    t.setDaemon(true); // never holds the JVM open
    t.setPriority(Thread.MIN_PRIORITY);
    t.start();
    return DONE;
  }

  private static void run() {
    try {
      for (String sql : STATEMENTS) {
        try {
          SqlFunctions.walk(SqlParsers.parse(sql, 5_000));
        } catch (Exception | LinkageError e) {
          // Warms less; the request path's own parse reports nothing either.
        }
      }
    } finally {
      DONE.complete(null);
    }
  }
}
