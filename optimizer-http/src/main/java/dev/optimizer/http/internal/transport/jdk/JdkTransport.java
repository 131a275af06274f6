package dev.optimizer.http.internal.transport.jdk;

import dev.optimizer.api.Ticker;
import dev.optimizer.http.internal.Futures;
import dev.optimizer.http.internal.HttpCall;
import dev.optimizer.http.internal.LazyTimer;
import dev.optimizer.http.internal.Reply;
import dev.optimizer.http.internal.ResponseBodies;
import dev.optimizer.http.internal.Transport;
import dev.optimizer.http.internal.UnreadBody;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * Sends calls with the application's own {@link HttpClient} (its executor, proxy, TLS, redirect and
 * authentication settings all apply) and buffers each body, up to a cap ({@code maxBodyBytes}), so
 * that the pipeline can cache, share and retry it. A body the pipeline must not hold whole is
 * handed on unread instead ({@link Reply.Unread} over an {@link UnreadBody}), as it arrives: a
 * stream ({@link ResponseBodies#isStream}, such as server-sent events, which may never end), a
 * declared length over the cap, and a body of undeclared length once it grows past the cap (the
 * bytes read so far, then the rest). The plain client delivers those, so a wrapper that failed them
 * would turn a working call into a failing one; the cap bounds what is buffered, never what the
 * caller may read. Only a complete buffered body makes a buffered {@link Reply}, so nothing partial
 * is ever cached.
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
    CompletableFuture<HttpResponse<Object>> sent;
    InlineSlot slot = InlineSlot.CURRENT.get();
    CompletableFuture<HttpResponse<Object>> inline = new CompletableFuture<>();
    HttpRequest inlineRequest = request;
    if (slot != null
        && slot.defer(
            () -> {
              try {
                HttpResponse<Object> r =
                    client.send(inlineRequest, info -> subscriber(info, inlineRequest.method()));
                if (!inline.complete(r)) {
                  release(r); // a hedge won meanwhile: nobody will read this body
                }
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
              CompletableFuture<HttpResponse<Object>> away = sendOffThread(inlineRequest);
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
            return;
          }
          Reply answer = reply(r, requestTime);
          if (!reply.complete(answer)) {
            answer.discard(); // past its deadline or cancelled: its stream is nobody's
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
  private CompletableFuture<HttpResponse<Object>> sendOffThread(HttpRequest request) {
    if (blocking == null) {
      return client.sendAsync(request, info -> subscriber(info, request.method()));
    }
    CompletableFuture<HttpResponse<Object>> target = new CompletableFuture<>();
    Future<?> task;
    try {
      task =
          blocking.submit(
              () -> {
                try {
                  HttpResponse<Object> r =
                      client.send(request, info -> subscriber(info, request.method()));
                  if (!target.complete(r)) {
                    release(r); // cancelled meanwhile: nobody will read this body
                  }
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
   * A response as a {@link Reply}: buffered when its body is a {@code byte[]}, else carrying its
   * {@link UnreadBody}, which the caller's handler reads and whoever drops the reply discards.
   */
  private Reply reply(HttpResponse<Object> r, long requestTime) {
    if (r.body() instanceof UnreadBody unread) {
      return new Reply(
          r.statusCode(),
          r.headers(),
          new byte[0],
          r.version(),
          r.uri(),
          requestTime,
          clock.millis(),
          Reply.Source.NETWORK,
          new Reply.Unread(unread, unread::discard),
          r);
    }
    return new Reply(
        r.statusCode(),
        r.headers(),
        (byte[]) r.body(),
        r.version(),
        r.uri(),
        requestTime,
        clock.millis(),
        Reply.Source.NETWORK,
        null,
        r);
  }

  /** Releases a response nobody will take: an unread body would hold its connection. */
  private static void release(HttpResponse<Object> r) {
    if (r.body() instanceof UnreadBody unread) {
      unread.discard();
    }
  }

  /**
   * How a body is read, decided from the header fields before any of it is. A declared
   * Content-Length within the cap gets the JDK's own byte-array subscriber, which the JDK trusts to
   * run on its selector thread: any other subscriber, even {@code BodySubscribers.mapping} over
   * that one, is delivered through the client's executor, a hop to a worker thread and back that
   * cost about two and a half extra thread switches per request on loopback (hence the unchecked
   * cast rather than a mapping). The JDK reads exactly the declared length, so the cap holds. A
   * stream or a declared length over the cap is handed on unread; a body of undeclared length
   * (chunked, or ended by closing the connection) is buffered while it fits and handed on once it
   * does not, at the price of that hop.
   */
  @SuppressWarnings("unchecked")
  private HttpResponse.BodySubscriber<Object> subscriber(
      HttpResponse.ResponseInfo info, String method) {
    HttpResponse.BodySubscriber<?> bytes = HttpResponse.BodySubscribers.ofByteArray();
    if (ResponseBodies.none(method, info.statusCode())) {
      return (HttpResponse.BodySubscriber<Object>) bytes; // never a body, whatever its length says
    }
    long declared = info.headers().firstValueAsLong("content-length").orElse(-1);
    String type = info.headers().firstValue("content-type").orElse(null);
    if (ResponseBodies.unbuffered(method, info.statusCode(), type, declared, maxBodyBytes)) {
      return UnreadBody.stream();
    }
    if (declared >= 0) {
      return (HttpResponse.BodySubscriber<Object>) bytes;
    }
    return UnreadBody.spilling(maxBodyBytes);
  }

  /** The failure as the caller should see it: an UncheckedIOException's IOException. */
  private static Throwable translate(Throwable error) {
    return error instanceof java.io.UncheckedIOException u ? u.getCause() : error;
  }
}
