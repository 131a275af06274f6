package org.springframework.orm.jpa;

import java.sql.Connection;
import java.sql.Statement;
import javax.sql.DataSource;

/**
 * Stands in for Spring ORM's shared EntityManager: the frame that runs the SQL for a repository.
 */
public final class StubEntityManager {
  private StubEntityManager() {}

  /** Runs {@code sql} on a connection of {@code ds}. */
  public static void execute(DataSource ds, String sql) throws Exception {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }
}
