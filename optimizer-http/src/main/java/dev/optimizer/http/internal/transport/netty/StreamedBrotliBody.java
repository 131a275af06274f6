package dev.optimizer.http.internal.transport.netty;

import dev.optimizer.http.internal.UnreadBody;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.brotli.dec.BrotliInputStream;

/**
 * A {@code br} body too large as sent to be buffered, decoded while its compressed bytes still
 * arrive and only as its caller reads it. {@code org.brotli:dec} decodes only from an {@link
 * InputStream} it pulls from and cannot stop and resume when that runs dry, so it runs on a thread
 * of its own (from the transport's {@code decoders}), reading from a pipe that blocks while the
 * next compressed piece has not arrived; the event loop never blocks.
 *
 * <p>Back-pressure both ways: the decoder runs only while the caller has asked for more (each unit
 * of demand is one decoded item of up to 64 KiB), and it asks the connection ({@link ChannelBody},
 * whose subscriber this is) for one more compressed item only once it has used up the one before.
 * So what this holds is one compressed item (what one read from the connection brought), the
 * decoder's window and buffers, and one decoded item; the connection is not read further, and the
 * server is held back by TCP or HTTP/2 flow control, however slowly the caller reads. No thread is
 * held while the caller has not asked for more: the decoding task ends then, and the next request
 * starts another. One that waits for compressed bytes is released when the caller cancels, the
 * connection fails or the transport closes (each ends the pipe), or the thread is interrupted.
 *
 * <p>Where the decoded body ends before the connection's body does (bytes after the end of the br
 * stream), the connection is closed rather than read on. Thread-safe: the caller's signals are
 * serialized by a work-in-progress counter; the connection's arrive on its event loop.
 */
final class StreamedBrotliBody implements Flow.Subscriber<List<ByteBuffer>>, Flow.Subscription {
  private static final int ITEM = 64 * 1024;

  /**
   * How many bytes after the end of the br stream are read to reach the end of the connection's
   * body (its last, empty chunk, typically), so that the connection goes back to the pool; past
   * that it is closed instead.
   */
  private static final int TRAILING = 64 * 1024;

  private final Flow.Subscriber<List<ByteBuffer>> sink;
  private final Executor decoders;
  private final Pipe pipe;

  // Downstream: the caller's demand and the decoding task that serves it.
  private final AtomicLong demand = new AtomicLong();
  private final AtomicInteger wip = new AtomicInteger();
  private volatile boolean cancelled;
  private boolean done; // touched by the decoding task only
  private InputStream decoded; // made by the decoding task, which its constructor blocks

  /**
   * @param compressed the bytes of the body buffered before it was handed on (null for none)
   * @param sink the caller's body
   * @param decoders runs the decoding, a task per stretch of demand
   */
  StreamedBrotliBody(
      List<ByteBuffer> compressed, Flow.Subscriber<List<ByteBuffer>> sink, Executor decoders) {
    this.sink = sink;
    this.decoders = decoders;
    this.pipe = new Pipe(compressed);
  }

  // ---- the connection's compressed body (ChannelBody), on its event loop ----

  @Override
  public void onSubscribe(Flow.Subscription subscription) {
    pipe.subscribed(subscription);
  }

  @Override
  public void onNext(List<ByteBuffer> item) {
    pipe.add(item);
  }

  @Override
  public void onError(Throwable error) {
    pipe.end(error);
    schedule(); // the caller hears of it now, as from a body not decoded, not at its next read
  }

  @Override
  public void onComplete() {
    pipe.end(null);
  }

  // ---- the caller's subscription ----

  @Override
  public void request(long n) {
    // UnreadBody never asks for n <= 0; were it to, everything is wanted.
    long add = n <= 0 ? Long.MAX_VALUE : n;
    demand.getAndAccumulate(add, UnreadBody::addCapped);
    schedule();
  }

  @Override
  public void cancel() {
    cancelled = true;
    pipe.cancel(); // wakes a decoder waiting for input, and closes the connection
    schedule();
  }

  /** Runs the decoding task unless it runs already (which then goes round again). */
  private void schedule() {
    if (wip.getAndIncrement() != 0) {
      return;
    }
    try {
      decoders.execute(this::drain);
    } catch (RejectedExecutionException e) {
      // The transport is closed, and its connections with it.
      wip.set(0);
      if (!cancelled) {
        cancelled = true;
        pipe.cancel();
        sink.onError(NettyTransport.closedError());
      }
    }
  }

  private void drain() {
    int missed = 1;
    while (true) {
      if (!done && !cancelled && pipe.failed()) {
        done = true; // what was read and not decoded yet is dropped, as the relay drops its own
        pipe.cancel();
        sink.onError(pipe.failure(null));
      }
      while (!done && !cancelled && demand.get() > 0) {
        byte[] item = new byte[ITEM];
        int n;
        try {
          if (decoded == null) {
            decoded = new BrotliInputStream(pipe); // reads the stream's header: may block
          }
          n = decoded.read(item, 0, ITEM);
        } catch (IOException | RuntimeException e) {
          done = true;
          pipe.cancel();
          if (!cancelled) {
            sink.onError(pipe.failure(e));
          }
          break;
        }
        if (n < 0) {
          done = true;
          // The caller's body ends with the connection's, as the plain client's does: what is
          // left of it (its last chunk) is read so that the connection is reused; too much left,
          // and it is closed instead.
          pipe.skipToEnd(TRAILING);
          pipe.finish();
          sink.onComplete();
          break;
        }
        if (n > 0) {
          if (demand.get() != Long.MAX_VALUE) {
            demand.decrementAndGet();
          }
          sink.onNext(List.of(ByteBuffer.wrap(item, 0, n)));
        }
      }
      if (cancelled && !done) {
        done = true; // the pipe was cancelled with it
      }
      missed = wip.addAndGet(-missed);
      if (missed == 0) {
        return;
      }
    }
  }

  /**
   * The compressed bytes between the connection and the decoder: the decoder's thread blocks in
   * {@link #read} until the connection brings the next item, asked for only once the last is used.
   */
  private static final class Pipe extends InputStream {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition arrived = lock.newCondition();
    private final ArrayDeque<ByteBuffer> items = new ArrayDeque<>(); // guarded by lock
    private Flow.Subscription upstream; // guarded by lock
    private boolean asked; // an item was asked for and has not arrived; guarded by lock
    private boolean ended; // the connection's body ended (or failed); guarded by lock
    private Throwable failed; // guarded by lock
    private boolean cancelled; // guarded by lock
    private long held; // the bytes in items, as counted in HeldBytes; guarded by lock

    Pipe(List<ByteBuffer> compressed) {
      if (compressed != null) {
        hold(compressed);
      }
    }

    private void hold(List<ByteBuffer> item) {
      long n = 0;
      for (ByteBuffer b : item) {
        n += b.remaining();
      }
      items.addAll(item);
      held += n;
      HeldBytes.add(n);
    }

    private void drop(long n) {
      held -= n;
      HeldBytes.add(-n);
    }

    void subscribed(Flow.Subscription s) {
      boolean cancel;
      lock.lock();
      try {
        upstream = s;
        cancel = cancelled;
      } finally {
        lock.unlock();
      }
      if (cancel) {
        s.cancel();
      }
    }

    void add(List<ByteBuffer> item) {
      lock.lock();
      try {
        asked = false;
        if (!cancelled) {
          hold(item);
        }
        arrived.signalAll();
      } finally {
        lock.unlock();
      }
    }

    void end(Throwable error) {
      lock.lock();
      try {
        ended = true;
        failed = error;
        arrived.signalAll();
      } finally {
        lock.unlock();
      }
    }

    /** Nothing more is read: the connection is let go (closed unless its body had ended). */
    void cancel() {
      Flow.Subscription s;
      lock.lock();
      try {
        if (cancelled) {
          return;
        }
        cancelled = true;
        items.clear();
        drop(held);
        s = ended ? null : upstream;
        arrived.signalAll();
      } finally {
        lock.unlock();
      }
      if (s != null) {
        s.cancel();
      }
    }

    /** Reads to the end of the connection's body, unless more than {@code limit} bytes are left. */
    void skipToEnd(int limit) {
      byte[] scratch = new byte[4096];
      try {
        for (int left = limit, n; left >= 0 && (n = read(scratch, 0, scratch.length)) != -1; ) {
          left -= n;
        }
      } catch (IOException e) {
        // cancelled or failed: finish() lets the connection go, closing it
      }
    }

    /** The br stream ended: the connection's body has too, or it is closed. */
    void finish() {
      cancel();
    }

    /** Whether the connection's body failed. */
    boolean failed() {
      lock.lock();
      try {
        return failed != null;
      } finally {
        lock.unlock();
      }
    }

    /**
     * What the caller is told of {@code error}, raised while decoding (or null when none was): the
     * connection's failure first.
     */
    IOException failure(Exception error) {
      Throwable connection;
      lock.lock();
      try {
        connection = failed;
      } finally {
        lock.unlock();
      }
      if (connection instanceof IOException io) {
        return io;
      }
      if (connection != null) {
        return new IOException(connection.getMessage(), connection);
      }
      return new IOException("malformed br body: " + error.getMessage(), error);
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] into, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      Flow.Subscription ask = null;
      lock.lock();
      try {
        while (true) {
          if (cancelled) {
            throw new IOException("the body was cancelled");
          }
          ByteBuffer head = items.peek();
          if (head != null) {
            int n = Math.min(len, head.remaining());
            head.get(into, off, n);
            drop(n);
            if (!head.hasRemaining()) {
              items.poll();
            }
            return n;
          }
          if (ended) {
            if (failed != null) {
              throw new IOException("the connection failed", failed);
            }
            return -1;
          }
          if (!asked && upstream != null) {
            asked = true;
            ask = upstream;
            break; // asked outside the lock, then wait
          }
          awaitArrival();
        }
      } finally {
        lock.unlock();
      }
      ask.request(1); // hops to the event loop
      return read(into, off, len);
    }

    private void awaitArrival() throws InterruptedIOException {
      try {
        arrived.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while waiting for the body");
      }
    }

    @Override
    public int available() {
      lock.lock();
      try {
        return items.isEmpty() ? 0 : items.peek().remaining();
      } finally {
        lock.unlock();
      }
    }

    @Override
    public void close() {
      // BrotliInputStream closes its input once done; the connection is let go by cancel/finish.
    }
  }
}
