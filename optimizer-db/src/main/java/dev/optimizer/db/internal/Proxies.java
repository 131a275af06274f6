package dev.optimizer.db.internal;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationHandler;
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

  /**
   * The proxy class's constructor, per JDBC interface. {@link Proxy#newProxyInstance} looks the
   * proxy class up (with caller checks) on every call, which costs about as much as the rest of the
   * wrapper together; a connection, a statement and a result set per transaction made it the
   * wrapper's main cost.
   */
  private static final ClassValue<Constructor<?>> CONSTRUCTORS =
      new ClassValue<>() {
        @Override
        protected Constructor<?> computeValue(Class<?> type) {
          Object sample =
              Proxy.newProxyInstance(
                  Proxies.class.getClassLoader(), new Class<?>[] {type}, (p, m, a) -> null);
          try {
            return sample.getClass().getConstructor(InvocationHandler.class);
          } catch (NoSuchMethodException e) {
            throw new IllegalStateException("proxy class without the standard constructor", e);
          }
        }
      };

  static <T> T proxy(Class<T> type, InvocationHandler handler) {
    try {
      return type.cast(CONSTRUCTORS.get(type).newInstance(handler));
    } catch (ReflectiveOperationException e) {
      // Not expected for public JDBC interfaces; the slow path gives the same kind of object.
      return type.cast(
          Proxy.newProxyInstance(Proxies.class.getClassLoader(), new Class<?>[] {type}, handler));
    }
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
