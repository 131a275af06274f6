package dev.optimizer.spring.boot.autoconfigure;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A client builder (Spring's {@code RestClient.Builder}, {@code WebClient.Builder}) that moves the
 * optimizer's interceptor or filter to the end of the chain when the client is built.
 *
 * <p>Why: the hook is added when the builder bean is created, so whatever the application adds to
 * the injected builder afterwards (an interceptor setting {@code Authorization: Bearer <the current
 * user's token>}, say) would run after it, and the pipeline would compute the caller's identity,
 * the coalescing key and the cache key without those headers: two users' requests could share one
 * response. Last in the chain, it sees the request as it goes on the wire.
 *
 * <p>Every other method goes to the builder unchanged (a fluent call returns this proxy, {@code
 * clone()} a proxy of the clone), whatever methods the Spring version at hand has.
 */
final class LastHookBuilders {
  private LastHookBuilders() {}

  /**
   * A proxy of {@code builder} that, before each {@code build()}, moves the hooks of {@code
   * hookType} in its list (reached through {@code list}) to the end, adding {@code hook} if it has
   * none.
   */
  static <B, H> B wrap(
      Class<B> type,
      B builder,
      Function<B, Consumer<Consumer<List<H>>>> list,
      Class<? extends H> hookType,
      H hook) {
    InvocationHandler handler =
        new InvocationHandler() {
          @Override
          public Object invoke(Object self, Method method, Object[] args) throws Throwable {
            if (method.getDeclaringClass() == Object.class) {
              return switch (method.getName()) {
                case "equals" -> self == args[0];
                case "hashCode" -> System.identityHashCode(self);
                default -> "optimized " + builder;
              };
            }
            boolean noArgs = method.getParameterCount() == 0;
            if (noArgs && method.getName().equals("build")) {
              list.apply(builder).accept(hooks -> moveLast(hooks, hookType, hook));
            }
            Object result;
            try {
              result = method.invoke(builder, args);
            } catch (InvocationTargetException e) {
              throw e.getCause();
            }
            if (noArgs && method.getName().equals("clone") && type.isInstance(result)) {
              return wrap(type, type.cast(result), list, hookType, hook);
            }
            return result == builder ? self : result;
          }
        };
    return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, handler));
  }

  private static <H> void moveLast(List<H> hooks, Class<? extends H> hookType, H hook) {
    H mine = hook;
    for (H h : hooks) {
      if (hookType.isInstance(h)) {
        mine = h; // one the application added itself: keep it, last
        break;
      }
    }
    hooks.removeIf(hookType::isInstance);
    hooks.add(mine);
  }
}
