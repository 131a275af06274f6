package dev.optimizer.ai.inference.langchain4j;

import dev.langchain4j.exception.AuthenticationException;
import dev.langchain4j.exception.HttpException;
import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.exception.ModelNotFoundException;
import dev.langchain4j.exception.RetriableException;
import dev.langchain4j.exception.UnresolvedModelServerException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.UnresolvedAddressException;
import java.util.concurrent.TimeoutException;

/**
 * Whether a LangChain4j embedding model's failure for a whole batch is the service's (every input
 * would fail the same way: fail the batch's callers with it) or may be one input's (re-run the
 * inputs alone). The split rule of {@link BatchingEmbeddingModel} for a model it batches through
 * {@code embedAll}.
 *
 * <p>LangChain4j's clients map an HTTP status to an exception ({@code ExceptionMapper} in 1.19):
 * 5xx to {@code InternalServerException}, 408 to {@code TimeoutException}, 429 to {@code
 * RateLimitException} (all {@link RetriableException}s), 401 and 403 to {@link
 * AuthenticationException}, 404 to {@link ModelNotFoundException}, an unresolvable host to {@link
 * UnresolvedModelServerException}, and any other 4xx to {@link InvalidRequestException} (its
 * subclass {@code ContentFilteredException} for a content filter), each with the {@link
 * HttpException} (status and body) as its cause; transport failures reach us as the HTTP client's
 * {@link IOException} in a {@code RuntimeException}.
 *
 * <p>The service's: the retriable ones, authentication, an unknown model or host, an {@link
 * HttpException} of 401, 403, 404, 408, 429 or 5xx, an I/O failure, a timeout, an interrupt,
 * anywhere in the cause chain. One input's: an {@link InvalidRequestException} (400, 413, 422: an
 * input too long, an empty one, a content filter; a 413 for the whole batch is also cured by
 * smaller requests) and anything else, such as a local model's tokenizer failing on one text, which
 * is not a LangChain4j, I/O or transport error at all.
 */
final class ServiceFailures {

  // A cause chain longer than this is a cycle, or not the service's.
  private static final int MAX_CAUSES = 32;

  private ServiceFailures() {}

  /** Whether {@code error} is a failure of the service or the transport, not of one input. */
  static boolean isTheServices(Throwable error) {
    int depth = 0;
    for (Throwable t = error; t != null && depth < MAX_CAUSES; t = t.getCause(), depth++) {
      if (t instanceof InvalidRequestException) {
        // Before its HttpException cause: a 4xx that names the request, so maybe one input.
        return false;
      }
      if (t instanceof RetriableException
          || t instanceof AuthenticationException
          || t instanceof ModelNotFoundException
          || t instanceof UnresolvedModelServerException
          || t instanceof IOException
          || t instanceof UncheckedIOException
          || t instanceof TimeoutException
          || t instanceof UnresolvedAddressException
          || t instanceof InterruptedException) {
        return true;
      }
      if (t instanceof HttpException h) {
        int s = h.statusCode();
        return s == 401 || s == 403 || s == 404 || s == 408 || s == 429 || s >= 500;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return false;
  }
}
