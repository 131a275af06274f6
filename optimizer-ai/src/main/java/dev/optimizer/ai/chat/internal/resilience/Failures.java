package dev.optimizer.ai.chat.internal.resilience;

import dev.langchain4j.exception.HttpException;
import dev.langchain4j.exception.NonRetriableException;
import dev.langchain4j.exception.RetriableException;
import java.io.IOException;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;
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
 * (OpenAI writes "Please try again in 1.5s.", "in 20ms" or "in 7m12s"; others write "retry after N
 * seconds"), which {@link #retryAfter} parses; without one, retries use jittered exponential
 * backoff.
 */
public final class Failures {
  /** A wait longer than a day is read as a day: far beyond any fallback or retry setting. */
  private static final double MAX_MILLIS = 86_400_000;

  private static final Pattern TRY_AGAIN =
      Pattern.compile("(?i)(?:try again in|retry[- ]after:?)\\s*");

  /**
   * One part of the wait: a number and its unit. A wait may have several ("7m12s", "1h2m3s", as
   * OpenAI writes long ones); a bare number means seconds. The unit must not run on into a word.
   */
  private static final Pattern PART =
      Pattern.compile(
          "(?i)\\s*(\\d+(?:\\.\\d+)?)\\s*(ms|milliseconds?|millis|hours?|hrs?|h|minutes?|mins?|m"
              + "|seconds?|secs?|s)?(?![a-z])");

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
      Matcher lead = TRY_AGAIN.matcher(message);
      while (lead.find()) {
        OptionalDouble millis = waitMillis(message, lead.end());
        if (millis.isPresent()) {
          return Optional.of(
              Duration.ofMillis((long) Math.ceil(Math.min(millis.getAsDouble(), MAX_MILLIS))));
        }
      }
    }
    return Optional.empty();
  }

  /** The wait written at {@code from}, in milliseconds, if a number starts there. */
  private static OptionalDouble waitMillis(String message, int from) {
    Matcher part = PART.matcher(message);
    double millis = 0;
    boolean any = false;
    int at = from;
    while (at < message.length() && part.region(at, message.length()).lookingAt()) {
      double value = Double.parseDouble(part.group(1));
      String unit = part.group(2);
      if (unit == null) {
        // A bare number is seconds, and only on its own: "in 5" but not "in 7m 5".
        return any ? OptionalDouble.of(millis) : OptionalDouble.of(value * 1000);
      }
      millis += value * unitMillis(unit.toLowerCase(Locale.ROOT));
      any = true;
      at = part.end();
    }
    return any ? OptionalDouble.of(millis) : OptionalDouble.empty();
  }

  private static double unitMillis(String unit) {
    if (unit.equals("ms") || unit.startsWith("milli")) {
      return 1;
    }
    if (unit.startsWith("h")) {
      return 3_600_000;
    }
    if (unit.startsWith("m")) {
      return 60_000;
    }
    return 1000;
  }
}
