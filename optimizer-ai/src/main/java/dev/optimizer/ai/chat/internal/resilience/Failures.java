package dev.optimizer.ai.chat.internal.resilience;

import dev.langchain4j.exception.HttpException;
import dev.langchain4j.exception.NonRetriableException;
import dev.langchain4j.exception.RetriableException;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a failure of a chat call means for retrying it.
 *
 * <p>LangChain4j's clients map HTTP errors to {@code dev.langchain4j.exception} types (429 to
 * {@code RateLimitException}, 5xx to {@code InternalServerException}, 408 to {@code
 * TimeoutException}, all {@link RetriableException}s) built from an {@link HttpException} that
 * carries the status code and the body, but not the response headers: the {@code Retry-After}
 * header cannot be read from it. What can be read is the provider's own hint in the error body
 * (OpenAI writes "Please try again in 1.5s." / "in 20ms"; others write "retry after N seconds"),
 * which {@link #retryAfter} parses; without one, retries use jittered exponential backoff.
 */
public final class Failures {
  private static final Pattern TRY_AGAIN =
      Pattern.compile(
          "(?i)(?:try again in|retry[- ]after:?)\\s*(\\d+(?:\\.\\d+)?)\\s*(ms|milliseconds?|s|sec|seconds?)?");

  private Failures() {}

  /** Whether another attempt may succeed: rate limits, 5xx, timeouts, transport errors. */
  public static boolean retryable(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof NonRetriableException) {
        return false;
      }
      if (t instanceof RetriableException
          || t instanceof AttemptTimeoutException
          || t instanceof IOException) {
        return true;
      }
      if (t instanceof HttpException h) {
        int s = h.statusCode();
        return s == 408 || s == 429 || s >= 500;
      }
    }
    return false;
  }

  /** The wait the provider asked for in the error's message chain, if it named one. */
  public static Optional<Duration> retryAfter(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
      String message = t.getMessage();
      if (message == null) {
        continue;
      }
      Matcher m = TRY_AGAIN.matcher(message);
      if (m.find()) {
        double value = Double.parseDouble(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2).toLowerCase(java.util.Locale.ROOT);
        double millis = unit.startsWith("m") ? value : value * 1000;
        return Optional.of(Duration.ofMillis((long) Math.ceil(Math.min(millis, 86_400_000))));
      }
    }
    return Optional.empty();
  }
}
