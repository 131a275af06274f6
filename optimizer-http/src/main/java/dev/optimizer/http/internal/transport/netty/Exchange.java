package dev.optimizer.http.internal.transport.netty;

import dev.optimizer.http.internal.HttpCall;
import dev.optimizer.http.internal.Reply;
import dev.optimizer.http.internal.UnreadBody;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.ScheduledFuture;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * One request on one channel (a pooled HTTP/1.1 connection or an HTTP/2 stream), from the write to
 * the complete response (or the failure). Its head phase ends exactly once: with a buffered
 * response, a failure, or the head of a body handed on unread ({@link #stream}); the request's
 * timeout and cancellation cover that phase only. A buffered exchange then hands the channel to its
 * {@link Release} at once; an unread one when its {@link ChannelBody} has read the whole body or is
 * abandoned. An HTTP/1.1 connection goes back to the pool when it may carry another request and is
 * closed otherwise (a failure, a timeout, a cancelled request or body, {@code Connection: close});
 * an HTTP/2 stream is closed, which resets it when it had not ended (a cancelled hedge or body).
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
  private final Executor decoders;
  private volatile ScheduledFuture<?> timeout;

  /**
   * Null while the head is awaited; then {@link #ENDED}, or the {@link ChannelBody} of a body
   * handed on unread (set on the event loop, just after it ended the head phase). One field, not an
   * AtomicBoolean and a field: every request allocates an exchange.
   */
  private volatile Object phase;

  private static final Object ENDED = new Object();
  private static final VarHandle PHASE;

  static {
    try {
      PHASE = MethodHandles.lookup().findVarHandle(Exchange.class, "phase", Object.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private static final byte[] NO_BYTES = new byte[0];

  Exchange(
      HttpCall call,
      CompletableFuture<Reply> result,
      Release release,
      Channel channel,
      HttpClient.Version version,
      boolean decompress,
      long requestTime,
      Clock clock,
      Executor decoders) {
    this.decoders = decoders;
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

  /**
   * Fails the exchange if no response has arrived within {@code nanos}: the whole of a buffered
   * one, the head of one handed on unread (a stream may never end, as with the plain client).
   */
  void timeoutAfter(long nanos) {
    timeout =
        channel
            .eventLoop()
            .schedule(
                () ->
                    failBeforeHead(
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
    channel.attr(KEY).compareAndSet(this, null);
    Reply reply =
        new Reply(
            response.status().code(),
            fields(response),
            ByteBufUtil.getBytes(response.content()),
            version,
            call.uri(),
            requestTime,
            clock.millis(),
            Reply.Source.NETWORK);
    release.release(channel, HttpUtil.isKeepAlive(response));
    result.complete(reply);
  }

  /**
   * The head of a body to hand on unread arrived (a stream, a declared length over the cap, or a
   * body that grew past the cap while buffered, whose bytes so far are {@code prefix}): the reply
   * goes up now, and the body follows through the returned relay, which reads from the channel as
   * the caller asks. The channel stays this exchange's until the relay is done with it. On the
   * event loop.
   *
   * @return the relay, or null when the exchange had already ended (failed, timed out, cancelled;
   *     its channel is being closed)
   */
  ChannelBody stream(HttpResponse head, List<ByteBuffer> prefix, ChannelBody.Upstream upstream) {
    if (!end()) {
      return null;
    }
    UnreadBody unread = prefix == null ? UnreadBody.stream() : UnreadBody.streamAfter(prefix);
    ChannelBody relay =
        new ChannelBody(this, channel, unread, HttpUtil.isKeepAlive(head), upstream);
    phase = relay;
    unread.onSubscribe(relay);
    if (!result.complete(unreadReply(head, unread))) {
      // Cancelled as the head arrived, too late to end the head phase: nobody will read it.
      unread.discard();
    }
    return relay;
  }

  /**
   * The head of a {@code br} body too large as sent to be buffered arrived (declared so, or grown
   * past the cap while buffered, {@code compressed} being its bytes so far): the reply goes up now,
   * and the body is decoded as its compressed bytes arrive and as the caller reads it ({@link
   * StreamedBrotliBody}), the relay reading from the channel only as the decoder asks. On the event
   * loop.
   *
   * @return the relay, or null when the exchange had already ended
   */
  ChannelBody streamBrotli(
      HttpResponse head, List<ByteBuffer> compressed, ChannelBody.Upstream upstream) {
    if (!end()) {
      return null;
    }
    UnreadBody unread = UnreadBody.stream();
    StreamedBrotliBody decoded = new StreamedBrotliBody(compressed, unread, decoders);
    ChannelBody relay =
        new ChannelBody(this, channel, decoded, HttpUtil.isKeepAlive(head), upstream);
    phase = relay;
    decoded.onSubscribe(relay);
    unread.onSubscribe(decoded);
    if (!result.complete(unreadReply(head, unread))) {
      unread.discard(); // cancelled as the head arrived: nobody will read it
    }
    return relay;
  }

  /**
   * The whole body was read and is decoded as the caller reads it ({@code rest}, after {@code
   * prefix}, the bytes decoded so far): the reply goes up as one handed on unread, and the channel
   * is released now, having nothing more of this response. On the event loop.
   *
   * @param rest makes the upstream of the caller's body, given its subscriber
   * @return false when the exchange had already ended (failed, timed out, cancelled)
   */
  boolean handOnDecoded(
      HttpResponse head,
      List<ByteBuffer> prefix,
      Function<Flow.Subscriber<List<ByteBuffer>>, Flow.Subscription> rest) {
    if (!end()) {
      return false;
    }
    channel.attr(KEY).compareAndSet(this, null);
    UnreadBody unread = UnreadBody.streamAfter(prefix);
    unread.onSubscribe(rest.apply(unread));
    Reply reply = unreadReply(head, unread);
    release.release(channel, HttpUtil.isKeepAlive(head));
    if (!result.complete(reply)) {
      unread.discard(); // cancelled as it arrived: nobody will read it
    }
    return true;
  }

  /** The reply whose body the caller reads from {@code unread}, as the network gave it. */
  private Reply unreadReply(HttpResponse head, UnreadBody unread) {
    return new Reply(
        head.status().code(),
        fields(head),
        NO_BYTES,
        version,
        call.uri(),
        requestTime,
        clock.millis(),
        Reply.Source.NETWORK,
        new Reply.Unread(unread, unread::discard));
  }

  /**
   * The relay is done with the channel: the whole body was read ({@code reusable} when the
   * connection may carry another request), or it was abandoned or failed (closed). On the event
   * loop.
   */
  void bodyDone(boolean reusable) {
    channel.attr(KEY).compareAndSet(this, null);
    if (reusable) {
      channel.config().setAutoRead(true); // as the pool's other connections are
    }
    release.release(channel, reusable);
  }

  /**
   * The exchange failed: the channel is closed, never reused mid-response. After the head of an
   * unread body went up, the failure is the body's (a reset or a malformed chunk mid-stream). On
   * the event loop, as every signal of the channel is.
   */
  void fail(Throwable error) {
    if (failBeforeHead(error)) {
      return;
    }
    if (phase instanceof ChannelBody b) {
      b.fail(error);
    }
  }

  /** The request was cancelled: the channel is closed, which aborts the exchange. */
  void abort() {
    failBeforeHead(new java.util.concurrent.CancellationException("request cancelled"));
  }

  /** Fails the head phase; false when it had already ended. */
  private boolean failBeforeHead(Throwable error) {
    if (!end()) {
      return false;
    }
    channel.attr(KEY).compareAndSet(this, null);
    release.release(channel, false);
    result.completeExceptionally(error);
    return true;
  }

  private boolean end() {
    if (!PHASE.compareAndSet(this, (Object) null, ENDED)) {
      return false;
    }
    ScheduledFuture<?> t = timeout;
    if (t != null) {
      t.cancel(false);
    }
    return true;
  }

  /** The response's header fields as the caller sees them. */
  private static HttpHeaders fields(HttpResponse response) {
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
    return HttpHeaders.of(fields, (name, value) -> true);
  }
}
