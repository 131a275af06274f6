package dev.optimizer.http.internal.transport.netty;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpChunkedInput;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.stream.ChunkedStream;
import io.netty.handler.stream.ChunkedWriteHandler;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPOutputStream;

/**
 * A real HTTP/1.1 origin on loopback (Netty) serving a gzip compression bomb: {@code /bomb?bytes=N}
 * is N zero bytes, gzip-coded and chunked (about a thousandth of N on the wire), coded once and
 * then written as fast as the connection takes it, so that a client's reads are as large as can be;
 * {@code /noise?bytes=N} is N random bytes as identity (incompressible: many bytes on the wire);
 * {@code /small} is "small"; {@code /br} is the body given to {@link #brotli}, sent as it is with
 * {@code Content-Encoding: br}, chunked.
 */
final class GzipBombOrigin implements AutoCloseable {
  private final EventLoopGroup group =
      new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final Channel server;
  private volatile byte[] brotli = new byte[0];

  GzipBombOrigin() throws InterruptedException {
    server =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.pipeline()
                        .addLast(new HttpServerCodec())
                        .addLast(new HttpObjectAggregator(1 << 16))
                        .addLast(new ChunkedWriteHandler())
                        .addLast(new Handler(() -> brotli));
                  }
                })
            .bind(new InetSocketAddress("127.0.0.1", 0))
            .sync()
            .channel();
  }

  /** What {@code /br} sends: a br-coded body. */
  void brotli(byte[] encoded) {
    this.brotli = encoded;
  }

  URI url(String pathAndQuery) {
    int port = ((InetSocketAddress) server.localAddress()).getPort();
    return URI.create("http://127.0.0.1:" + port + pathAndQuery);
  }

  @Override
  public void close() {
    server.close().awaitUninterruptibly();
    group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).awaitUninterruptibly();
  }

  private static final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final java.util.function.Supplier<byte[]> brotli;

    Handler(java.util.function.Supplier<byte[]> brotli) {
      this.brotli = brotli;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
      QueryStringDecoder uri = new QueryStringDecoder(request.uri());
      if (uri.path().equals("/br")) {
        DefaultHttpResponse head =
            new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers()
            .set(HttpHeaderNames.TRANSFER_ENCODING, "chunked")
            .set(HttpHeaderNames.CONTENT_ENCODING, "br")
            .set(HttpHeaderNames.CONTENT_TYPE, "application/octet-stream");
        ctx.write(head);
        ctx.writeAndFlush(
            new HttpChunkedInput(
                new ChunkedStream(new java.io.ByteArrayInputStream(brotli.get()), 8192)));
        return;
      }
      if (uri.path().equals("/noise")) {
        byte[] noise = new byte[Integer.parseInt(uri.parameters().get("bytes").get(0))];
        new java.util.Random(1).nextBytes(noise);
        DefaultFullHttpResponse response =
            new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.wrappedBuffer(noise));
        response.headers().set(HttpHeaderNames.CONTENT_LENGTH, noise.length);
        ctx.writeAndFlush(response);
        return;
      }
      if (!uri.path().equals("/bomb")) {
        DefaultFullHttpResponse small =
            new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1,
                HttpResponseStatus.OK,
                Unpooled.copiedBuffer("small", StandardCharsets.US_ASCII));
        small.headers().set(HttpHeaderNames.CONTENT_LENGTH, 5);
        ctx.writeAndFlush(small);
        return;
      }
      long bytes = Long.parseLong(uri.parameters().get("bytes").get(0));
      DefaultHttpResponse head =
          new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
      head.headers()
          .set(HttpHeaderNames.TRANSFER_ENCODING, "chunked")
          .set(HttpHeaderNames.CONTENT_ENCODING, "gzip")
          .set(HttpHeaderNames.CONTENT_TYPE, "application/octet-stream");
      ctx.write(head);
      // 8 KiB chunks, written as fast as the connection takes them
      ctx.writeAndFlush(
          new HttpChunkedInput(
              new ChunkedStream(new java.io.ByteArrayInputStream(gzipZeros(bytes)), 8192)));
    }
  }

  /** {@code total} zero bytes, gzip-coded (once per size for the JVM: about a thousandth). */
  private static synchronized byte[] gzipZeros(long total) {
    return BOMBS.computeIfAbsent(
        total,
        n -> {
          byte[] zeros = new byte[1 << 20];
          ByteArrayOutputStream out = new ByteArrayOutputStream((int) (n / 512) + 64);
          try (GZIPOutputStream gzip = new GZIPOutputStream(out, 1 << 16)) {
            for (long left = n; left > 0; left -= zeros.length) {
              gzip.write(zeros, 0, (int) Math.min(zeros.length, left));
            }
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
          return out.toByteArray();
        });
  }

  private static final java.util.Map<Long, byte[]> BOMBS = new java.util.HashMap<>();
}
