package dev.optimizer.http.internal.transport.netty;

import dev.optimizer.api.Ticker;
import dev.optimizer.http.internal.HttpCall;
import dev.optimizer.http.internal.Reply;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.pool.AbstractChannelPoolHandler;
import io.netty.channel.pool.AbstractChannelPoolMap;
import io.netty.channel.pool.ChannelPool;
import io.netty.channel.pool.FixedChannelPool;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.metrics.ObservableLongMeasurement;
import io.opentelemetry.api.metrics.ObservableLongUpDownCounter;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/**
 * Sends calls over Netty: HTTP/1.1 with a bounded pool of keep-alive connections per origin, or
 * HTTP/2 with streams multiplexed over few connections per origin ({@link Http2Connections}: h2c
 * with prior knowledge for {@code http}, ALPN for {@code https}, falling back to HTTP/1.1 when the
 * server chooses it); gzip, deflate and (when its decoder is present) br decoded transparently when
 * the application did not ask for an encoding itself, and a cap on what is buffered ({@code
 * maxBodyBytes}) so that no body, a compression bomb included, is held whole past it. A body that
 * must not be buffered (a stream, a declared length over the cap, a body of undeclared length or a
 * gzip or deflate body that outgrows it once decoded) is handed on unread from its head, read from
 * the connection only as the caller asks ({@link BodyRoute}, {@link ChannelBody}); a br body is
 * decoded whole when it fits the cap as sent and handed on, decoded as the caller reads it, when it
 * decodes past it ({@link BrotliResponseDecoder}), and one larger than the cap as sent is decoded
 * as it arrives on a thread of its own ({@link StreamedBrotliBody}). Otherwise only a complete
 * response makes a {@link Reply}, so nothing partial is cached. {@code https} runs over the JDK's
 * TLS with the given {@link SSLContext}, checking the server's name against its certificate;
 * redirects are not followed. Thread-safe; {@link #close()} releases the connections and the
 * event-loop threads.
 */
public final class NettyTransport implements dev.optimizer.http.internal.Transport, AutoCloseable {
  private static final AtomicInteger INSTANCES = new AtomicInteger();

  private final Clock clock;
  private final Ticker ticker;
  private final long maxBodyBytes;
  private final EventLoopGroup group;
  private final AbstractChannelPoolMap<Origin, FixedChannelPool> pools;
  private final boolean http2;
  private final Bootstrap bootstrap;
  private final int maxConnectionsPerOrigin;
  private final Duration connectTimeout;
  private final Map<Origin, Http2Connections> http2Origins = new ConcurrentHashMap<>();
  private final io.netty.channel.ChannelHandler streamInitializer;
  private final SSLContext tls;
  private final ObservableLongUpDownCounter openConnections;

  /** Numbers this transport's threads. */
  private final int instance;

  /**
   * Threads that decode the br bodies too large to buffer, one per body while its caller asks for
   * more ({@link StreamedBrotliBody}); none are kept idle for long.
   */
  private final ThreadPoolExecutor decoders;

  private static final AttributeKey<String> SERVER_ADDRESS =
      AttributeKey.stringKey("server.address");
  private static final AttributeKey<Long> SERVER_PORT = AttributeKey.longKey("server.port");
  private static final AttributeKey<String> SCHEME = AttributeKey.stringKey("url.scheme");
  private static final AttributeKey<String> STATE = AttributeKey.stringKey("http.connection.state");
  private final java.util.concurrent.atomic.AtomicBoolean closed =
      new java.util.concurrent.atomic.AtomicBoolean();

  /**
   * The HTTP/1.1 connections open now, idle or carrying an exchange: closing the pools closes only
   * the idle ones, and an event loop shutting down does not fail the exchanges on its channels.
   */
  private final ChannelGroup channels = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);

  /**
   * Set on a channel that the transport closes as it closes itself, so that what was in flight on
   * it fails saying so.
   */
  static final io.netty.util.AttributeKey<Boolean> CLOSED_BY_TRANSPORT =
      io.netty.util.AttributeKey.valueOf("dev.optimizer.http.transportClosed");

  /** Whether {@code channel} (or the HTTP/2 connection of a stream) was closed by close(). */
  static boolean closedByTransport(Channel channel) {
    Channel connection = channel.parent() != null ? channel.parent() : channel;
    return connection.hasAttr(CLOSED_BY_TRANSPORT)
        && connection.attr(CLOSED_BY_TRANSPORT).get() != null;
  }

  /**
   * A transport with its own event loop.
   *
   * @param threads event-loop threads
   * @param maxConnectionsPerOrigin connections kept per host and port; further requests wait
   * @param connectTimeout how long a connection may take to open
   * @param version HTTP_2 for HTTP/2 (needs netty-codec-http2), HTTP_1_1 otherwise
   */
  public NettyTransport(
      Clock clock,
      Ticker ticker,
      long maxBodyBytes,
      int threads,
      int maxConnectionsPerOrigin,
      Duration connectTimeout,
      SSLContext tls,
      Meter meter,
      HttpClient.Version version) {
    this.tls = tls;
    this.http2 = version == HttpClient.Version.HTTP_2;
    this.maxConnectionsPerOrigin = maxConnectionsPerOrigin;
    this.connectTimeout = connectTimeout;
    // Only an HTTP/2 transport loads the HTTP/2 classes, so HTTP/1.1 runs without netty-codec-http2
    this.streamInitializer = http2 ? Http2Connections.streamInitializer(maxBodyBytes) : null;
    this.clock = clock;
    this.ticker = ticker;
    this.maxBodyBytes = maxBodyBytes;
    this.instance = INSTANCES.incrementAndGet();
    AtomicInteger n = new AtomicInteger();
    this.group =
        new MultiThreadIoEventLoopGroup(
            threads,
            r -> {
              Thread t = new Thread(r, "optimizer-netty-" + instance + "-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            },
            NioIoHandler.newFactory());
    AtomicInteger decoder = new AtomicInteger();
    this.decoders =
        new ThreadPoolExecutor(
            0,
            Integer.MAX_VALUE,
            10,
            TimeUnit.SECONDS,
            new SynchronousQueue<>(),
            r -> {
              Thread t =
                  new Thread(r, "optimizer-netty-" + instance + "-br-" + decoder.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    this.bootstrap =
        new Bootstrap()
            .group(group)
            .channel(NioSocketChannel.class)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(
                ChannelOption.CONNECT_TIMEOUT_MILLIS,
                (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()));
    this.pools =
        new AbstractChannelPoolMap<>() {
          @Override
          protected FixedChannelPool newPool(Origin origin) {
            return new FixedChannelPool(
                bootstrap
                    .clone()
                    .remoteAddress(
                        InetSocketAddress.createUnresolved(origin.host(), origin.port())),
                new AbstractChannelPoolHandler() {
                  @Override
                  public void channelCreated(Channel ch) {
                    channels.add(ch); // left again when it closes
                    origin.open.incrementAndGet();
                    ch.closeFuture().addListener(f -> origin.open.decrementAndGet());
                    if (origin.secure()) {
                      ch.pipeline().addLast("tls", new SslHandler(clientEngine(origin)));
                    }
                    ch.pipeline().addLast("codec", new HttpClientCodec());
                    ResponseHandlers.addLast(ch.pipeline(), maxBodyBytes);
                  }
                },
                maxConnectionsPerOrigin);
          }
        };
    this.openConnections =
        meter
            .upDownCounterBuilder("http.client.open_connections")
            .setDescription("Connections of the Netty transport, by state")
            .setUnit("{connection}")
            .buildWithCallback(this::observeConnections);
  }

  @Override
  public CompletableFuture<Reply> send(HttpCall call) {
    URI uri = call.uri();
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      return CompletableFuture.failedFuture(
          new IOException("the Netty transport speaks http and https, not " + uri.getScheme()));
    }
    if (closed.get()) {
      return CompletableFuture.failedFuture(closedError());
    }
    HttpRequest request = (HttpRequest) call.nativeRequest();
    CompletableFuture<Reply> result = new CompletableFuture<>();
    RequestBodies.collect(request)
        .whenComplete(
            (body, error) -> {
              if (error != null) {
                result.completeExceptionally(error);
              } else if (!result.isDone()) {
                acquireAndSend(call, request, body, result);
              }
            });
    return result;
  }

  private void acquireAndSend(
      HttpCall call, HttpRequest request, byte[] body, CompletableFuture<Reply> result) {
    Origin origin =
        new Origin(
            "https".equalsIgnoreCase(call.uri().getScheme()),
            call.uri().getHost(),
            HttpCall.port(call.uri()));
    if (closed.get()) {
      result.completeExceptionally(closedError());
      return;
    }
    boolean decompress = request.headers().firstValue("accept-encoding").isEmpty();
    long requestTime = clock.millis();
    Http2Connections h2 = http2 ? http2Origins.computeIfAbsent(origin, this::http2Origin) : null;
    if (h2 != null && !h2.http1Only()) {
      CompletableFuture<Channel> stream = h2.acquire();
      result.whenComplete((r, e) -> stream.cancel(false)); // leave the queue when cancelled
      stream.whenComplete(
          (channel, error) -> {
            if (error instanceof Http2Connections.UseHttp1) {
              sendHttp1(origin, call, request, body, decompress, requestTime, result);
            } else if (error != null) {
              result.completeExceptionally(error);
            } else {
              FullHttpRequest message = message(call, request, body, decompress);
              start(
                  call,
                  result,
                  channel,
                  (ch, reusable) -> Http2Connection.release(ch),
                  HttpClient.Version.HTTP_2,
                  decompress,
                  requestTime,
                  message);
            }
          });
      return;
    }
    sendHttp1(origin, call, request, body, decompress, requestTime, result);
  }

  private Http2Connections http2Origin(Origin origin) {
    Bootstrap b =
        bootstrap
            .clone()
            .remoteAddress(InetSocketAddress.createUnresolved(origin.host(), origin.port()));
    return new Http2Connections(
        b,
        origin.secure() ? () -> alpnTls(origin) : null,
        maxConnectionsPerOrigin,
        connectTimeout,
        streamInitializer);
  }

  private void sendHttp1(
      Origin origin,
      HttpCall call,
      HttpRequest request,
      byte[] body,
      boolean decompress,
      long requestTime,
      CompletableFuture<Reply> result) {
    ChannelPool pool;
    try {
      if (closed.get()) {
        throw closedError();
      }
      pool = pools.get(origin);
    } catch (IOException | RuntimeException e) {
      result.completeExceptionally(e instanceof IOException ? e : closedError());
      return;
    }
    FullHttpRequest message = message(call, request, body, decompress);
    Future<Channel> acquired = pool.acquire();
    acquired.addListener(
        f -> {
          if (!f.isSuccess()) {
            message.release();
            Throwable cause = f.cause();
            result.completeExceptionally(
                cause instanceof IOException ? cause : new IOException(cause.getMessage(), cause));
            return;
          }
          Exchange.Release release =
              (ch, reusable) -> {
                if (!reusable) {
                  ch.close();
                }
                pool.release(ch);
              };
          start(
              call,
              result,
              acquired.getNow(),
              release,
              HttpClient.Version.HTTP_1_1,
              decompress,
              requestTime,
              message);
        });
  }

  /** Writes the request on a channel of its own (a connection or a stream) as one exchange. */
  private void start(
      HttpCall call,
      CompletableFuture<Reply> result,
      Channel channel,
      Exchange.Release release,
      HttpClient.Version version,
      boolean decompress,
      long requestTime,
      FullHttpRequest message) {
    if (result.isDone()) { // cancelled while waiting for a connection or a stream
      message.release();
      release.release(channel, true);
      return;
    }
    long deadline = call.deadlineNanos();
    if (deadline != Long.MAX_VALUE && deadline - ticker.read() <= 0) {
      // The deadline passed while the request waited for a connection or a stream. The caller's
      // timer may have fired without its cancel having reached us yet: sending now would deliver
      // a request its caller has already seen fail.
      message.release();
      release.release(channel, true);
      result.completeExceptionally(
          new HttpTimeoutException(
              "request timed out while waiting for a connection or an HTTP/2 stream; not sent"));
      return;
    }
    Exchange exchange =
        new Exchange(
            call, result, release, channel, version, decompress, requestTime, clock, decoders);
    channel.attr(Exchange.KEY).set(exchange);
    if (deadline != Long.MAX_VALUE) {
      exchange.timeoutAfter(Math.max(0, deadline - ticker.read()));
    }
    result.whenComplete(
        (r, e) -> {
          if (result.isCancelled()) {
            exchange.abort(); // a hedge won, or the caller gave up
          }
        });
    channel
        .writeAndFlush(message)
        .addListener(
            w -> {
              if (!w.isSuccess()) {
                Throwable cause = w.cause();
                exchange.fail(
                    cause instanceof IOException
                        ? cause // e.g. an SSLHandshakeException, as the JDK client reports it
                        : new IOException("could not send the request: " + cause, cause));
              }
            });
  }

  private static FullHttpRequest message(
      HttpCall call, HttpRequest request, byte[] body, boolean decompress) {
    URI uri = call.uri();
    String target = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    if (uri.getRawQuery() != null) {
      target = target + "?" + uri.getRawQuery();
    }
    FullHttpRequest m =
        new DefaultFullHttpRequest(
            HttpVersion.HTTP_1_1,
            HttpMethod.valueOf(call.method()),
            target,
            Unpooled.wrappedBuffer(body));
    request
        .headers()
        .map()
        .forEach(
            (name, values) -> {
              if (!call.extraHeaders().containsKey(name.toLowerCase(Locale.ROOT))) {
                m.headers().add(name, values);
              }
            });
    call.extraHeaders().forEach((name, value) -> m.headers().set(name, value));
    int port = uri.getPort();
    m.headers().set(HttpHeaderNames.HOST, port == -1 ? uri.getHost() : uri.getHost() + ":" + port);
    if (body.length > 0 || request.bodyPublisher().isPresent() && !"GET".equals(call.method())) {
      m.headers().set(HttpHeaderNames.CONTENT_LENGTH, body.length);
    }
    if (decompress) {
      m.headers().set(HttpHeaderNames.ACCEPT_ENCODING, ContentCodings.acceptEncoding());
    }
    return m;
  }

  /** A TLS client engine that checks the server's name (or address) against its certificate. */
  private SSLEngine clientEngine(Origin origin) {
    SSLEngine engine = tls.createSSLEngine(origin.host(), origin.port());
    engine.setUseClientMode(true);
    SSLParameters params = engine.getSSLParameters();
    params.setEndpointIdentificationAlgorithm("HTTPS");
    engine.setSSLParameters(params);
    return engine;
  }

  /** A TLS handler offering h2, then http/1.1, by ALPN. */
  private SslHandler alpnTls(Origin origin) {
    SSLEngine engine = clientEngine(origin);
    SSLParameters params = engine.getSSLParameters();
    params.setApplicationProtocols(new String[] {"h2", "http/1.1"});
    engine.setSSLParameters(params);
    return new SslHandler(engine);
  }

  /** Where connections go: one pool each, and a count of its open connections. */
  private record Origin(boolean secure, String host, int port, AtomicLong open) {
    Origin(boolean secure, String host, int port) {
      this(secure, host, port, new AtomicLong());
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Origin other
          && secure == other.secure
          && port == other.port
          && host.equals(other.host);
    }

    @Override
    public int hashCode() {
      return (host.hashCode() * 31 + port) * 2 + (secure ? 1 : 0);
    }
  }

  /**
   * {@code http.client.open_connections}: per origin, connections carrying a request (active) and
   * waiting in the pool (idle).
   */
  private void observeConnections(ObservableLongMeasurement m) {
    for (Map.Entry<Origin, FixedChannelPool> e : pools) {
      Origin o = e.getKey();
      long active = e.getValue().acquiredChannelCount();
      long idle = Math.max(0, o.open.get() - active);
      Attributes base =
          Attributes.of(
              SERVER_ADDRESS,
              o.host(),
              SERVER_PORT,
              (long) o.port(),
              SCHEME,
              o.secure() ? "https" : "http");
      m.record(active, base.toBuilder().put(STATE, "active").build());
      m.record(idle, base.toBuilder().put(STATE, "idle").build());
    }
    // HTTP/2: a connection carrying at least one stream is active. An origin that fell back to
    // HTTP/1.1 has no connections of its own left here.
    for (Map.Entry<Origin, Http2Connections> e : http2Origins.entrySet()) {
      if (e.getValue().http1Only()) {
        continue; // counted with the HTTP/1.1 pools
      }
      Origin o = e.getKey();
      long[] openAndActive = e.getValue().openAndActive();
      Attributes base =
          Attributes.of(
              SERVER_ADDRESS,
              o.host(),
              SERVER_PORT,
              (long) o.port(),
              SCHEME,
              o.secure() ? "https" : "http");
      m.record(openAndActive[1], base.toBuilder().put(STATE, "active").build());
      m.record(openAndActive[0] - openAndActive[1], base.toBuilder().put(STATE, "idle").build());
    }
  }

  /** Whether the calling thread is one of this transport's event loops. */
  @Override
  public boolean isOwnThread() {
    for (io.netty.util.concurrent.EventExecutor loop : group) {
      if (loop.inEventLoop()) {
        return true;
      }
    }
    return false;
  }

  static IOException closedError() {
    return new IOException(
        "the Netty transport is closed (its client or its HttpOptimizer was closed)");
  }

  /**
   * Closes every connection, failing what is in flight, and stops the event loops; new calls fail
   * from now on. Waits for that (a few seconds at most), except on one of the transport's own
   * event-loop threads (a callback of one of its calls): there it leaves the closing to a thread of
   * its own and returns, and the connections close and the loops stop once the callback is over.
   * Idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    openConnections.close();
    if (isOwnThread()) {
      // Closing waits for the event loops, this thread among them: the pools' close would wait
      // for good for an idle connection that only this loop can close, and the waits below would
      // run out their timeouts (7 s) with nothing done.
      Thread t = new Thread(this::release, "optimizer-netty-" + instance + "-close");
      t.setDaemon(true);
      t.start();
      return;
    }
    release();
  }

  /** What close() does past the flag and the instrument; off the event loops. */
  private void release() {
    http2Origins.values().forEach(Http2Connections::close);
    pools.close();
    // What is in flight fails now (its channel's close reaches its exchange and its body), while
    // the event loops still run to tell it.
    channels.forEach(ch -> ch.attr(CLOSED_BY_TRANSPORT).set(Boolean.TRUE));
    channels.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
    decoders.shutdownNow(); // their bodies failed with their channels; a decoder still waiting ends
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
  }
}
