package dev.optimizer.http.internal.transport.jdk;

import dev.optimizer.api.Ticker;
import dev.optimizer.http.internal.Futures;
import dev.optimizer.http.internal.HttpCall;
import dev.optimizer.http.internal.LazyTimer;
import dev.optimizer.http.internal.Reply;
import dev.optimizer.http.internal.ResponseBodies;
import dev.optimizer.http.internal.ResponseTooLargeException;
import dev.optimizer.http.internal.Transport;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Flow;
import java.util.concurrent.Future;

/**
 * Sends calls with the application's own {@link HttpClient} (its executor, proxy, TLS, redirect and
 * authentication settings all apply) and buffers each body, up to a cap: a body larger than {@code
 * maxBodyBytes} fails the request with a clear {@link IOException} rather than exhausting the heap.
 * Only a complete body makes a {@link Reply}, so nothing partial is ever cached.
 */
public final class JdkTransport implements Transport {
  private final HttpClient client;
  private final Clock clock;
  private final long maxBodyBytes;
  private final ExecutorService blocking;
  private final Ticker ticker;
  private final LazyTimer timer;

  /**
   * A transport over the application's client.
   *
   * @param blocking where to run the client's blocking {@code send}, or null to use {@code
   *     sendAsync}. The JDK's public {@code sendAsync} hands every completion to {@code
   *     CompletableFuture}'s default executor — on a machine of one or two cores, a new thread per
   *     response (about a quarter of a millisecond each, and a funnel under load); {@code send}
   *     does not, so there a pool thread blocking in {@code send} is the faster path.
   */
  public JdkTransport(HttpClient client, Clock clock, long maxBodyBytes, ExecutorService blocking) {
    this(client, clock, maxBodyBytes, blocking, null, null);
  }

  /**
   * A transport that also ends each exchange at its call's deadline.
   *
   * @param ticker the time source of the calls' deadlines
   * @param timer where the deadline is kept, or null to leave it to the caller: the JDK client's
   *     own request timeout covers only the wait for the response head, so without this a body that
   *     trickles in keeps the exchange (and a blocking caller) busy past the deadline
   */
  public JdkTransport(
      HttpClient client,
      Clock clock,
      long maxBodyBytes,
      ExecutorService blocking,
      Ticker ticker,
      LazyTimer timer) {
    this.client = client;
    this.clock = clock;
    this.maxBodyBytes = maxBodyBytes;
    this.blocking = blocking;
    this.ticker = ticker;
    this.timer = timer;
  }

  @Override
  public CompletableFuture<Reply> send(HttpCall call) {
    HttpRequest request = (HttpRequest) call.nativeRequest();
    if (!call.extraHeaders().isEmpty()) {
      HttpRequest.Builder b =
          HttpRequest.newBuilder(
              request,
              (name, value) -> !call.extraHeaders().containsKey(name.toLowerCase(Locale.ROOT)));
      call.extraHeaders().forEach(b::setHeader);
      request = b.build();
    }
    long requestTime = clock.millis();
    CompletableFuture<HttpResponse<byte[]>> sent;
    InlineSlot slot = InlineSlot.CURRENT.get();
    CompletableFuture<HttpResponse<byte[]>> inline = new CompletableFuture<>();
    HttpRequest inlineRequest = request;
    if (slot != null
        && slot.defer(
            () -> {
              try {
                inline.complete(
                    client.send(inlineRequest, info -> subscriber(info, inlineRequest.method())));
              } catch (InterruptedException e) {
                if (slot.cancelledByUs()) {
                  inline.cancel(false);
                } else {
                  Thread.currentThread().interrupt(); // the caller's own: keep it
                  inline.completeExceptionally(e);
                }
              } catch (Throwable t) {
                inline.completeExceptionally(t);
              }
            },
            () -> {
              CompletableFuture<HttpResponse<byte[]>> away = sendOffThread(inlineRequest);
              Futures.follow(away, inline);
            })) {
      sent = inline;
      inline.whenComplete(
          (r, e) -> {
            if (inline.isCancelled()) {
              slot.cancel();
            }
          });
    } else {
      sent = sendOffThread(request);
    }
    CompletableFuture<Reply> reply = new CompletableFuture<>();
    sent.whenComplete(
        (r, e) -> {
          if (e != null) {
            reply.completeExceptionally(translate(Futures.unwrap(e)));
          } else {
            reply.complete(
                new Reply(
                    r.statusCode(),
                    r.headers(),
                    r.body(),
                    r.version(),
                    r.uri(),
                    requestTime,
                    clock.millis(),
                    Reply.Source.NETWORK));
          }
        });
    reply.whenComplete(
        (r, e) -> {
          if (reply.isCancelled()) {
            sent.cancel(true); // aborts the exchange (JDK 16+)
          }
        });
    endAtDeadline(call, reply, sent);
    return reply;
  }

  /**
   * Sends a request without blocking the calling thread: with {@code sendAsync}, or blocking on a
   * thread of the {@code blocking} pool.
   */
  private CompletableFuture<HttpResponse<byte[]>> sendOffThread(HttpRequest request) {
    if (blocking == null) {
      return client.sendAsync(request, info -> subscriber(info, request.method()));
    }
    CompletableFuture<HttpResponse<byte[]>> target = new CompletableFuture<>();
    Future<?> task;
    try {
      task =
          blocking.submit(
              () -> {
                try {
                  target.complete(client.send(request, info -> subscriber(info, request.method())));
                } catch (InterruptedException e) {
                  target.cancel(false); // cancelled: send() has aborted the exchange
                } catch (Throwable t) {
                  target.completeExceptionally(t);
                }
              });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      return CompletableFuture.failedFuture(new IOException("HttpOptimizer is closed", e));
    }
    target.whenComplete(
        (r, e) -> {
          if (target.isCancelled()) {
            task.cancel(true); // interrupts send(), which cancels the exchange
          }
        });
    return target;
  }

  /**
   * Fails the reply with a timeout at the call's deadline and aborts the exchange. Cancelling
   * {@code sent} interrupts a blocking send (on the caller's thread or a pool's), or cancels the
   * JDK's asynchronous exchange: either way the connection is dropped, so a slow body stops
   * arriving, nothing partial reaches the cache, and a caller blocked in send() returns at once.
   */
  private void endAtDeadline(
      HttpCall call, CompletableFuture<Reply> reply, CompletableFuture<?> sent) {
    long deadline = call.deadlineNanos();
    if (timer == null || deadline == Long.MAX_VALUE || reply.isDone()) {
      return;
    }
    long remaining = Math.max(0, deadline - ticker.read());
    LazyTimer.Entry expiry;
    try {
      expiry =
          timer.schedule(
              () -> {
                if (reply.completeExceptionally(
                    new HttpTimeoutException(
                        "request timed out: the deadline passed before the whole response"
                            + " arrived"))) {
                  sent.cancel(true);
                }
              },
              remaining,
              LazyTimer.deadlineSlack(remaining));
    } catch (java.util.concurrent.RejectedExecutionException e) {
      return; // closing: the caller's own deadline still applies
    }
    reply.whenComplete((r, e) -> expiry.cancel());
  }

  /**
   * How a body is read. A declared Content-Length within the cap gets the JDK's own byte-array
   * subscriber, which the JDK trusts to run on its selector thread: any other subscriber, even
   * {@code BodySubscribers.mapping} over that one, is delivered through the client's executor, a
   * hop to a worker thread and back that cost about two and a half extra thread switches per
   * request on loopback. The JDK reads exactly the declared length, so the cap holds. A declared
   * length over the cap is refused before the body is read; a body of undeclared length (chunked,
   * or ended by closing the connection) is counted as it arrives and refused once it passes the
   * cap, at the price of that hop.
   */
  private HttpResponse.BodySubscriber<byte[]> subscriber(
      HttpResponse.ResponseInfo info, String method) {
    if (ResponseBodies.none(method, info.statusCode())) {
      return HttpResponse.BodySubscribers.ofByteArray(); // never a body, whatever its length says
    }
    long declared = info.headers().firstValueAsLong("content-length").orElse(-1);
    if (declared >= 0 && declared <= maxBodyBytes) {
      return HttpResponse.BodySubscribers.ofByteArray();
    }
    return new CappedBytes(maxBodyBytes, info); // over the cap: fails at once, reading nothing
  }

  /** send() wraps our own exceptions in fresh IOExceptions: find a too-large body among them. */
  private static Throwable translate(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof ResponseTooLargeException) {
        return t;
      }
    }
    return error instanceof java.io.UncheckedIOException u ? u.getCause() : error;
  }

  static IOException tooLarge(long max, long bytes) {
    return ResponseTooLargeException.of(max, bytes);
  }

  /** Collects a body, failing once it grows past the cap. */
  static final class CappedBytes implements HttpResponse.BodySubscriber<byte[]> {
    private final CompletableFuture<byte[]> body = new CompletableFuture<>();
    private final List<ByteBuffer> parts = new ArrayList<>();
    private final long max;
    private long size;
    private Flow.Subscription subscription;

    CappedBytes(long max, HttpResponse.ResponseInfo info) {
      this.max = max;
      long declared = info.headers().firstValueAsLong("content-length").orElse(-1);
      if (declared > max) {
        body.completeExceptionally(tooLarge(declared));
      }
    }

    private IOException tooLarge(long bytes) {
      return JdkTransport.tooLarge(max, bytes);
    }

    @Override
    public CompletionStage<byte[]> getBody() {
      return body;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      this.subscription = s;
      if (body.isDone()) {
        s.cancel();
      } else {
        s.request(Long.MAX_VALUE);
      }
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
      if (body.isDone()) {
        return;
      }
      for (ByteBuffer b : items) {
        size += b.remaining();
        parts.add(b);
      }
      if (size > max) {
        parts.clear();
        body.completeExceptionally(tooLarge(size));
        subscription.cancel();
      }
    }

    @Override
    public void onError(Throwable error) {
      parts.clear();
      body.completeExceptionally(error);
    }

    @Override
    public void onComplete() {
      byte[] all = new byte[(int) size];
      int at = 0;
      for (ByteBuffer b : parts) {
        int n = b.remaining();
        b.get(all, at, n);
        at += n;
      }
      parts.clear();
      body.complete(all);
    }
  }
}
