package dev.optimizer.db.cache.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;

/**
 * Describes the tables a result cache is configured with ({@code cacheTables}) before the
 * application's first query of them, and takes the session reference ({@link SessionState}), on a
 * named daemon thread with a connection of its own from the pool: otherwise the first request to
 * meet each table pays for its description on its own connection (7-18 ms a table on a fresh
 * PostgreSQL connection, 3-6 ms on a warm one), and the first lease for the reference digest (2-3
 * ms).
 *
 * <p>The connection is taken from the pool itself, not the wrapper, so that these catalog queries
 * are not counted as the application's; it is asked for once, when the wrapper is made (a pool that
 * was not started yet starts then), and given back at once. A failure is logged and changes
 * nothing: a table not described ahead is described when first queried, as without this. A request
 * that meets a table while it is being described here waits for that answer rather than ask again
 * ({@link TableCatalog}); a table the database does not have yet (a migration may create it) is
 * left to be described when first queried. {@link #close()} stops the work and the thread.
 */
final class DescribeAhead implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger("dev.optimizer.db.cache");

  /** How long close() waits for a describe in a query to end. */
  private static final long CLOSE_WAIT_SECONDS = 5;

  private final ResultCache cache;
  private final DataSource source;
  private final List<String> tables;
  private final Thread thread;
  private final CompletableFuture<Void> done = new CompletableFuture<>();
  private volatile boolean closed;

  private DescribeAhead(ResultCache cache, DataSource source, List<String> tables, String name) {
    this.cache = cache;
    this.source = source;
    this.tables = tables;
    this.thread = new Thread(this::run, "optimizer-db-describe-" + name);
    thread.setDaemon(true);
  }

  /**
   * Starts describing {@code tables} on a thread of its own.
   *
   * @param source the pool itself (not the wrapped data source)
   */
  static DescribeAhead start(
      ResultCache cache, DataSource source, List<String> tables, String name) {
    DescribeAhead d = new DescribeAhead(cache, source, tables, name);
    d.thread.start();
    return d;
  }

  /** Completes when the work ended: done, failed or stopped (for tests). */
  CompletableFuture<Void> done() {
    return done;
  }

  private void run() {
    try (Connection c = source.getConnection()) {
      if (closed) {
        return;
      }
      boolean autoCommit = c.getAutoCommit();
      if (!autoCommit) {
        c.rollback(); // nothing of a transaction open: the reference is a session's, not a
        // snapshot's
      }
      try {
        try {
          cache.offerReference(c);
        } catch (SQLException | RuntimeException e) {
          // The leases take the reference then, as they did before; the tables still matter.
          if (!autoCommit) {
            c.rollback(); // PostgreSQL aborted the transaction with the failed query
          }
        }
        for (String t : tables) {
          if (closed) {
            return;
          }
          cache.catalog.describeAhead(t, c);
        }
      } finally {
        if (!autoCommit) {
          c.rollback();
        }
      }
    } catch (SQLException | RuntimeException e) {
      if (!closed) {
        LOG.log(
            System.Logger.Level.INFO,
            () ->
                "could not describe the result cache's tables "
                    + tables
                    + " ahead of their first query (each is described when first queried): "
                    + e);
      }
    } finally {
      done.complete(null);
    }
  }

  /**
   * Stops the work: no table is described after this; a catalog query under way ends with itself
   * (drivers do not answer interrupts), waited for up to {@value #CLOSE_WAIT_SECONDS} seconds; a
   * wait for a connection ends at once.
   */
  @Override
  public void close() {
    closed = true;
    thread.interrupt(); // a wait for the pool's connection ends with it
    try {
      thread.join(TimeUnit.SECONDS.toMillis(CLOSE_WAIT_SECONDS));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
