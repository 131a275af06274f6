package dev.optimizer.http.internal;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;

/**
 * A complete, buffered HTTP response as it travels up the pipeline. Immutable; the body array is
 * never written after construction and is shared by every caller a response is handed to.
 *
 * @param status the status code
 * @param headers the response header fields
 * @param body the whole body (empty, never null)
 * @param version the protocol version it arrived with
 * @param uri the URI that answered (differs from the request's after a redirect)
 * @param requestTimeMillis wall-clock time the request was sent (RFC 9111 request_time)
 * @param responseTimeMillis wall-clock time the response arrived (RFC 9111 response_time)
 * @param source where the response came from
 * @param unread the body the transport left unread, to be handed to the one caller as it arrives (a
 *     stream, or a body too large to buffer); null when {@code body} is the whole body
 * @param nativeResponse the transport's own response object (a {@code java.net.http.HttpResponse}
 *     for the JDK), for what an adapter must report as the plain client would and a Reply does not
 *     carry: the TLS session, the responses that redirected to this one, the request of the last
 *     hop; null when there is none (a stored response, one made by the cache or another transport)
 */
public record Reply(
    int status,
    HttpHeaders headers,
    byte[] body,
    HttpClient.Version version,
    URI uri,
    long requestTimeMillis,
    long responseTimeMillis,
    Source source,
    Unread unread,
    Object nativeResponse) {

  /** A response without the transport's own response object. */
  public Reply(
      int status,
      HttpHeaders headers,
      byte[] body,
      HttpClient.Version version,
      URI uri,
      long requestTimeMillis,
      long responseTimeMillis,
      Source source,
      Unread unread) {
    this(
        status,
        headers,
        body,
        version,
        uri,
        requestTimeMillis,
        responseTimeMillis,
        source,
        unread,
        null);
  }

  /** A buffered response: {@code body} is the whole body. */
  public Reply(
      int status,
      HttpHeaders headers,
      byte[] body,
      HttpClient.Version version,
      URI uri,
      long requestTimeMillis,
      long responseTimeMillis,
      Source source) {
    this(status, headers, body, version, uri, requestTimeMillis, responseTimeMillis, source, null);
  }

  /**
   * A body the transport did not buffer: an event stream that may never end, or one larger than
   * {@code maxResponseBodyBytes}. It belongs to one caller and can be read once, so a response
   * carrying it is never cached, shared with a coalesced caller, retried or hedged; whoever drops
   * such a response instead of handing it on must {@link Reply#discard()} it, or the connection
   * stays taken.
   *
   * @param body the adapter's own body object (a {@code Flux<DataBuffer>}, an {@code InputStream},
   *     a {@code Flow.Publisher}), read by the adapter that made it
   * @param discard releases the body unread (closes the stream, cancels the exchange); idempotent
   */
  public record Unread(Object body, Runnable discard) {}

  /** Whether the body is left unread (see {@link Unread}). */
  public boolean isUnread() {
    return unread != null;
  }

  /** Releases an unread body (see {@link Unread}); does nothing to a buffered response. */
  public void discard() {
    if (unread != null) {
      try {
        unread.discard().run();
      } catch (RuntimeException e) {
        System.getLogger(Reply.class.getName())
            .log(System.Logger.Level.DEBUG, "releasing an unread response body failed", e);
      }
    }
  }

  /** Where a response came from. */
  public enum Source {
    /** The origin answered this request. */
    NETWORK,
    /** A fresh stored response. */
    CACHE,
    /** A stored response, validated with the origin (304). */
    REVALIDATED,
    /** A stale stored response served while it is revalidated in the background. */
    STALE_WHILE_REVALIDATE,
    /** A stale stored response served because the origin failed. */
    STALE_IF_ERROR,
    /** Synthesized by the cache (504 for only-if-cached). */
    SYNTHETIC
  }

  /** The same response from another source, with other headers. */
  public Reply with(HttpHeaders newHeaders, Source newSource) {
    return new Reply(
        status,
        newHeaders,
        body,
        version,
        uri,
        requestTimeMillis,
        responseTimeMillis,
        newSource,
        unread,
        nativeResponse);
  }

  /**
   * This response without the transport's own response object: for a cache to keep, since that
   * object holds the request (its credentials included), the TLS session and the redirects, none of
   * which a stored response is served with.
   */
  public Reply withoutNativeResponse() {
    return nativeResponse == null
        ? this
        : new Reply(
            status,
            headers,
            body,
            version,
            uri,
            requestTimeMillis,
            responseTimeMillis,
            source,
            unread,
            null);
  }

  /** Whether the status is a server error (5xx). */
  public boolean isServerError() {
    return status >= 500 && status <= 599;
  }
}
