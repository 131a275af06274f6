package dev.optimizer.http.spring;

import dev.optimizer.http.internal.AdapterSupport;
import dev.optimizer.http.internal.HttpCall;
import dev.optimizer.http.internal.Reply;
import dev.optimizer.http.internal.ResponseBodies;
import java.util.ArrayList;
import java.util.List;
import org.reactivestreams.Subscription;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpHeaders;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;

/**
 * The WebClient adapters' half of {@link SpringReplies}, apart because it names Reactor types,
 * which a servlet application using only RestClient may not have.
 */
final class ReactiveReplies {
  private ReactiveReplies() {}

  /**
   * A reactive response, read whole when it fits in {@code maxResponseBodyBytes}. A stream (see
   * {@link ResponseBodies#isStream}) or a declared length over the limit is not read at all: its
   * body goes to the caller as it arrives. A body of undeclared length that grows past the limit
   * goes to the caller too, as what was read followed by the rest. Neither kind is cached or
   * shared.
   */
  static Mono<Reply> read(
      HttpCall call,
      int status,
      HttpHeaders headers,
      Flux<DataBuffer> body,
      AdapterSupport support,
      long requestTimeMillis) {
    long max = support.maxResponseBodyBytes();
    long declared = SpringReplies.declaredLength(call.method(), status, headers);
    String type = headers.getFirst(HttpHeaders.CONTENT_TYPE);
    if (ResponseBodies.unbuffered(call.method(), status, type, declared, max)) {
      Reply.Unread unread = new Reply.Unread(body, () -> body.subscribe(new Refuse()));
      return Mono.just(reply(call, status, headers, support, requestTimeMillis, unread, null));
    }
    return Mono.create(
        sink -> {
          Reader reader = new Reader(call, status, headers, support, requestTimeMillis, sink);
          sink.onCancel(reader::abandon);
          body.subscribe(reader);
        });
  }

  private static Reply reply(
      HttpCall call,
      int status,
      HttpHeaders headers,
      AdapterSupport support,
      long requestTimeMillis,
      Reply.Unread unread,
      byte[] bytes) {
    Reply r =
        SpringReplies.network(
            status,
            headers,
            bytes == null ? new byte[0] : bytes,
            call.uri(),
            requestTimeMillis,
            support.clock().millis());
    return unread == null
        ? r
        : new Reply(
            r.status(),
            r.headers(),
            r.body(),
            r.version(),
            r.uri(),
            r.requestTimeMillis(),
            r.responseTimeMillis(),
            r.source(),
            unread);
  }

  /** Cancels the body at once: releases a body nobody will read (and its connection). */
  private static final class Refuse extends BaseSubscriber<DataBuffer> {
    @Override
    protected void hookOnSubscribe(Subscription subscription) {
      subscription.cancel();
    }
  }

  /**
   * Reads a body one buffer at a time. At its end the buffers make a buffered reply; once they pass
   * the limit, reading stops and the reply carries an unread body: the buffers read so far, then
   * the rest of the same subscription, pulled as the caller asks for it.
   */
  private static final class Reader extends BaseSubscriber<DataBuffer> {
    private final HttpCall call;
    private final int status;
    private final HttpHeaders headers;
    private final AdapterSupport support;
    private final long requestTimeMillis;
    private final MonoSink<Reply> result;
    private final long max;
    private final List<DataBuffer> parts = new ArrayList<>();
    private long size;
    private boolean handedOver; // read and written only on the upstream's serialized signals
    private volatile FluxSink<DataBuffer> out;
    private boolean ended; // the body ended (guarded by this)
    private Throwable failed; // how it ended, if it failed (guarded by this)
    private boolean subscribed; // the rest can be read once

    Reader(
        HttpCall call,
        int status,
        HttpHeaders headers,
        AdapterSupport support,
        long requestTimeMillis,
        MonoSink<Reply> result) {
      this.call = call;
      this.status = status;
      this.headers = headers;
      this.support = support;
      this.requestTimeMillis = requestTimeMillis;
      this.result = result;
      this.max = support.maxResponseBodyBytes();
    }

    @Override
    protected void hookOnSubscribe(Subscription subscription) {
      request(1);
    }

    @Override
    protected void hookOnNext(DataBuffer buffer) {
      FluxSink<DataBuffer> sink = out;
      if (sink != null) {
        sink.next(buffer);
        return;
      }
      if (handedOver) {
        DataBufferUtils.release(buffer); // more than was asked for before the caller subscribed
        return;
      }
      parts.add(buffer);
      size += buffer.readableByteCount();
      if (size <= max) {
        request(1);
        return;
      }
      handedOver = true;
      Flux<DataBuffer> rest = Flux.create(this::handTo);
      Reply.Unread unread = new Reply.Unread(rest, this::discard);
      result.success(reply(call, status, headers, support, requestTimeMillis, unread, null));
    }

    /** The caller subscribed to the body: what was read, then the rest as it asks for it. */
    private synchronized void handTo(FluxSink<DataBuffer> sink) {
      if (subscribed) {
        sink.error(new IllegalStateException("the response body can be read only once"));
        return;
      }
      subscribed = true;
      for (DataBuffer b : parts) {
        sink.next(b);
      }
      parts.clear();
      out = sink;
      sink.onRequest(this::request);
      sink.onDispose(
          () -> {
            if (!isDisposed()) {
              cancel(); // the caller stopped reading: the exchange ends
            }
          });
      if (ended) { // the body ended before the caller subscribed
        Throwable error = failed;
        if (error != null) {
          sink.error(error);
        } else {
          sink.complete();
        }
      }
    }

    private synchronized void discard() {
      if (!subscribed) {
        subscribed = true;
        parts.forEach(DataBufferUtils::release);
        parts.clear();
      }
      cancel();
    }

    /** The caller gave up before the reply. */
    private void abandon() {
      cancel();
      synchronized (this) {
        parts.forEach(DataBufferUtils::release);
        parts.clear();
      }
    }

    @Override
    protected void hookOnComplete() {
      FluxSink<DataBuffer> sink;
      byte[] bytes = null;
      synchronized (this) {
        ended = true;
        sink = out;
        if (sink == null && !handedOver) {
          bytes = join();
        }
      }
      // Outside the lock: each runs the caller's code.
      if (sink != null) {
        sink.complete();
      } else if (bytes != null) {
        result.success(reply(call, status, headers, support, requestTimeMillis, null, bytes));
      } // else handTo completes the caller's body once it subscribes
    }

    @Override
    protected void hookOnError(Throwable error) {
      FluxSink<DataBuffer> sink;
      boolean unanswered;
      synchronized (this) {
        ended = true;
        failed = error;
        sink = out;
        unanswered = sink == null && !handedOver;
        if (unanswered) {
          parts.forEach(DataBufferUtils::release);
          parts.clear();
        }
      }
      if (sink != null) {
        sink.error(error);
      } else if (unanswered) {
        result.error(error);
      }
    }

    private byte[] join() {
      if (parts.isEmpty()) {
        return new byte[0];
      }
      DataBuffer whole = DefaultDataBufferFactory.sharedInstance.join(parts);
      parts.clear();
      return SpringReplies.bytes(whole);
    }
  }
}
