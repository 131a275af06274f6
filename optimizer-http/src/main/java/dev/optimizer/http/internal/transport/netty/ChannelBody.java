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
 * plain client. What one read brings beyond the caller's demand waits undecoded in {@link
 * BodyRoute}, which hands the pieces on one at a time as the caller takes what the one before
 * decoded to ({@link #wantsMore}): what is held here is what one piece decoded to. A caller that
 * asks for everything ({@code Long.MAX_VALUE}, as {@code ofString} does) turns auto-read back on.
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
  /**
   * Where the pieces of the body wait, undecoded, while the caller has not taken what was read
   * before them ({@link BodyRoute}'s gate).
   */
  interface Upstream {
    /** Whether pieces are held back: the next ones to hand on are those, not a new read. */
    boolean holds();

    /**
     * Hands the pieces held back on, one at a time while {@link #wantsMore} holds, in a task of its
     * own on the event loop: never from inside a signal to the caller, which may be inside the
     * decoder.
     */
    void feedLater();
  }

  private final Exchange exchange;
  private final Upstream upstream;
  private final Channel channel;
  private final Flow.Subscriber<List<ByteBuffer>> sink;
  private final boolean reusable;

  private List<ByteBuffer> pending; // read, not yet asked for; null when nothing is
  private long pendingBytes; // in pending, as counted in HeldBytes
  private long demand;
  private boolean last; // the whole body was read and the channel released
  private boolean done; // completed, failed or cancelled: nothing more goes to the sink

  ChannelBody(
      Exchange exchange,
      Channel channel,
      Flow.Subscriber<List<ByteBuffer>> sink,
      boolean reusable,
      Upstream upstream) {
    this.exchange = exchange;
    this.upstream = upstream;
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
      int n = bytes.readableBytes();
      pending.add(ByteBuffer.wrap(ByteBufUtil.getBytes(bytes)));
      pendingBytes += n;
      HeldBytes.add(n);
    }
    if (isLast) {
      last = true;
      // The pieces held back may have outlived their connection (closed after the last of them)
      exchange.bodyDone(reusable && channel.isActive());
    }
    emit();
  }

  /** A read from the channel ended: read again while the caller's demand is not met. */
  void readComplete() {
    pull();
  }

  /**
   * Whether the next piece of the body may be decoded and read now: the caller asked for more and
   * has taken all that was read. While this is false the pieces that arrive are held back before
   * the decoder, so that what one read decodes to (a compression bomb's piece, a thousand times its
   * size) is produced only as the caller asks. On the event loop.
   */
  boolean wantsMore() {
    return !done && !last && demand > 0 && pending == null;
  }

  /**
   * Whether nothing more goes to the caller (completed, failed or cancelled). On the event loop.
   */
  boolean isDone() {
    return done;
  }

  /** While the caller wants more: the pieces held back first, else a read from the channel. */
  private void pull() {
    if (!wantsMore()) {
      return;
    }
    if (upstream != null && upstream.holds()) {
      upstream.feedLater();
      return;
    }
    if (demand == Long.MAX_VALUE) {
      channel.config().setAutoRead(true); // everything is wanted: read at full speed
    }
    channel.read();
  }

  /** The exchange failed mid-body: the channel closes and the caller gets the error. */
  void fail(Throwable error) {
    if (done) {
      return;
    }
    done = true;
    dropPending();
    if (!last) {
      exchange.bodyDone(false);
    }
    letGo();
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
          pull();
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
          dropPending();
          if (!last) {
            exchange.bodyDone(false); // closes the connection (resets the stream) mid-body
          }
          letGo();
        });
  }

  /** Hands what was read to the caller as far as it asked, then the end once all is read. */
  private void emit() {
    if (pending != null && demand > 0) {
      List<ByteBuffer> item = pending;
      dropPending();
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

  /** Lets what is held back for this body go, should its channel have closed already. */
  private void letGo() {
    if (upstream != null && upstream.holds()) {
      upstream.feedLater(); // which finds this body done
    }
  }

  private void dropPending() {
    pending = null;
    HeldBytes.add(-pendingBytes);
    pendingBytes = 0;
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
