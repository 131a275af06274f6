package dev.optimizer.spring.boot.autoconfigure;

import dev.optimizer.http.HttpOptimizer;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.net.http.HttpClient;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import org.springframework.util.ReflectionUtils;

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
 * <p>A builder given a transport that runs the pipeline itself ({@code
 * HttpOptimizerRequestFactory}, or Spring's JDK factory or connector over an {@code HttpClient}
 * bean the auto-configuration wrapped) builds without the hook: each request would otherwise go
 * through the pipeline twice, its retries and hedges multiplied, its response cached twice, and two
 * permits of one host's limit taken at once, so that requests as many as the limit wait on each
 * other until they are rejected.
 *
 * <p>Every other method goes to the builder unchanged (a fluent call returns this proxy, {@code
 * clone()} a proxy of the clone), whatever methods the Spring version at hand has.
 */
final class LastHookBuilders {
  private LastHookBuilders() {}

  /**
   * A proxy of {@code builder} that, before each {@code build()}, moves the hooks of {@code
   * hookType} in its list (reached through {@code list}) to the end, adding {@code hook} if it has
   * none; or, when the last transport given to its one-argument method {@code transportSetter}
   * satisfies {@code runsPipeline}, takes {@code hook} out.
   */
  static <B, H> B wrap(
      Class<B> type,
      B builder,
      Function<B, Consumer<Consumer<List<H>>>> list,
      Class<? extends H> hookType,
      H hook,
      String transportSetter,
      Predicate<Object> runsPipeline) {
    return wrap(type, builder, list, hookType, hook, transportSetter, runsPipeline, false);
  }

  private static <B, H> B wrap(
      Class<B> type,
      B builder,
      Function<B, Consumer<Consumer<List<H>>>> list,
      Class<? extends H> hookType,
      H hook,
      String transportSetter,
      Predicate<Object> runsPipeline,
      boolean pipelinedTransport) {
    InvocationHandler handler =
        new InvocationHandler() {
          // The transport the builder was last given through this proxy runs the pipeline.
          private volatile boolean pipelined = pipelinedTransport;

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
              list.apply(builder)
                  .accept(
                      hooks -> {
                        if (pipelined) {
                          hooks.removeIf(h -> h == hook); // one the application added stays
                        } else {
                          moveLast(hooks, hookType, hook);
                        }
                      });
            }
            Object result;
            try {
              result = method.invoke(builder, args);
            } catch (InvocationTargetException e) {
              throw e.getCause();
            }
            if (method.getParameterCount() == 1 && method.getName().equals(transportSetter)) {
              pipelined = runsPipeline.test(args[0]);
            }
            if (noArgs && method.getName().equals("clone") && type.isInstance(result)) {
              return wrap(
                  type,
                  type.cast(result),
                  list,
                  hookType,
                  hook,
                  transportSetter,
                  runsPipeline,
                  pipelined);
            }
            return result == builder ? self : result;
          }
        };
    return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, handler));
  }

  /**
   * Whether {@code transport} is one of Spring's JDK transports ({@code
   * JdkClientHttpRequestFactory}, {@code JdkClientHttpConnector}) over an {@link HttpClient} that
   * already runs an HttpOptimizer's pipeline. Spring gives no getter for the client, so its field
   * is read; a Spring version that names it otherwise reads as "no" (the pipeline then runs twice,
   * as before this check).
   */
  static boolean overOptimizedJdkClient(Object transport) {
    try {
      Field field = ReflectionUtils.findField(transport.getClass(), "httpClient", HttpClient.class);
      if (field == null) {
        return false;
      }
      ReflectionUtils.makeAccessible(field);
      return ReflectionUtils.getField(field, transport) instanceof HttpClient client
          && HttpOptimizer.isWrapped(client);
    } catch (RuntimeException e) {
      return false; // not readable (a module boundary, say): as if it were a plain client
    }
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
