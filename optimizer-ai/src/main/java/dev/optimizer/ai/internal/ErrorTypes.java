package dev.optimizer.ai.internal;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.HashSet;
import java.util.Set;

/**
 * The {@code error.type} attribute of a failed GenAI operation, as the semantic conventions ask:
 * what actually failed, not the wrapper it reached us in. The rule of the chat decorators'
 * telemetry ({@code ChatMetrics.errorType}), for every part of the module:
 *
 * <ul>
 *   <li>the HTTP status code as a string ({@code "429"}, {@code "503"}) when a LangChain4j {@code
 *       HttpException} is anywhere in the cause chain: LangChain4j's clients wrap the status in
 *       {@code RateLimitException}, {@code InternalServerException} and the like, whose names say
 *       less than the code;
 *   <li>{@code "timeout"} when what failed is the caller's own deadline (the exception type given
 *       to {@link #ErrorTypes}), no exception of the model's;
 *   <li>else the fully qualified class name of the first exception in the chain that is not a bare
 *       wrapper ({@code RuntimeException}, {@code LangChain4jException}, {@code
 *       ExecutionException}, {@code CompletionException}, {@code UncheckedIOException}, {@code
 *       InvocationTargetException}, {@code UndeclaredThrowableException}, exactly those classes,
 *       and the caller's own wrappers, each with a cause): a connection refused is {@code
 *       java.net.ConnectException}, not the {@code RuntimeException} around it.
 * </ul>
 *
 * <p>LangChain4j is optional here: its classes are looked up once, by name, so that the in-process
 * inference batcher (DJL alone, no LangChain4j on the class path) can use this too; the chat
 * decorators' {@code ChatMetrics.errorType} delegates here. Immutable and thread-safe.
 */
public final class ErrorTypes {

  // A cause chain longer than this is a cycle, or not worth walking for a metric attribute.
  private static final int MAX_CAUSES = 32;

  // LangChain4j's HttpException and its statusCode(): both null without LangChain4j.
  private static final MethodHandle STATUS_CODE =
      statusCode(optionalClass("dev.langchain4j.exception.HttpException"));
  private static final Class<?> HTTP_EXCEPTION =
      STATUS_CODE == null ? null : STATUS_CODE.type().parameterType(0);

  /** Exceptions that only carry another one: their cause is what failed. */
  private static final Set<Class<?>> WRAPPERS = wrappers();

  private final Class<? extends Throwable> timeout;
  private final Set<Class<?>> wrappers;

  /**
   * The rule with {@code timeout} (or null) as the caller's own deadline exception, reported as
   * {@code "timeout"}, and {@code ownWrappers} as further exceptions (exact classes) whose cause is
   * what failed.
   */
  @SafeVarargs
  public ErrorTypes(Class<? extends Throwable> timeout, Class<? extends Throwable>... ownWrappers) {
    this.timeout = timeout;
    Set<Class<?>> all = new HashSet<>(WRAPPERS);
    all.addAll(Set.of(ownWrappers));
    this.wrappers = Set.copyOf(all);
  }

  /** The {@code error.type} of {@code error} (not null). */
  public String of(Throwable error) {
    int depth = 0;
    for (Throwable t = error;
        HTTP_EXCEPTION != null && t != null && depth < MAX_CAUSES;
        t = t.getCause(), depth++) {
      if (HTTP_EXCEPTION.isInstance(t)) {
        return Integer.toString(statusCode(t));
      }
      if (t.getCause() == t) {
        break;
      }
    }
    Throwable t = error;
    for (depth = 0; depth < MAX_CAUSES && wrappers.contains(t.getClass()); depth++) {
      Throwable cause = t.getCause();
      if (cause == null || cause == t) {
        break;
      }
      t = cause;
    }
    if (timeout != null && timeout.isInstance(t)) {
      return "timeout";
    }
    return t.getClass().getName();
  }

  private static int statusCode(Throwable httpException) {
    try {
      return (int) STATUS_CODE.invoke(httpException);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException(e); // statusCode() declares nothing checked
    }
  }

  private static Set<Class<?>> wrappers() {
    Set<Class<?>> s = new HashSet<>();
    s.add(RuntimeException.class);
    s.add(java.util.concurrent.ExecutionException.class);
    s.add(java.util.concurrent.CompletionException.class);
    s.add(java.io.UncheckedIOException.class);
    s.add(java.lang.reflect.InvocationTargetException.class);
    s.add(java.lang.reflect.UndeclaredThrowableException.class);
    Class<?> langChain4j = optionalClass("dev.langchain4j.exception.LangChain4jException");
    if (langChain4j != null) {
      s.add(langChain4j);
    }
    return Set.copyOf(s);
  }

  private static Class<?> optionalClass(String name) {
    try {
      return Class.forName(name, false, ErrorTypes.class.getClassLoader());
    } catch (ClassNotFoundException | LinkageError e) {
      return null; // LangChain4j is not on the class path: no such exception can occur
    }
  }

  private static MethodHandle statusCode(Class<?> httpException) {
    if (httpException == null) {
      return null;
    }
    try {
      return MethodHandles.publicLookup()
          .findVirtual(httpException, "statusCode", MethodType.methodType(int.class));
    } catch (ReflectiveOperationException e) {
      return null; // a LangChain4j without it: the class name then, as for any exception
    }
  }
}
