package dev.optimizer.db.proxied;

import javax.sql.DataSource;
import org.springframework.aop.framework.StubAopProxy;

/** Named as Spring names the CGLIB subclass of an application's repository, in its package. */
public final class OrderRepo$$SpringCGLIB$$0 {
  private OrderRepo$$SpringCGLIB$$0() {}

  /** The proxied repository method. */
  public static void find(DataSource ds, String sql) throws Exception {
    StubAopProxy.invoke(ds, sql);
  }
}
