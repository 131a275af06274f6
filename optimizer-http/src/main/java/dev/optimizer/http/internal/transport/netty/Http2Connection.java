package dev.optimizer.http.internal.transport.netty;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2SettingsFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;

/**
 * One HTTP/2 connection of an origin and what its owner needs to decide where a stream goes:
 * whether the server's first SETTINGS has arrived (before it the server's {@code
 * SETTINGS_MAX_CONCURRENT_STREAMS} is unknown, so no stream is opened), that limit, the streams
 * open or reserved now, and whether the server sent GOAWAY (then no new stream goes here and the
 * connection closes once its last stream ends). State is guarded by the owner's lock.
 */
final class Http2Connection {
  private static final AttributeKey<Runnable> RELEASED =
      AttributeKey.valueOf("dev.optimizer.http.h2.released");
  private static final AttributeKey<Throwable> CONNECTION_ERROR =
      AttributeKey.valueOf("dev.optimizer.http.h2.error");
  private final Http2Connections owner;
  private volatile Channel channel;
  private boolean ready;
  private boolean goingAway;
  private int maxStreams = Integer.MAX_VALUE;
  private int streams;
  private int inUse;
  private volatile Throwable failure;

  Http2Connection(Http2Connections owner) {
    this.owner = owner;
  }

  /** The last handler of the connection's pipeline: settings, GOAWAY and errors. */
  ChannelHandler watcher() {
    return new Watcher();
  }

  void attach(Channel ch) {
    this.channel = ch;
  }

  Channel channel() {
    return channel;
  }

  boolean ready() {
    return ready;
  }

  boolean goingAway() {
    return goingAway;
  }

  /** Streams whose exchange has not ended. */
  int inUse() {
    return inUse;
  }

  /** Streams Netty has not closed yet (or reserved and not yet opened). */
  int streams() {
    return streams;
  }

  /** Why the connection closed before it became ready, if known (a TLS handshake failure). */
  Throwable failure() {
    return failure;
  }

  void failure(Throwable cause) {
    this.failure = cause;
  }

  /** Whether the connection takes new streams at all (under the owner's lock). */
  boolean accepting() {
    return ready && !goingAway && channel != null && channel.isActive();
  }

  /** Whether one more stream may open now (under the owner's lock). */
  boolean available() {
    return accepting() && streams < maxStreams;
  }

  /** Whether every stream the server allows carries an exchange (under the owner's lock). */
  boolean full() {
    return !accepting() || inUse >= maxStreams;
  }

  void reserve() {
    streams++;
    inUse++;
  }

  void released() {
    inUse--;
  }

  /** Returns false when this was the last stream of a connection going away. */
  boolean streamEnded() {
    streams--;
    return !(goingAway && streams == 0);
  }

  /**
   * Ends a stream's use: its exchange is over. Closing the stream (which resets it if it had not
   * ended) follows; its slot is free once Netty has closed it.
   */
  static void release(Channel stream) {
    Runnable released = stream.attr(RELEASED).getAndSet(null);
    if (released != null) {
      released.run();
    }
    stream.close();
  }

  /** Opens a stream for {@code waiter} on a slot already reserved. */
  void openStream(CompletableFuture<Channel> waiter, ChannelHandler streamInitializer) {
    new Http2StreamChannelBootstrap(channel)
        .handler(streamInitializer)
        .open()
        .addListener(
            f -> {
              if (!f.isSuccess()) {
                owner.released(this);
                owner.streamEnded(this);
                waiter.completeExceptionally(
                    new IOException("could not open an HTTP/2 stream: " + f.cause(), f.cause()));
                return;
              }
              Http2StreamChannel stream = (Http2StreamChannel) f.getNow();
              stream.attr(RELEASED).set(() -> owner.released(this));
              // Our close comes while Netty still delivers the last frame, before it closes the
              // stream itself: free the slot one task later, or a new stream would exceed the
              // server's limit in Netty's own count.
              stream
                  .closeFuture()
                  .addListener(
                      c -> {
                        Runnable released = stream.attr(RELEASED).getAndSet(null);
                        if (released != null) {
                          released.run(); // closed by the server or the connection
                        }
                        stream.eventLoop().execute(() -> owner.streamEnded(this));
                      });
              if (!waiter.complete(stream)) {
                stream.close(); // the request was cancelled while its stream opened
              }
            });
  }

  private final class Watcher extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        if (msg instanceof Http2SettingsFrame settings) {
          // A parameter a SETTINGS frame leaves out keeps its value (RFC 9113 §6.5): null.
          Long max = settings.settings().maxConcurrentStreams();
          owner.settings(Http2Connection.this, max == null ? null : clamp(max));
        } else if (msg instanceof Http2GoAwayFrame) {
          owner.goAway(Http2Connection.this);
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      if (!ready) {
        failure = cause;
      }
      // Netty fires a connection error here before it closes the connection: kept, so that the
      // streams it ends can say why rather than only that the connection closed.
      ctx.channel().attr(CONNECTION_ERROR).setIfAbsent(cause);
      ctx.close();
    }
  }

  /**
   * Why the HTTP/2 connection a stream ran on failed, or null when it has not failed (or the
   * channel is not an HTTP/2 stream).
   */
  static Throwable connectionError(Channel stream) {
    Channel parent = stream.parent();
    return parent == null ? null : parent.attr(CONNECTION_ERROR).get();
  }

  private static int clamp(long max) {
    return (int) Math.min(Integer.MAX_VALUE, max);
  }

  /**
   * Applied by the owner under its lock; a null {@code max} (the frame did not carry
   * MAX_CONCURRENT_STREAMS) keeps the limit: unlimited until the server names one.
   */
  void applySettings(Integer max) {
    if (max != null) {
      this.maxStreams = max;
    }
    this.ready = true;
  }

  void markGoingAway() {
    this.goingAway = true;
  }
}
