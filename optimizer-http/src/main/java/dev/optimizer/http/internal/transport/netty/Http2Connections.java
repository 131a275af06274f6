package dev.optimizer.http.internal.transport.netty;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The HTTP/2 connections of one origin. Every request is a stream; streams share a connection up to
 * the server's {@code SETTINGS_MAX_CONCURRENT_STREAMS}, and only when every connection is full (or
 * going away) is another opened, one at a time, up to {@code maxConnections}; beyond that requests
 * wait in FIFO order for a stream to end. A connection that sent GOAWAY takes no new streams and
 * closes after its last one; a closed connection is forgotten, so the next request opens a new one.
 *
 * <p>Over TLS the connection offers {@code h2} and {@code http/1.1} by ALPN; a server that picks
 * HTTP/1.1 makes the origin {@linkplain #http1Only() HTTP/1.1 only}, and the waiting requests fail
 * with {@link UseHttp1} so that the transport sends them over its HTTP/1.1 pool.
 */
final class Http2Connections {
  /** The server chose HTTP/1.1 by ALPN: send over HTTP/1.1. */
  static final class UseHttp1 extends IOException {
    private static final long serialVersionUID = 1L;

    UseHttp1() {
      super("the server chose HTTP/1.1 by ALPN");
    }
  }

  private final Bootstrap bootstrap;
  private final Supplier<SslHandler> tls;
  private final int maxConnections;
  private final Duration readyTimeout;
  private final ChannelHandler streamInitializer;
  private final List<Http2Connection> connections = new ArrayList<>();
  private final ArrayDeque<CompletableFuture<Channel>> waiters = new ArrayDeque<>();
  private int connecting;
  private boolean closed;
  private volatile boolean http1Only;

  /**
   * @param bootstrap connects to the origin (its remote address set)
   * @param tls a TLS handler offering h2 by ALPN for each new connection, or null for h2c with
   *     prior knowledge
   * @param maxConnections connections kept at most
   * @param readyTimeout how long the server may take, once connected, to send its SETTINGS (a
   *     server that does not speak HTTP/2 may send nothing at all)
   * @param streamInitializer sets up each stream's pipeline (shared)
   */
  Http2Connections(
      Bootstrap bootstrap,
      Supplier<SslHandler> tls,
      int maxConnections,
      Duration readyTimeout,
      ChannelHandler streamInitializer) {
    this.bootstrap = bootstrap;
    this.tls = tls;
    this.maxConnections = maxConnections;
    this.readyTimeout = readyTimeout;
    this.streamInitializer = streamInitializer;
  }

  /**
   * A new stream channel on a slot of its own: closing the channel ends the stream (resetting it if
   * it had not ended) and frees the slot. Cancelling the future gives up the place in the queue.
   */
  CompletableFuture<Channel> acquire() {
    CompletableFuture<Channel> waiter = new CompletableFuture<>();
    synchronized (this) {
      if (closed) {
        waiter.completeExceptionally(new IOException("the HTTP/2 connections are closed"));
        return waiter;
      }
      if (http1Only) {
        waiter.completeExceptionally(new UseHttp1());
        return waiter;
      }
      waiters.add(waiter);
    }
    drain();
    return waiter;
  }

  /** Whether the server chose HTTP/1.1 by ALPN: requests go over HTTP/1.1 from now on. */
  boolean http1Only() {
    return http1Only;
  }

  /** Connections open now, and how many of them carry at least one stream. */
  synchronized long[] openAndActive() {
    long busy = connections.stream().filter(c -> c.inUse() > 0).count();
    return new long[] {connections.size(), busy};
  }

  /**
   * Hands waiting requests to connections with a free slot, and opens one more connection when
   * requests still wait, every connection is full, none is being opened and the cap allows. Channel
   * work runs outside the lock: a stream may complete (and call back here) on the calling thread.
   */
  private void drain() {
    List<Runnable> work = new ArrayList<>();
    synchronized (this) {
      while (!waiters.isEmpty()) {
        if (waiters.peek().isDone()) {
          waiters.poll(); // cancelled while waiting
          continue;
        }
        Http2Connection free = null;
        for (Http2Connection c : connections) {
          if (c.available()) {
            free = c;
            break;
          }
        }
        if (free == null) {
          break;
        }
        CompletableFuture<Channel> waiter = waiters.poll();
        free.reserve();
        Http2Connection target = free;
        work.add(() -> target.openStream(waiter, streamInitializer));
      }
      if (!waiters.isEmpty()
          && connecting == 0
          && connections.size() < maxConnections
          && !closed
          && connections.stream().allMatch(Http2Connection::full)) {
        Http2Connection c = new Http2Connection(this);
        connections.add(c);
        connecting++;
        work.add(() -> connect(c));
      }
    }
    work.forEach(Runnable::run);
  }

  private void connect(Http2Connection c) {
    Bootstrap b =
        bootstrap
            .clone()
            .handler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    c.attach(ch);
                    if (tls == null) {
                      addHttp2(ch.pipeline(), c);
                    } else {
                      ch.pipeline().addLast("tls", tls.get()).addLast("alpn", new Alpn(c));
                    }
                  }
                });
    b.connect()
        .addListener(
            f -> {
              if (!f.isSuccess()) {
                c.failure(f.cause());
                closed(c);
              } else {
                Channel ch = ((ChannelFuture) f).channel();
                ch.closeFuture().addListener(x -> closed(c));
                ch.eventLoop()
                    .schedule(
                        () -> notReadyInTime(c), readyTimeout.toNanos(), TimeUnit.NANOSECONDS);
              }
            });
  }

  private void addHttp2(ChannelPipeline p, Http2Connection c) {
    p.addLast(
            "h2",
            Http2FrameCodecBuilder.forClient()
                .initialSettings(Http2Settings.defaultSettings().pushEnabled(false))
                .build())
        .addLast("multiplex", new Http2MultiplexHandler(new RefuseServerPush()))
        .addLast("watch", c.watcher());
  }

  private void notReadyInTime(Http2Connection c) {
    synchronized (this) {
      if (c.ready() || !connections.contains(c)) {
        return;
      }
    }
    c.failure(
        new IOException(
            "no HTTP/2 SETTINGS from the server within "
                + readyTimeout.toMillis()
                + " ms of connecting (connectTimeout); does it speak HTTP/2"
                + (tls == null ? " with prior knowledge (h2c)?" : "?")));
    c.channel().close();
  }

  /**
   * The server's SETTINGS arrived: the first makes the connection ready. {@code maxStreams} is null
   * when the frame left MAX_CONCURRENT_STREAMS out, which keeps the current limit.
   */
  void settings(Http2Connection c, Integer maxStreams) {
    synchronized (this) {
      if (!c.ready()) {
        connecting--;
      }
      c.applySettings(maxStreams);
    }
    drain();
  }

  /** The server sent GOAWAY: no new streams here; close once the last stream has ended. */
  void goAway(Http2Connection c) {
    boolean idle;
    synchronized (this) {
      c.markGoingAway();
      idle = c.streams() == 0;
    }
    if (idle) {
      c.channel().close();
    }
    drain(); // waiting requests may need a new connection
  }

  /** A stream's exchange ended; Netty closes the stream next. */
  synchronized void released(Http2Connection c) {
    c.released();
  }

  void streamEnded(Http2Connection c) {
    boolean keep;
    synchronized (this) {
      keep = c.streamEnded();
    }
    if (!keep) {
      c.channel().close();
    }
    drain();
  }

  /** The connection closed (or never opened). Waiters fail only if it never became ready. */
  void closed(Http2Connection c) {
    List<CompletableFuture<Channel>> failed = new ArrayList<>();
    Throwable cause = c.failure();
    synchronized (this) {
      if (!connections.remove(c)) {
        return;
      }
      if (!c.ready()) {
        connecting--;
        if (!http1Only && connections.stream().noneMatch(Http2Connection::ready)) {
          failed.addAll(waiters); // the origin cannot be reached now; do not retry forever
          waiters.clear();
        }
      }
    }
    IOException error =
        cause instanceof IOException io
            ? io
            : new IOException(
                "HTTP/2 connection failed before it was ready"
                    + (cause == null ? " (closed by the server)" : ": " + cause),
                cause);
    failed.forEach(w -> w.completeExceptionally(error));
    drain();
  }

  /** ALPN chose HTTP/1.1: the origin goes over HTTP/1.1 from now on. */
  private void useHttp1(Http2Connection c) {
    List<CompletableFuture<Channel>> moved;
    synchronized (this) {
      http1Only = true;
      moved = new ArrayList<>(waiters);
      waiters.clear();
    }
    moved.forEach(w -> w.completeExceptionally(new UseHttp1()));
    c.channel().close();
  }

  /** Closes every connection; waiting requests fail. */
  void close() {
    List<CompletableFuture<Channel>> failed;
    List<Http2Connection> all;
    synchronized (this) {
      closed = true;
      failed = new ArrayList<>(waiters);
      waiters.clear();
      all = new ArrayList<>(connections);
    }
    failed.forEach(w -> w.completeExceptionally(new IOException("the Netty transport is closed")));
    all.forEach(
        c -> {
          if (c.channel() != null) {
            c.channel().attr(NettyTransport.CLOSED_BY_TRANSPORT).set(Boolean.TRUE);
            c.channel().close();
          }
        });
  }

  /**
   * The pipeline of each stream: Netty's HTTP/1 objects over the stream's frames, the stream's own
   * errors, then the same response handlers as an HTTP/1.1 connection.
   */
  static ChannelHandler streamInitializer(long maxBodyBytes) {
    return new ChannelInitializer<Channel>() {
      @Override
      protected void initChannel(Channel ch) {
        ch.pipeline()
            .addLast("codec", new Http2StreamFrameToHttpObjectCodec(false))
            .addLast("streamErrors", new Http2StreamErrors());
        ResponseHandlers.addLast(ch.pipeline(), maxBodyBytes);
      }
    };
  }

  /** After the TLS handshake: HTTP/2 when the server chose h2, else HTTP/1.1 for this origin. */
  private final class Alpn extends ChannelInboundHandlerAdapter {
    private final Http2Connection c;

    Alpn(Http2Connection c) {
      this.c = c;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
      if (evt instanceof SslHandshakeCompletionEvent done) {
        if (!done.isSuccess()) {
          c.failure(done.cause()); // SslHandler closes the connection
          return;
        }
        ctx.pipeline().remove(this);
        String chosen = ctx.pipeline().get(SslHandler.class).engine().getApplicationProtocol();
        if ("h2".equals(chosen)) {
          addHttp2(ctx.pipeline(), c);
        } else {
          useHttp1(c);
        }
        return;
      }
      ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      if (c.failure() == null) {
        c.failure(cause);
      }
      ctx.close();
    }
  }

  /** Server push is disabled in our SETTINGS; a pushed stream is closed at once. */
  @ChannelHandler.Sharable
  private static final class RefuseServerPush extends ChannelInboundHandlerAdapter {
    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      ctx.close();
    }
  }
}
