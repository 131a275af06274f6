package dev.optimizer.ai;

import dev.optimizer.api.internal.Checks;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * The scope (tenant, user, or any isolation boundary) of the LLM calls made on this thread, in the
 * manner of a scoped value: {@code AiScope.call("tenant-42", () -> chat.chat(request))}. Cached
 * answers are never shared across scopes. A scope resolver set on the builder ({@link
 * AiOptimizerBuilder#scopeResolver}) takes precedence; with neither, every call is in the one
 * default scope.
 *
 * <p>The scope is read on the calling thread when a call starts, so work handed to other threads by
 * the decorators keeps it; code that hands a call to its own executor must set the scope there.
 */
public final class AiScope {
  /** The scope of calls made outside any {@link #call} and without a resolver. */
  public static final String DEFAULT = "default";

  private static final ThreadLocal<String> CURRENT = new ThreadLocal<>();

  private AiScope() {}

  /**
   * Runs {@code body} with {@code scope} as the current scope, restoring the previous one after.
   *
   * @throws IllegalArgumentException if {@code scope} is blank
   */
  public static <T> T call(String scope, Callable<T> body) throws Exception {
    Checks.notBlank("scope", scope);
    Checks.notNull("body", body);
    String previous = CURRENT.get();
    CURRENT.set(scope);
    try {
      return body.call();
    } finally {
      if (previous == null) {
        CURRENT.remove();
      } else {
        CURRENT.set(previous);
      }
    }
  }

  /** Like {@link #call} for a body that throws no checked exception. */
  public static void run(String scope, Runnable body) {
    Checks.notNull("body", body);
    try {
      call(
          scope,
          () -> {
            body.run();
            return null;
          });
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** The scope set by an enclosing {@link #call} on this thread, if any. */
  public static Optional<String> current() {
    return Optional.ofNullable(CURRENT.get());
  }
}
