package dev.optimizer.db.internal;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

/** Reflection helpers shared by the JDBC proxies. */
final class Proxies {
  private Proxies() {}

  /** Calls the delegate, rethrowing exactly what it threw (never a wrapped exception). */
  static Object call(Object delegate, Method method, Object[] args) throws Throwable {
    try {
      return method.invoke(delegate, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  @SuppressWarnings("unchecked")
  static <T> T proxy(Class<T> type, java.lang.reflect.InvocationHandler handler) {
    return (T)
        Proxy.newProxyInstance(Proxies.class.getClassLoader(), new Class<?>[] {type}, handler);
  }

  /**
   * {@code unwrap}/{@code isWrapperFor} semantics for a proxy: the proxy itself answers for its own
   * interface, everything else is asked of the delegate (so {@code unwrap(PGConnection.class)}
   * reaches the driver's object).
   */
  static Object wrapperMethod(Object proxy, Object delegate, Method method, Object[] args)
      throws Throwable {
    Class<?> iface = (Class<?>) args[0];
    if (method.getName().equals("isWrapperFor")) {
      return iface.isInstance(delegate) || (boolean) call(delegate, method, args);
    }
    if (iface.isInstance(delegate)) {
      return delegate;
    }
    return call(delegate, method, args);
  }

  /** Object methods on a proxy: identity semantics, a readable toString. */
  static Object objectMethod(Object proxy, Object delegate, Method method, Object[] args) {
    return switch (method.getName()) {
      case "equals" -> proxy == args[0];
      case "hashCode" -> System.identityHashCode(proxy);
      default -> "Optimized[" + delegate + "]";
    };
  }

  static boolean isObjectMethod(Method method) {
    return method.getDeclaringClass() == Object.class;
  }

  static boolean isWrapperMethod(Method method) {
    String n = method.getName();
    return (n.equals("unwrap") || n.equals("isWrapperFor"))
        && method.getParameterCount() == 1
        && method.getParameterTypes()[0] == Class.class;
  }
}
