package dev.optimizer.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A real HTTP/1.1 server on loopback (Netty), scripted in the style of OkHttp's MockWebServer:
 * enqueue responses (or set a dispatcher), run the client, then {@link #takeRequest()} and assert.
 * Responses can be delayed, and faults injected: a reset before the response, a reset in the middle
 * of the body, a server that never answers, a slow body ({@link Response#drip}), and raw bytes that
 * are not HTTP.
 *
 * <p>{@link #http2} makes it an HTTP/2 server (h2c with prior knowledge, or h2 by ALPN over TLS)
 * with a given {@code SETTINGS_MAX_CONCURRENT_STREAMS}: each stream is handled by the same scripted
 * handler, a reset then resets only the stream, and two faults act on the whole connection: GOAWAY
 * and killing the connection.
 */
final class MockHttpServer implements AutoCloseable {
  /** A request the server received. */
  record Recorded(String method, String path, Map<String, String> headers, String body) {
    String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  /** What to do at a point of the exchange. */
  enum Fault {
    NONE,
    RESET_BEFORE_RESPONSE,
    RESET_MID_BODY,
    HANG,
    GARBAGE,
    /** HTTP/2: GOAWAY naming the stream before this one as the last processed; no answer. */
    GOAWAY,
    /** Closes the connection abruptly (on HTTP/2, every stream on it). */
    KILL_CONNECTION
  }

  /** A scripted response. */
  static final class Response {
    int status = 200;
    final Map<String, List<String>> headers = new LinkedHashMap<>();
    byte[] body = new byte[0];
    long delayMillis;
    Fault fault = Fault.NONE;
    java.util.concurrent.CompletionStage<?> gate;
    int dripChunks;
    Boolean chunkedEnd; // null: not chunked; else whether the chunked body ends
    long dripPauseMillis;
    Http2Settings settingsOnArrival;
    final List<Response> interim = new ArrayList<>();

    /**
     * Completes once a dripped body ends: true when its last chunk was written, false when the
     * connection (or stream) closed first — the client gave up on it.
     */
    final java.util.concurrent.CompletableFuture<Boolean> dripped =
        new java.util.concurrent.CompletableFuture<>();

    boolean live;
    private final java.util.concurrent.CompletableFuture<ChannelHandlerContext> opened =
        new java.util.concurrent.CompletableFuture<>();

    /**
     * Completes when the connection (on HTTP/2, the stream) of a {@link #live} body closes: the
     * client hung up.
     */
    final java.util.concurrent.CompletableFuture<Void> hungUp =
        new java.util.concurrent.CompletableFuture<>();

    static Response ok(String body) {
      return new Response().body(body);
    }

    static Response status(int status) {
      Response r = new Response();
      r.status = status;
      return r;
    }

    Response header(String name, Object value) {
      headers.computeIfAbsent(name, n -> new ArrayList<>()).add(String.valueOf(value));
      return this;
    }

    Response body(String text) {
      this.body = text.getBytes(StandardCharsets.UTF_8);
      return this;
    }

    Response body(byte[] bytes) {
      this.body = bytes;
      return this;
    }

    Response delay(long millis) {
      this.delayMillis = millis;
      return this;
    }

    /** Answers only once {@code gate} completes (a latch the test or the dispatcher opens). */
    Response gate(java.util.concurrent.CompletionStage<?> gate) {
      this.gate = gate;
      return this;
    }

    /** HTTP/2: a SETTINGS frame sent on the connection as soon as the request arrives. */
    Response settingsOnArrival(Http2Settings settings) {
      this.settingsOnArrival = settings;
      return this;
    }

    /** An interim (1xx) response sent before this one, such as 103 Early Hints. */
    Response interim(Response informational) {
      interim.add(informational);
      return this;
    }

    Response fault(Fault fault) {
      this.fault = fault;
      return this;
    }

    /**
     * A slow body: the head (with the full Content-Length) at once, then the body in {@code chunks}
     * pieces with {@code pauseMillis} before each — a server that answers promptly and then
     * trickles. {@link #dripped} tells how it ended.
     */
    Response chunked(boolean end) {
      this.chunkedEnd = end;
      return this;
    }

    /**
     * An endless body that the test writes piece by piece with {@link #send}: the head (without a
     * length: chunked over HTTP/1.1) goes out at once, then each piece when sent. {@link #hungUp}
     * tells when the client gave up on it.
     */
    Response live() {
      this.live = true;
      return this;
    }

    /** Writes one piece of a {@link #live} body, once its head went out (waiting up to 10 s). */
    void send(byte[] piece) throws Exception {
      ChannelHandlerContext ctx = opened.get(10, TimeUnit.SECONDS);
      ctx.writeAndFlush(
              new io.netty.handler.codec.http.DefaultHttpContent(Unpooled.copiedBuffer(piece)))
          .get(10, TimeUnit.SECONDS);
    }

    /** {@link #send(byte[])} of a text in UTF-8. */
    void send(String piece) throws Exception {
      send(piece.getBytes(StandardCharsets.UTF_8));
    }

    Response drip(int chunks, long pauseMillis) {
      if (chunks < 1 || pauseMillis < 0) {
        throw new IllegalArgumentException("drip needs chunks >= 1 and pauseMillis >= 0");
      }
      this.dripChunks = chunks;
      this.dripPauseMillis = pauseMillis;
      return this;
    }
  }

  private final EventLoopGroup group =
      new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
  private final Channel channel;
  private final ConcurrentLinkedDeque<Response> queue = new ConcurrentLinkedDeque<>();
  private final BlockingQueue<Recorded> requests = new LinkedBlockingQueue<>();
  private final AtomicInteger count = new AtomicInteger();
  private volatile Function<Recorded, Response> dispatcher;
  private final AtomicInteger connections = new AtomicInteger();

  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger maxInFlight = new AtomicInteger();
  private final AtomicInteger resets = new AtomicInteger();
  private final AtomicInteger settingsAcks = new AtomicInteger();

  private final javax.net.ssl.SSLContext tls;

  MockHttpServer() throws InterruptedException {
    this(null);
  }

  /** A server speaking TLS with {@code tls}'s key, or plain HTTP when it is null. */
  MockHttpServer(javax.net.ssl.SSLContext tls) throws InterruptedException {
    this(tls, 0);
  }

  /**
   * An HTTP/2 server allowing {@code maxConcurrentStreams} streams per connection: h2c with prior
   * knowledge when {@code tls} is null, else TLS offering only h2 by ALPN.
   */
  static MockHttpServer http2(javax.net.ssl.SSLContext tls, int maxConcurrentStreams)
      throws InterruptedException {
    return new MockHttpServer(tls, maxConcurrentStreams);
  }

  /** {@code http2Streams} > 0: HTTP/2 with that many concurrent streams; 0: HTTP/1.1. */
  private MockHttpServer(javax.net.ssl.SSLContext tls, int http2Streams)
      throws InterruptedException {
    this.tls = tls;
    ServerBootstrap b =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    connections.incrementAndGet();
                    if (tls != null) {
                      javax.net.ssl.SSLEngine engine = tls.createSSLEngine();
                      engine.setUseClientMode(false);
                      if (http2Streams > 0) {
                        javax.net.ssl.SSLParameters params = engine.getSSLParameters();
                        params.setApplicationProtocols(new String[] {"h2"});
                        engine.setSSLParameters(params);
                      }
                      ch.pipeline().addLast(new io.netty.handler.ssl.SslHandler(engine));
                    }
                    if (http2Streams > 0) {
                      ch.pipeline()
                          .addLast(
                              Http2FrameCodecBuilder.forServer()
                                  .initialSettings(
                                      Http2Settings.defaultSettings()
                                          .maxConcurrentStreams(http2Streams))
                                  .build())
                          .addLast(
                              new Http2MultiplexHandler(
                                  new ChannelInitializer<Channel>() {
                                    @Override
                                    protected void initChannel(Channel stream) {
                                      stream
                                          .pipeline()
                                          .addLast(new Http2StreamFrameToHttpObjectCodec(true))
                                          .addLast(new HttpObjectAggregator(1 << 20))
                                          .addLast(new Handler());
                                    }
                                  }))
                          .addLast(
                              new io.netty.channel.ChannelInboundHandlerAdapter() {
                                @Override
                                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                  if (msg
                                      instanceof
                                      io.netty.handler.codec.http2.Http2SettingsAckFrame) {
                                    settingsAcks.incrementAndGet();
                                  }
                                  io.netty.util.ReferenceCountUtil.release(msg);
                                }
                              });
                      return;
                    }
                    ch.pipeline()
                        .addLast(new HttpServerCodec())
                        .addLast(new HttpObjectAggregator(1 << 20))
                        .addLast(new Handler());
                  }
                });
    this.channel = b.bind("127.0.0.1", 0).sync().channel();
  }

  /** Connections accepted so far. */
  int connectionCount() {
    return connections.get();
  }

  int port() {
    return ((InetSocketAddress) channel.localAddress()).getPort();
  }

  URI url(String path) {
    return URI.create((tls == null ? "http" : "https") + "://127.0.0.1:" + port() + path);
  }

  void enqueue(Response response) {
    queue.add(response);
  }

  void dispatcher(Function<Recorded, Response> dispatcher) {
    this.dispatcher = dispatcher;
  }

  /** The next request received, waiting up to 10 s for it. */
  Recorded takeRequest() throws InterruptedException {
    Recorded r = requests.poll(10, TimeUnit.SECONDS);
    if (r == null) {
      throw new AssertionError("no request arrived within 10 s");
    }
    return r;
  }

  /** The most requests the server held unanswered at once. */
  int maxInFlight() {
    return maxInFlight.get();
  }

  /** Requests the server holds unanswered now (a hanging one stays counted). */
  int inFlight() {
    return inFlight.get();
  }

  /** HTTP/2 streams the client reset (RST_STREAM) so far. */
  int resetCount() {
    return resets.get();
  }

  /** HTTP/2: SETTINGS frames of the server's that the client acknowledged so far. */
  int settingsAcks() {
    return settingsAcks.get();
  }

  /** Requests received so far. */
  int requestCount() {
    return count.get();
  }

  /** Requests received and not taken yet. */
  List<Recorded> drain() {
    List<Recorded> all = new ArrayList<>();
    requests.drainTo(all);
    return all;
  }

  @Override
  public void close() {
    channel.close().syncUninterruptibly();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
      Map<String, String> headers = new LinkedHashMap<>();
      req.headers()
          .forEach(
              e ->
                  headers.merge(
                      e.getKey().toLowerCase(Locale.ROOT), e.getValue(), (a, b2) -> a + ", " + b2));
      Recorded recorded =
          new Recorded(
              req.method().name(),
              req.uri(),
              headers,
              req.content().toString(StandardCharsets.UTF_8));
      count.incrementAndGet();
      maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
      requests.add(recorded);
      Function<Recorded, Response> d = dispatcher;
      Response r = d != null ? d.apply(recorded) : queue.poll();
      if (r == null) {
        r = Response.status(500).body("no response enqueued");
      }
      Response response = r;
      if (response.settingsOnArrival != null && ctx.channel().parent() != null) {
        ctx.channel()
            .parent()
            .writeAndFlush(
                new io.netty.handler.codec.http2.DefaultHttp2SettingsFrame(
                    response.settingsOnArrival));
      }
      if (response.gate != null) {
        response.gate.whenComplete((v, e) -> ctx.executor().execute(() -> respond(ctx, response)));
      } else if (response.delayMillis > 0) {
        ctx.executor()
            .schedule(() -> respond(ctx, response), response.delayMillis, TimeUnit.MILLISECONDS);
      } else {
        respond(ctx, response);
      }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof Http2ResetFrame) {
        resets.incrementAndGet();
      }
      ctx.fireUserEventTriggered(evt);
    }

    private void respond(ChannelHandlerContext ctx, Response r) {
      if (r.fault != Fault.HANG) {
        inFlight.decrementAndGet();
      }
      switch (r.fault) {
        case GOAWAY -> {
          Channel connection = ctx.channel().parent();
          Http2FrameCodec codec = connection.pipeline().get(Http2FrameCodec.class);
          ChannelHandlerContext at = connection.pipeline().context(codec);
          int stream = ((Http2StreamChannel) ctx.channel()).stream().id();
          codec.goAway(
              at, stream - 2, Http2Error.NO_ERROR.code(), Unpooled.EMPTY_BUFFER, at.newPromise());
          at.flush();
        }
        case KILL_CONNECTION -> {
          Channel connection =
              ctx.channel().parent() != null ? ctx.channel().parent() : ctx.channel();
          connection.config().setOption(ChannelOption.SO_LINGER, 0);
          connection.close();
        }
        case RESET_BEFORE_RESPONSE -> {
          ctx.channel().config().setOption(ChannelOption.SO_LINGER, 0);
          ctx.close();
        }
        case HANG -> {
          // never answer
        }
        case GARBAGE ->
            ctx.writeAndFlush(
                    Unpooled.copiedBuffer("NOT HTTP AT ALL\r\n\r\n", StandardCharsets.US_ASCII))
                .addListener(ChannelFutureListener.CLOSE);
        case RESET_MID_BODY -> {
          DefaultHttpResponse head =
              new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(r.status));
          r.headers.forEach((k, v) -> head.headers().add(k, v));
          head.headers().set(HttpHeaderNames.CONTENT_LENGTH, r.body.length);
          ctx.write(head);
          ctx.writeAndFlush(Unpooled.wrappedBuffer(r.body, 0, r.body.length / 2))
              .addListener(
                  f -> {
                    ctx.channel().config().setOption(ChannelOption.SO_LINGER, 0);
                    ctx.close();
                  });
        }
        default -> {
          if (r.dripChunks > 0) {
            drip(ctx, r);
            return;
          }
          if (r.chunkedEnd != null) {
            chunked(ctx, r);
            return;
          }
          if (r.live) {
            DefaultHttpResponse head =
                new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(r.status));
            r.headers.forEach((k, v) -> head.headers().add(k, v));
            head.headers().set(HttpHeaderNames.TRANSFER_ENCODING, "chunked");
            ctx.channel().closeFuture().addListener(f -> r.hungUp.complete(null));
            ctx.writeAndFlush(head).addListener(f -> r.opened.complete(ctx));
            return;
          }
          for (Response informational : r.interim) {
            DefaultFullHttpResponse head =
                new DefaultFullHttpResponse(
                    HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(informational.status));
            informational.headers.forEach((k, v) -> head.headers().add(k, v));
            ctx.write(head);
          }
          DefaultFullHttpResponse full =
              new DefaultFullHttpResponse(
                  HttpVersion.HTTP_1_1,
                  HttpResponseStatus.valueOf(r.status),
                  Unpooled.wrappedBuffer(r.body));
          r.headers.forEach((k, v) -> full.headers().add(k, v));
          if (!full.headers().contains(HttpHeaderNames.CONTENT_LENGTH)
              && r.status != 304
              && r.status != 204) {
            full.headers().set(HttpHeaderNames.CONTENT_LENGTH, r.body.length);
          }
          ctx.writeAndFlush(full);
        }
      }
    }

    /**
     * Writes the head without a length and the body as one chunk, flushed; then ends the body, or
     * leaves it open as an event stream that never closes.
     */
    private void chunked(ChannelHandlerContext ctx, Response r) {
      DefaultHttpResponse head =
          new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(r.status));
      r.headers.forEach((k, v) -> head.headers().add(k, v));
      head.headers().set(HttpHeaderNames.TRANSFER_ENCODING, "chunked");
      ctx.write(head);
      ctx.writeAndFlush(
          new io.netty.handler.codec.http.DefaultHttpContent(Unpooled.wrappedBuffer(r.body)));
      if (r.chunkedEnd) {
        ctx.writeAndFlush(io.netty.handler.codec.http.LastHttpContent.EMPTY_LAST_CONTENT);
      }
    }

    /** Writes the head now and the body chunk by chunk, each after a pause (a slow body). */
    private void drip(ChannelHandlerContext ctx, Response r) {
      DefaultHttpResponse head =
          new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(r.status));
      r.headers.forEach((k, v) -> head.headers().add(k, v));
      head.headers().set(HttpHeaderNames.CONTENT_LENGTH, r.body.length);
      ctx.writeAndFlush(head);
      ctx.channel().closeFuture().addListener(f -> r.dripped.complete(false));
      dripChunk(ctx, r, 0);
    }

    private void dripChunk(ChannelHandlerContext ctx, Response r, int index) {
      ctx.executor()
          .schedule(
              () -> {
                if (!ctx.channel().isActive()) {
                  r.dripped.complete(false);
                  return;
                }
                int from = (int) ((long) r.body.length * index / r.dripChunks);
                int to = (int) ((long) r.body.length * (index + 1) / r.dripChunks);
                io.netty.buffer.ByteBuf piece = Unpooled.wrappedBuffer(r.body, from, to - from);
                if (index + 1 < r.dripChunks) {
                  ctx.writeAndFlush(new io.netty.handler.codec.http.DefaultHttpContent(piece));
                  dripChunk(ctx, r, index + 1);
                } else {
                  r.dripped.complete(true); // before the write: the stream may close right after
                  ctx.writeAndFlush(new io.netty.handler.codec.http.DefaultLastHttpContent(piece));
                }
              },
              r.dripPauseMillis,
              TimeUnit.MILLISECONDS);
    }
  }
}
