package dev.optimizer.http.internal.transport.netty;

import dev.optimizer.http.internal.HttpCall;
import dev.optimizer.http.internal.Reply;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One request on one channel (a pooled HTTP/1.1 connection or an HTTP/2 stream), from the write to
 * the complete response (or the failure). It ends exactly once and then hands the channel to its
 * {@link Release}: an HTTP/1.1 connection goes back to the pool when it may carry another request
 * and is closed otherwise (a failure, a timeout, a cancelled request, {@code Connection: close});
 * an HTTP/2 stream is closed, which resets it when it had not ended (a cancelled hedge).
 */
final class Exchange {
  /** What to do with the channel once the exchange has ended. */
  interface Release {
    /**
     * @param reusable whether the channel may carry another exchange (a complete response without
     *     {@code Connection: close})
     */
    void release(Channel channel, boolean reusable);
  }

  /** The exchange a connection is carrying now; absent between requests. */
  static final AttributeKey<Exchange> KEY = AttributeKey.valueOf("dev.optimizer.http.exchange");

  private final HttpCall call;
  private final CompletableFuture<Reply> result;
  private final Release release;
  private final Channel channel;
  private final HttpClient.Version version;
  private final boolean decompress;
  private final long requestTime;
  private final Clock clock;
  private final AtomicBoolean ended = new AtomicBoolean();
  private volatile ScheduledFuture<?> timeout;

  Exchange(
      HttpCall call,
      CompletableFuture<Reply> result,
      Release release,
      Channel channel,
      HttpClient.Version version,
      boolean decompress,
      long requestTime,
      Clock clock) {
    this.call = call;
    this.result = result;
    this.release = release;
    this.channel = channel;
    this.version = version;
    this.decompress = decompress;
    this.requestTime = requestTime;
    this.clock = clock;
  }

  /** The request's method. */
  String method() {
    return call.method();
  }

  /**
   * Whether a gzip, deflate or br body is decoded (the application did not set Accept-Encoding).
   */
  boolean decompress() {
    return decompress;
  }

  /** Fails the exchange if no response has arrived within {@code nanos}. */
  void timeoutAfter(long nanos) {
    timeout =
        channel
            .eventLoop()
            .schedule(
                () ->
                    fail(
                        new HttpTimeoutException(
                            "request timed out after "
                                + TimeUnit.NANOSECONDS.toMillis(nanos)
                                + " ms")),
                nanos,
                TimeUnit.NANOSECONDS);
  }

  /** The complete response arrived. */
  void succeed(FullHttpResponse response) {
    if (!end()) {
      return;
    }
    byte[] body = ByteBufUtil.getBytes(response.content());
    Map<String, List<String>> fields = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    response
        .headers()
        .forEach(
            e -> {
              // HTTP/2 → HTTP/1 conversion adds x-http2-stream-id and the like: not the server's
              if (!e.getKey().regionMatches(true, 0, "x-http2-", 0, 8)) {
                fields.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue());
              }
            });
    Reply reply =
        new Reply(
            response.status().code(),
            HttpHeaders.of(fields, (name, value) -> true),
            body,
            version,
            call.uri(),
            requestTime,
            clock.millis(),
            Reply.Source.NETWORK);
    release.release(channel, HttpUtil.isKeepAlive(response));
    result.complete(reply);
  }

  /** The exchange failed: the channel is closed, never reused mid-response. */
  void fail(Throwable error) {
    if (!end()) {
      return;
    }
    release.release(channel, false);
    result.completeExceptionally(error);
  }

  /** The request was cancelled: the channel is closed, which aborts the exchange. */
  void abort() {
    fail(new java.util.concurrent.CancellationException("request cancelled"));
  }

  private boolean end() {
    if (!ended.compareAndSet(false, true)) {
      return false;
    }
    channel.attr(KEY).compareAndSet(this, null);
    ScheduledFuture<?> t = timeout;
    if (t != null) {
      t.cancel(false);
    }
    return true;
  }
}
