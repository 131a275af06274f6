package dev.optimizer.http.internal.transport.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Flow;
import java.util.concurrent.RejectedExecutionException;

/**
 * The body of a response handed on unread, read from its channel (an HTTP/1.1 connection or an
 * HTTP/2 stream) only as the caller asks: the upstream of the caller's {@link
 * dev.optimizer.http.internal.UnreadBody}.
 *
 * <p>The channel's auto-read is off while the body is read: each unit of demand is one item, the
 * body bytes that arrived since the last one, and the channel is read again only while demand is
 * left. So what the caller has not asked for waits in the socket (or, on HTTP/2, in the stream's
 * flow-control window), and the server is held back by TCP or HTTP/2 flow control, as with the
 * plain client; what is held here is at most one read's worth. A caller that asks for everything
 * ({@code Long.MAX_VALUE}, as {@code ofString} does) turns auto-read back on.
 *
 * <p>Once the last byte is read the channel is released, to the pool when the connection may carry
 * another request, before the caller has taken the last item. Cancelling (the caller closed its
 * stream or cancelled its subscription, or the reply was discarded) and a failure close the channel
 * instead: an HTTP/1.1 connection cannot be reused mid-body, an HTTP/2 stream is reset. Either way
 * the pool's slot is free again.
 *
 * <p>All state is the channel's event loop's: the caller's signals hop there.
 */
final class ChannelBody implements Flow.Subscription {
  private final Exchange exchange;
  private final Channel channel;
  private final Flow.Subscriber<List<ByteBuffer>> sink;
  private final boolean reusable;

  private List<ByteBuffer> pending; // read, not yet asked for; null when nothing is
  private long demand;
  private boolean last; // the whole body was read and the channel released
  private boolean done; // completed, failed or cancelled: nothing more goes to the sink

  ChannelBody(
      Exchange exchange,
      Channel channel,
      Flow.Subscriber<List<ByteBuffer>> sink,
      boolean reusable) {
    this.exchange = exchange;
    this.channel = channel;
    this.sink = sink;
    this.reusable = reusable;
    channel.config().setAutoRead(false); // from now on, read only when asked
  }

  /**
   * Bytes of the body arrived ({@code last}: the end of it). The caller of this keeps ownership of
   * {@code bytes}. On the event loop.
   */
  void content(ByteBuf bytes, boolean isLast) {
    if (done) {
      return; // abandoned: the channel is closing, what still arrives is dropped
    }
    if (bytes.isReadable()) {
      if (pending == null) {
        pending = new ArrayList<>(2);
      }
      pending.add(ByteBuffer.wrap(ByteBufUtil.getBytes(bytes)));
    }
    if (isLast) {
      last = true;
      exchange.bodyDone(reusable);
    }
    emit();
  }

  /** A read from the channel ended: read again while the caller's demand is not met. */
  void readComplete() {
    if (!done && !last && demand > 0 && pending == null) {
      channel.read();
    }
  }

  /** The exchange failed mid-body: the channel closes and the caller gets the error. */
  void fail(Throwable error) {
    if (done) {
      return;
    }
    done = true;
    pending = null;
    if (!last) {
      exchange.bodyDone(false);
    }
    sink.onError(error);
  }

  @Override
  public void request(long n) {
    onLoop(
        () -> {
          if (done) {
            return;
          }
          long sum = demand + n;
          demand = n <= 0 || sum < 0 ? Long.MAX_VALUE : sum; // UnreadBody never asks for <= 0
          emit();
          if (!done && !last && demand > 0 && pending == null) {
            if (demand == Long.MAX_VALUE) {
              channel.config().setAutoRead(true); // everything is wanted: read at full speed
            }
            channel.read();
          }
        });
  }

  @Override
  public void cancel() {
    onLoop(
        () -> {
          if (done) {
            return;
          }
          done = true;
          pending = null;
          if (!last) {
            exchange.bodyDone(false); // closes the connection (resets the stream) mid-body
          }
        });
  }

  /** Hands what was read to the caller as far as it asked, then the end once all is read. */
  private void emit() {
    if (pending != null && demand > 0) {
      List<ByteBuffer> item = pending;
      pending = null;
      if (demand != Long.MAX_VALUE) {
        demand--;
      }
      sink.onNext(item); // may come back here through request(): the state is settled first
    }
    if (!done && last && pending == null) {
      done = true;
      sink.onComplete();
    }
  }

  private void onLoop(Runnable task) {
    if (channel.eventLoop().inEventLoop()) {
      task.run();
      return;
    }
    try {
      channel.eventLoop().execute(task);
    } catch (RejectedExecutionException e) {
      // The transport is closed and its event loop gone: so is the channel, and nothing else can
      // signal the sink now.
      if (!done) {
        done = true;
        sink.onError(
            new IOException(
                "the Netty transport is closed (its client or its HttpOptimizer was closed)"));
      }
    }
  }
}
