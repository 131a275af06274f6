package dev.optimizer.http.internal;

import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A response body a transport does not buffer, relayed from the transport's subscription to the one
 * subscriber the caller's {@code BodyHandler} makes, at the pace that subscriber asks for. The JDK
 * transport subscribes it to the JDK client's body; the Netty transport feeds it from its channel,
 * reading only as the caller asks.
 *
 * <p>A wrapper must never turn a working call into a failing one: an event stream may never end,
 * and a download may be larger than {@code maxResponseBodyBytes}, yet both work on the plain
 * client. So such a body is handed on as it arrives. It comes in one of three ways:
 *
 * <ul>
 *   <li>{@link #stream()}: known from the header fields (a stream type, or a declared length over
 *       the cap); {@link #getBody()} completes at once with this publisher, and nothing is read
 *       before the caller's subscriber asks for it.
 *   <li>{@link #spilling(long)}: a body of undeclared length (chunked, or ended by closing the
 *       connection). It is buffered, one delivery at a time, while it fits under the cap, and
 *       {@link #getBody()} completes with the whole body as a {@code byte[]}; once it grows past
 *       the cap it completes with this publisher instead, which hands on the bytes read so far as
 *       its first item and then the rest of the same stream.
 *   <li>{@link #streamAfter(List)}: the same hand-over for a transport that buffered the first
 *       bytes itself (the Netty transport): they are the first item, the rest follows.
 * </ul>
 *
 * <p>Cancelling the caller's subscription, or {@link #discard() discarding} the body unread,
 * cancels the transport's subscription, which closes the HTTP/1.1 connection (or resets the HTTP/2
 * stream), so an abandoned stream never holds a connection. The transport's subscription must
 * deliver no more items than were asked of it (the items are queued here until the caller takes
 * them). One subscriber only, as with the JDK's own {@code BodySubscribers.ofPublisher()}.
 * Thread-safe.
 */
public final class UnreadBody
    implements HttpResponse.BodySubscriber<Object>, Flow.Publisher<List<ByteBuffer>> {
  private final CompletableFuture<Object> body = new CompletableFuture<>();
  private final CompletableFuture<Void> released = new CompletableFuture<>();
  private final long max;

  // Upstream: the transport's subscription, and what was asked of it or done to it before it
  // arrived.
  private Flow.Subscription upstream; // guarded by this
  private long deferredDemand; // guarded by this
  private boolean upstreamCancelled; // guarded by this

  // Buffering (spilling only), touched by the transport's signals alone, which are serialized.
  private boolean buffering;
  private List<ByteBuffer> parts = new ArrayList<>();
  private long size;

  // Downstream: the caller's subscriber, fed by drain() only.
  private final AtomicBoolean subscribed = new AtomicBoolean();
  private volatile Flow.Subscriber<? super List<ByteBuffer>> downstream;
  private volatile boolean ready; // downstream's onSubscribe has returned
  private final Queue<List<ByteBuffer>> queue = new ConcurrentLinkedQueue<>();
  private final AtomicLong requested = new AtomicLong();
  private final AtomicInteger wip = new AtomicInteger();
  // The bytes read while buffering are one item that no upstream request produces: the first unit
  // of the caller's demand is spent on it, not forwarded.
  private final AtomicBoolean prefixUnclaimed = new AtomicBoolean();
  private volatile boolean done;
  private volatile Throwable error;
  private volatile boolean cancelled;
  private boolean terminated; // touched in drain() only

  private UnreadBody(long max, boolean buffering) {
    this.max = max;
    this.buffering = buffering;
    if (!buffering) {
      body.complete(this);
    }
  }

  /** A body handed on from its first byte. */
  public static UnreadBody stream() {
    return new UnreadBody(Long.MAX_VALUE, false);
  }

  /** A body buffered while it fits in {@code max} bytes, handed on once it grows past them. */
  public static UnreadBody spilling(long max) {
    return new UnreadBody(max, true);
  }

  /**
   * A body whose first bytes the transport already read: {@code prefix} is the first item, taken
   * from the caller's first unit of demand; the transport's subscription delivers the rest.
   */
  public static UnreadBody streamAfter(List<ByteBuffer> prefix) {
    UnreadBody body = new UnreadBody(Long.MAX_VALUE, false);
    body.queue.add(prefix);
    body.prefixUnclaimed.set(true);
    return body;
  }

  /**
   * Completes once the transport is done with the body: it was read to its end, failed, or was
   * cancelled or discarded (what the caller has not taken yet may still be queued here). A client's
   * shutdown waits for it, as for the rest of a request in flight.
   */
  public CompletionStage<Void> released() {
    return released;
  }

  /**
   * Releases the body unread: cancels the transport's subscription (now, or as soon as it arrives)
   * and drops whatever was read. Idempotent.
   */
  public void discard() {
    cancelled = true;
    cancelUpstream();
    drain();
  }

  // ---- BodySubscriber: signals from the transport ----

  @Override
  public CompletionStage<Object> getBody() {
    return body;
  }

  @Override
  public void onSubscribe(Flow.Subscription s) {
    long demand;
    boolean cancel;
    synchronized (this) {
      if (upstream != null) {
        s.cancel(); // a second subscription breaks the rule of one: refuse it
        return;
      }
      upstream = s;
      demand = deferredDemand;
      deferredDemand = 0;
      cancel = upstreamCancelled;
    }
    if (cancel) {
      s.cancel();
    } else if (buffering) {
      s.request(1); // one delivery at a time, so the caller's demand rules once we spill
    } else if (demand > 0) {
      s.request(demand);
    }
  }

  @Override
  public void onNext(List<ByteBuffer> items) {
    if (!buffering) {
      queue.add(items);
      drain();
      return;
    }
    for (ByteBuffer b : items) {
      size += b.remaining();
      parts.add(b);
    }
    if (size <= max) {
      upstreamSubscription().request(1);
      return;
    }
    // Past the cap: hand on what was read as the first item, then the rest as it arrives.
    buffering = false;
    queue.add(parts);
    parts = null;
    prefixUnclaimed.set(true);
    body.complete(this);
  }

  @Override
  public void onError(Throwable t) {
    released.complete(null);
    if (buffering) {
      buffering = false;
      parts = null;
      body.completeExceptionally(t);
      return;
    }
    error = t;
    done = true;
    drain();
  }

  @Override
  public void onComplete() {
    released.complete(null);
    if (buffering) {
      buffering = false;
      byte[] all = new byte[(int) size];
      int at = 0;
      for (ByteBuffer b : parts) {
        int n = b.remaining();
        b.get(all, at, n);
        at += n;
      }
      parts = null;
      body.complete(all);
      return;
    }
    done = true;
    drain();
  }

  // ---- Publisher: the caller's subscriber ----

  @Override
  public void subscribe(Flow.Subscriber<? super List<ByteBuffer>> subscriber) {
    if (!subscribed.compareAndSet(false, true)) {
      subscriber.onSubscribe(
          new Flow.Subscription() {
            @Override
            public void request(long n) {}

            @Override
            public void cancel() {}
          });
      subscriber.onError(new IllegalStateException("a response body can be subscribed once"));
      return;
    }
    downstream = subscriber;
    subscriber.onSubscribe(new Relay());
    ready = true;
    drain(); // what arrived, or was asked for, during onSubscribe
  }

  /** The caller's subscription: its demand goes upstream, its cancel releases the connection. */
  private final class Relay implements Flow.Subscription {
    @Override
    public void request(long n) {
      if (n <= 0) {
        error = new IllegalArgumentException("non-positive request: " + n);
        done = true;
        queue.clear();
        cancelUpstream();
        drain();
        return;
      }
      requested.getAndAccumulate(n, UnreadBody::addCapped);
      long forward = prefixUnclaimed.compareAndSet(true, false) ? n - 1 : n;
      if (forward > 0) {
        requestUpstream(forward);
      }
      drain();
    }

    @Override
    public void cancel() {
      discard();
    }
  }

  /**
   * Reactive-streams demand added up: {@code a + b}, capped at {@code Long.MAX_VALUE} (which means
   * unbounded), for every subscription of the transports' bodies.
   */
  public static long addCapped(long a, long b) {
    long sum = a + b;
    return sum < 0 ? Long.MAX_VALUE : sum;
  }

  private synchronized Flow.Subscription upstreamSubscription() {
    return upstream;
  }

  private void requestUpstream(long n) {
    Flow.Subscription s;
    synchronized (this) {
      s = upstream;
      if (s == null) {
        deferredDemand = addCapped(deferredDemand, n);
        return;
      }
    }
    s.request(n);
  }

  private void cancelUpstream() {
    Flow.Subscription s;
    synchronized (this) {
      if (upstreamCancelled) {
        return;
      }
      upstreamCancelled = true;
      s = upstream;
    }
    if (s != null) {
      s.cancel();
    }
    released.complete(null); // the transport lets go of the body (closes its connection) on cancel
  }

  /**
   * Hands queued items to the caller's subscriber as far as its demand allows, then the end of the
   * stream once nothing is left. Runs on one thread at a time; a signal arriving meanwhile makes
   * the running one go round again, so no signal is lost and none is delivered concurrently.
   */
  private void drain() {
    if (wip.getAndIncrement() != 0) {
      return;
    }
    int missed = 1;
    while (true) {
      Flow.Subscriber<? super List<ByteBuffer>> d = downstream;
      if (cancelled) {
        queue.clear();
      } else if (d != null && ready && !terminated) {
        long r = requested.get();
        long emitted = 0;
        while (emitted != r && !cancelled) {
          List<ByteBuffer> item = queue.poll();
          if (item == null) {
            break;
          }
          d.onNext(item);
          emitted++;
        }
        if (emitted != 0 && r != Long.MAX_VALUE) {
          requested.addAndGet(-emitted);
        }
        if (!cancelled && done && queue.isEmpty()) {
          terminated = true;
          Throwable t = error;
          if (t != null) {
            d.onError(t);
          } else {
            d.onComplete();
          }
        }
      }
      missed = wip.addAndGet(-missed);
      if (missed == 0) {
        return;
      }
    }
  }
}
