package dev.optimizer.http.internal.transport.jdk;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.UndeclaredThrowableException;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Objects;

/**
 * The lifecycle {@link HttpClient} gained in JDK 21 ({@code close}, {@code shutdown}, {@code
 * shutdownNow}, {@code awaitTermination}, {@code isTerminated}), called on a client through method
 * handles: this module compiles for Java 17, which has none of them. On an older JDK each does what
 * JDK 21's defaults do for a client without a lifecycle: nothing, {@code false} for isTerminated
 * and {@code true} for awaitTermination.
 */
final class JdkLifecycle {
  private static final MethodHandle SHUTDOWN = find("shutdown", MethodType.methodType(void.class));
  private static final MethodHandle SHUTDOWN_NOW =
      find("shutdownNow", MethodType.methodType(void.class));
  private static final MethodHandle CLOSE = find("close", MethodType.methodType(void.class));
  private static final MethodHandle IS_TERMINATED =
      find("isTerminated", MethodType.methodType(boolean.class));
  private static final MethodHandle AWAIT_TERMINATION =
      find("awaitTermination", MethodType.methodType(boolean.class, Duration.class));

  private JdkLifecycle() {}

  private static MethodHandle find(String name, MethodType type) {
    try {
      return MethodHandles.publicLookup().findVirtual(HttpClient.class, name, type);
    } catch (NoSuchMethodException | IllegalAccessException e) {
      return null; // before JDK 21
    }
  }

  static void shutdown(HttpClient client) {
    invoke(SHUTDOWN, client);
  }

  static void shutdownNow(HttpClient client) {
    invoke(SHUTDOWN_NOW, client);
  }

  static void close(HttpClient client) {
    invoke(CLOSE, client);
  }

  /** Calls a {@code void} method of the client, if this JDK has it. */
  private static void invoke(MethodHandle method, HttpClient client) {
    if (method != null) {
      try {
        method.invokeExact(client);
      } catch (Throwable t) {
        throw unchecked(t);
      }
    }
  }

  static boolean isTerminated(HttpClient client) {
    if (IS_TERMINATED == null) {
      return false;
    }
    try {
      return (boolean) IS_TERMINATED.invokeExact(client);
    } catch (Throwable t) {
      throw unchecked(t);
    }
  }

  static boolean awaitTermination(HttpClient client, Duration duration)
      throws InterruptedException {
    Objects.requireNonNull(duration, "duration");
    if (AWAIT_TERMINATION == null) {
      return true;
    }
    try {
      return (boolean) AWAIT_TERMINATION.invokeExact(client, duration);
    } catch (InterruptedException e) {
      throw e;
    } catch (Throwable t) {
      throw unchecked(t);
    }
  }

  private static RuntimeException unchecked(Throwable t) {
    if (t instanceof RuntimeException r) {
      return r;
    }
    if (t instanceof Error e) {
      throw e;
    }
    return new UndeclaredThrowableException(t);
  }
}
