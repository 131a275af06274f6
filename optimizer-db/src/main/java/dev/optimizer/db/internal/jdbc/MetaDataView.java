package dev.optimizer.db.internal.jdbc;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.DatabaseMetaData;

/**
 * The driver's {@link DatabaseMetaData} as seen through a wrapped connection: every call goes to
 * the driver's, except {@link DatabaseMetaData#getConnection()}, which answers the wrapper. Code
 * that reaches a connection through its metadata (frameworks do) would otherwise get the raw one,
 * whose statements are neither measured nor seen by the result cache. A proxy rather than a
 * hand-written class: the interface has some 180 methods, and only one differs.
 */
final class MetaDataView {
  private MetaDataView() {}

  /** Whether {@code view} (made by {@link #of}) passes its calls to {@code driver}. */
  static boolean isViewOf(DatabaseMetaData view, DatabaseMetaData driver) {
    return Proxy.isProxyClass(view.getClass())
        && Proxy.getInvocationHandler(view) instanceof Handler h
        && h.driver() == driver;
  }

  static DatabaseMetaData of(DatabaseMetaData driver, Connection wrapper) {
    return (DatabaseMetaData)
        Proxy.newProxyInstance(
            MetaDataView.class.getClassLoader(),
            new Class<?>[] {DatabaseMetaData.class},
            new Handler(driver, wrapper));
  }

  /** Answers {@code getConnection()} with the wrapper, and passes every other call on. */
  private record Handler(DatabaseMetaData driver, Connection wrapper)
      implements java.lang.reflect.InvocationHandler {
    @Override
    public Object invoke(Object proxy, java.lang.reflect.Method method, Object[] args)
        throws Throwable {
      if (method.getName().equals("getConnection") && method.getParameterCount() == 0) {
        return wrapper;
      }
      if (method.getDeclaringClass() == Object.class) {
        return switch (method.getName()) {
          case "equals" -> proxy == args[0];
          case "hashCode" -> System.identityHashCode(proxy);
          default -> "MetaData[" + driver + "]";
        };
      }
      try {
        return method.invoke(driver, args);
      } catch (InvocationTargetException e) {
        throw e.getCause(); // the driver's own exception, unchanged
      }
    }
  }
}
