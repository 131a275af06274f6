package dev.optimizer.http.internal.transport.netty;

import dev.optimizer.http.internal.UnreadBody;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The rest of a body decoded as the caller reads it, from an {@link InputStream} over bytes the
 * transport holds already (a br body read whole, whose decoded form outgrew the cap): each unit of
 * demand decodes one item of up to 64 KiB, on the thread that asked, so that what is held is the
 * compressed body and one item, however large the decoded body. The end of the stream completes the
 * body; a decoding error fails it; cancelling drops the stream. Thread-safe: signals are serialized
 * by a work-in-progress counter, and a request from inside {@code onNext} is served by the loop
 * already running.
 */
final class PulledBody implements Flow.Subscription {
  private static final int ITEM = 64 * 1024;

  private final InputStream in;
  private final String coding;
  private final Flow.Subscriber<List<ByteBuffer>> sink;
  private final AtomicLong demand = new AtomicLong();
  private final AtomicInteger wip = new AtomicInteger();
  private volatile boolean cancelled;
  private boolean done; // touched in drain() only

  PulledBody(InputStream in, String coding, Flow.Subscriber<List<ByteBuffer>> sink) {
    this.in = in;
    this.coding = coding;
    this.sink = sink;
  }

  @Override
  public void request(long n) {
    // UnreadBody never asks for n <= 0; were it to, everything is wanted.
    long add = n <= 0 ? Long.MAX_VALUE : n;
    demand.getAndAccumulate(add, UnreadBody::addCapped);
    drain();
  }

  @Override
  public void cancel() {
    cancelled = true;
    drain();
  }

  private void drain() {
    if (wip.getAndIncrement() != 0) {
      return;
    }
    int missed = 1;
    while (true) {
      while (!done && !cancelled && demand.get() > 0) {
        byte[] item = new byte[ITEM];
        int n;
        try {
          n = in.readNBytes(item, 0, ITEM);
        } catch (IOException | RuntimeException e) {
          finish();
          sink.onError(new IOException("malformed " + coding + " body: " + e.getMessage(), e));
          break;
        }
        if (n > 0) {
          if (demand.get() != Long.MAX_VALUE) {
            demand.decrementAndGet();
          }
          sink.onNext(List.of(ByteBuffer.wrap(item, 0, n)));
        }
        if (n < ITEM) { // the end of the stream: no demand is needed to say so
          finish();
          sink.onComplete();
        }
      }
      if (cancelled && !done) {
        finish();
      }
      missed = wip.addAndGet(-missed);
      if (missed == 0) {
        return;
      }
    }
  }

  private void finish() {
    done = true;
    try {
      in.close();
    } catch (IOException e) {
      // over bytes in memory: nothing to release that could fail
    }
  }
}
