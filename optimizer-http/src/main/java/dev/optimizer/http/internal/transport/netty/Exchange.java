package dev.optimizer.http.internal.transport.netty;

import dev.optimizer.http.internal.HttpCall;
import dev.optimizer.http.internal.Reply;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.pool.ChannelPool;
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
 * One request on one pooled connection, from the write to the complete response (or the failure).
 * It ends exactly once: the connection goes back to the pool when it may carry another request, and
 * is closed otherwise (a failure, a timeout, a cancelled request, {@code Connection: close}).
 */
final class Exchange {
  /** The exchange a connection is carrying now; absent between requests. */
  static final AttributeKey<Exchange> KEY = AttributeKey.valueOf("dev.optimizer.http.exchange");

  private final HttpCall call;
  private final CompletableFuture<Reply> result;
  private final ChannelPool pool;
  private final Channel channel;
  private final boolean decompress;
  private final long requestTime;
  private final Clock clock;
  private final AtomicBoolean ended = new AtomicBoolean();
  private volatile ScheduledFuture<?> timeout;

  Exchange(
      HttpCall call,
      CompletableFuture<Reply> result,
      ChannelPool pool,
      Channel channel,
      boolean decompress,
      long requestTime,
      Clock clock) {
    this.call = call;
    this.result = result;
    this.pool = pool;
    this.channel = channel;
    this.decompress = decompress;
    this.requestTime = requestTime;
    this.clock = clock;
  }

  /** Whether a gzip or deflate body is decoded (the application did not set Accept-Encoding). */
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
        .forEach(e -> fields.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue()));
    Reply reply =
        new Reply(
            response.status().code(),
            HttpHeaders.of(fields, (name, value) -> true),
            body,
            HttpClient.Version.HTTP_1_1,
            call.uri(),
            requestTime,
            clock.millis(),
            Reply.Source.NETWORK);
    if (!HttpUtil.isKeepAlive(response)) {
      channel.close();
    }
    pool.release(channel);
    result.complete(reply);
  }

  /** The exchange failed: the connection is closed, never reused mid-response. */
  void fail(Throwable error) {
    if (!end()) {
      return;
    }
    channel.close();
    pool.release(channel);
    result.completeExceptionally(error);
  }

  /** The request was cancelled: the connection is closed, which aborts the exchange. */
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
