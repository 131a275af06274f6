package org.springframework.aop.framework;

import javax.sql.DataSource;
import org.springframework.orm.jpa.StubEntityManager;

/** Stands in for Spring AOP's method interception around a repository call. */
public final class StubAopProxy {
  private StubAopProxy() {}

  /** Intercepts, then hands on to the entity manager. */
  public static void invoke(DataSource ds, String sql) throws Exception {
    StubEntityManager.execute(ds, sql);
  }
}
