package dev.optimizer.benchmarks.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
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
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The origin of the http-* scenarios: a real HTTP/1.1 server on loopback (Netty, one event loop
 * thread) whose answers a scenario scripts — status, fields, body and a delay — and which counts
 * the requests it receives, the requests in progress and the connections it accepted. {@link
 * #http2} makes it speak HTTP/2 (h2c with prior knowledge), each stream answered alike.
 */
final class Origin implements AutoCloseable {
  /** One scripted answer. */
  record Answer(int status, Map<String, String> headers, byte[] body, long delayNanos) {}

  /** Scripts the answer to a request. */
  interface Script {
    Answer answer(
        String method,
        String path,
        io.netty.handler.codec.http.HttpHeaders headers,
        int inProgress);
  }

  private final EventLoopGroup group;
  private final Channel channel;
  private final AtomicLong requests = new AtomicLong();
  private final AtomicInteger inProgress = new AtomicInteger();
  private final AtomicInteger connections = new AtomicInteger();
  private volatile Script script;

  Origin(Script script, int threads) throws InterruptedException {
    this(script, threads, 0);
  }

  /** An h2c origin allowing {@code maxConcurrentStreams} streams per connection. */
  static Origin http2(Script script, int threads, int maxConcurrentStreams)
      throws InterruptedException {
    return new Origin(script, threads, maxConcurrentStreams);
  }

  private Origin(Script script, int threads, int http2Streams) throws InterruptedException {
    this.script = script;
    this.group = new MultiThreadIoEventLoopGroup(threads, NioIoHandler.newFactory());
    this.channel =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .option(ChannelOption.SO_BACKLOG, 4096)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    connections.incrementAndGet();
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
                                  }));
                      return;
                    }
                    ch.pipeline()
                        .addLast(new HttpServerCodec())
                        .addLast(new HttpObjectAggregator(1 << 20))
                        .addLast(new Handler());
                  }
                })
            .bind("127.0.0.1", 0)
            .sync()
            .channel();
  }

  URI url(String path) {
    return URI.create(
        "http://127.0.0.1:" + ((InetSocketAddress) channel.localAddress()).getPort() + path);
  }

  void script(Script script) {
    this.script = script;
  }

  /** Connections accepted so far. */
  int connections() {
    return connections.get();
  }

  long requests() {
    return requests.get();
  }

  void resetCount() {
    requests.set(0);
  }

  @Override
  public void close() {
    try {
      channel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    } catch (RuntimeException e) {
      // an event loop flooded with scheduled answers may refuse the close task; shut it down
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
  }

  private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close(); // a client resetting an idle keep-alive connection is routine, not news
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
      requests.incrementAndGet();
      int now = inProgress.incrementAndGet();
      Answer a = script.answer(req.method().name(), req.uri(), req.headers(), now);
      if (a.delayNanos() > 0) {
        ctx.executor().schedule(() -> respond(ctx, a), a.delayNanos(), TimeUnit.NANOSECONDS);
      } else {
        respond(ctx, a);
      }
    }

    private void respond(ChannelHandlerContext ctx, Answer a) {
      inProgress.decrementAndGet();
      DefaultFullHttpResponse r =
          new DefaultFullHttpResponse(
              HttpVersion.HTTP_1_1,
              HttpResponseStatus.valueOf(a.status()),
              Unpooled.wrappedBuffer(a.body()));
      a.headers().forEach((k, v) -> r.headers().set(k, v));
      r.headers().set(HttpHeaderNames.CONTENT_LENGTH, a.body().length);
      if (ctx.channel().isActive()) {
        ctx.writeAndFlush(r);
      }
    }
  }
}
