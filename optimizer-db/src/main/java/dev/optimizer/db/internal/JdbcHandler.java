package dev.optimizer.db.internal;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;

/**
 * The part every JDBC proxy shares: Object methods with identity semantics, and {@code
 * unwrap}/{@code isWrapperFor} reaching the delegate. Subclasses handle the rest.
 */
abstract class JdbcHandler implements InvocationHandler {
  /** The driver's (or pool's) object behind the proxy. */
  protected final Object delegate;

  JdbcHandler(Object delegate) {
    this.delegate = delegate;
  }

  @Override
  public final Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
    if (Proxies.isObjectMethod(method)) {
      return Proxies.objectMethod(proxy, delegate, method, args);
    }
    if (Proxies.isWrapperMethod(method)) {
      return Proxies.wrapperMethod(proxy, delegate, method, args);
    }
    return handle(proxy, method, args);
  }

  /** Handles a JDBC method of the proxied interface. */
  abstract Object handle(Object proxy, Method method, Object[] args) throws Throwable;
}
