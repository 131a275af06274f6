package dev.optimizer.ai.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.langchain4j.exception.HttpException;
import dev.langchain4j.exception.InternalServerException;
import dev.langchain4j.exception.LangChain4jException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.net.ConnectException;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class ErrorTypesTest {

  /** A wrapper of the caller's own, like the inference batcher's InferenceFailedException. */
  static final class OwnWrapper extends RuntimeException {
    OwnWrapper(Throwable cause) {
      super(cause);
    }
  }

  /** A deadline of the caller's own. */
  static final class OwnDeadline extends RuntimeException {}

  private final ErrorTypes types = new ErrorTypes(OwnDeadline.class, OwnWrapper.class);

  @Test
  void theHttpStatusWhereverItIsInTheChain() {
    assertThat(types.of(new InternalServerException(new HttpException(503, "down"))))
        .isEqualTo("503");
    assertThat(types.of(new CompletionException(new OwnWrapper(new HttpException(429, "slow")))))
        .isEqualTo("429");
  }

  @Test
  void theClassOfWhatFailedUnderTheWrappers() {
    assertThat(types.of(new RuntimeException(new ConnectException("refused"))))
        .isEqualTo("java.net.ConnectException");
    assertThat(
            types.of(
                new ExecutionException(
                    new OwnWrapper(
                        new LangChain4jException(
                            new UncheckedIOException(new java.io.IOException("eof")))))))
        .isEqualTo("java.io.IOException");
    assertThat(types.of(new InvocationTargetException(new IllegalStateException())))
        .isEqualTo("java.lang.IllegalStateException");
    // A subclass is not a bare wrapper: it says something of its own.
    assertThat(types.of(new InternalServerException(new ConnectException())))
        .isEqualTo("dev.langchain4j.exception.InternalServerException");
    // A wrapper without a cause is all there is.
    assertThat(types.of(new RuntimeException("no cause"))).isEqualTo("java.lang.RuntimeException");
    assertThat(types.of(new OwnWrapper(null))).isEqualTo(OwnWrapper.class.getName());
  }

  @Test
  void theCallersOwnDeadlineIsATimeoutAnotherTimeoutIsItsClass() {
    assertThat(types.of(new OwnDeadline())).isEqualTo("timeout");
    assertThat(types.of(new CompletionException(new OwnDeadline()))).isEqualTo("timeout");
    assertThat(types.of(new TimeoutException())).isEqualTo("java.util.concurrent.TimeoutException");
    assertThat(new ErrorTypes(null).of(new OwnDeadline())).isEqualTo(OwnDeadline.class.getName());
  }

  @Test
  void aCycleOrAVeryLongChainEnds() {
    RuntimeException a = new RuntimeException();
    RuntimeException b = new RuntimeException(a);
    a.initCause(b);
    assertThat(types.of(a)).isEqualTo("java.lang.RuntimeException");
    Throwable deep = new IllegalStateException();
    for (int i = 0; i < 100; i++) {
      deep = new RuntimeException(deep);
    }
    assertThat(types.of(deep)).isEqualTo("java.lang.RuntimeException");
  }

  @Test
  void worksWithoutLangChain4jOnTheClassPath() throws Exception {
    // The DJL-only inference batcher uses the rule too: loaded where no LangChain4j class can be
    // found, it must still answer (ChatMetrics.errorType, naming LangChain4j's classes, fails to
    // load there).
    URL classes = ErrorTypes.class.getProtectionDomain().getCodeSource().getLocation();
    try (URLClassLoader alone =
        new URLClassLoader(new URL[] {classes}, ClassLoader.getPlatformClassLoader())) {
      assertThatThrownBy(() -> alone.loadClass("dev.langchain4j.exception.HttpException"))
          .as("LangChain4j must not be visible")
          .isInstanceOf(ClassNotFoundException.class);
      Class<?> isolated = alone.loadClass(ErrorTypes.class.getName());
      assertThat(isolated).isNotSameAs(ErrorTypes.class);
      Object rule =
          isolated.getConstructor(Class.class, Class[].class).newInstance(null, new Class<?>[0]);
      Object type =
          isolated
              .getMethod("of", Throwable.class)
              .invoke(rule, new RuntimeException(new ConnectException("refused")));
      assertThat(type).isEqualTo("java.net.ConnectException");
    }
  }
}
