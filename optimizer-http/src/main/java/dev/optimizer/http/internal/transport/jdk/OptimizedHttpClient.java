package dev.optimizer.http.internal.transport.jdk;

import dev.optimizer.api.Ticker;
import dev.optimizer.http.internal.Futures;
import dev.optimizer.http.internal.HttpCall;
import dev.optimizer.http.internal.Identity;
import dev.optimizer.http.internal.LazyTimer;
import dev.optimizer.http.internal.Pipeline;
import dev.optimizer.http.internal.Reply;
import dev.optimizer.http.internal.UnreadBody;
import dev.optimizer.runtime.Optimizer;
import java.io.IOException;
import java.net.Authenticator;
import java.net.CookieHandler;
import java.net.ProxySelector;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * The drop-in {@link HttpClient}: {@code send} and {@code sendAsync} run the pipeline and hand the
 * response to the caller's {@link HttpResponse.BodyHandler}, buffered, or as it arrives when the
 * transport left its body unread (a stream, or one over {@code maxResponseBodyBytes}); everything
 * else is the delegate's. In {@link dev.optimizer.api.Mode#OFF}, and for requests with a
 * push-promise handler, calls go to the delegate untouched. The request's timeout bounds the whole
 * call (queueing, retries and hedges included). Once the HttpOptimizer is closed, calls through the
 * pipeline fail with an {@link IOException} before anything is sent. Thread-safe.
 *
 * <p>It is {@link AutoCloseable} on every JDK (as {@code HttpClient} is from JDK 21), so that a
 * client owning a transport of its own (the Netty client) can be closed on Java 17 too.
 */
public final class OptimizedHttpClient extends HttpClient implements AutoCloseable {
  private final HttpClient delegate;
  private final Pipeline pipeline;
  private final Optimizer optimizer;
  private final Ticker ticker;
  private final LazyTimer timer;
  private final Identity identity;
  private final Pipeline passThrough;
  private final AutoCloseable owned;
  private final AtomicBoolean ownedClosed = new AtomicBoolean();
  // For a client with a transport of its own: shutdown() refuses new calls, and the transport is
  // closed once the calls in flight (a body handed on unread included) are over.
  private volatile boolean shutdown;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final CompletableFuture<Void> terminated = new CompletableFuture<>();

  /** A client running {@code pipeline} in front of {@code delegate}. */
  public OptimizedHttpClient(
      HttpClient delegate,
      Pipeline pipeline,
      Optimizer optimizer,
      LazyTimer timer,
      Identity identity) {
    this(delegate, pipeline, optimizer, timer, identity, null, null);
  }

  /**
   * A client running {@code pipeline}, whose transport is not {@code delegate} (which then only
   * answers the configuration getters): in {@code Mode.OFF} calls take {@code passThrough}, the
   * same transport without steps. {@code owned} (null for none) is what the client alone holds, its
   * transport: {@link #close()} and {@link #shutdownNow()} close it.
   */
  public OptimizedHttpClient(
      HttpClient delegate,
      Pipeline pipeline,
      Optimizer optimizer,
      LazyTimer timer,
      Identity identity,
      Pipeline passThrough,
      AutoCloseable owned) {
    this.passThrough = passThrough;
    this.owned = owned;
    this.delegate = delegate;
    this.pipeline = pipeline;
    this.optimizer = optimizer;
    this.ticker = optimizer.ticker();
    this.timer = timer;
    this.identity = identity;
  }

  /** The wrapped client. */
  public HttpClient delegate() {
    return delegate;
  }

  @Override
  public <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler)
      throws IOException, InterruptedException {
    if (Thread.interrupted()) {
      throw new InterruptedException();
    }
    // The first attempt runs on this thread, as the raw client's send() does (see InlineSlot).
    InlineSlot slot = new InlineSlot(Thread.currentThread());
    InlineSlot.CURRENT.set(slot);
    CompletableFuture<HttpResponse<T>> f;
    try {
      f = sendAsync(request, handler);
    } finally {
      InlineSlot.CURRENT.remove();
    }
    if (slot.runDeferred()) {
      f.cancel(true);
      throw new InterruptedException();
    }
    try {
      return f.get();
    } catch (InterruptedException e) {
      f.cancel(true);
      throw e;
    } catch (ExecutionException e) {
      throw Futures.asIoException(Futures.unwrap(e));
    } catch (java.util.concurrent.CancellationException e) {
      throw new IOException("request cancelled", e);
    }
  }

  @Override
  public <T> CompletableFuture<HttpResponse<T>> sendAsync(
      HttpRequest request, HttpResponse.BodyHandler<T> handler) {
    Pipeline steps = pipeline;
    if (!optimizer.mode().observes()) {
      if (passThrough == null) {
        return delegate.sendAsync(request, handler);
      }
      steps = passThrough;
    }
    java.util.Objects.requireNonNull(handler, "responseBodyHandler");
    if (timer.isClosed()) {
      // The HttpOptimizer is closed, and its timers with it: no deadline could be kept, nor a
      // hedge or retry sent. Refused before anything is sent, as the Netty transport refuses.
      return CompletableFuture.failedFuture(closed(null));
    }
    if (owned != null && !enter()) {
      return CompletableFuture.failedFuture(
          new IOException(
              "the client is shut down (shutdown(), shutdownNow() or close() was called); build"
                  + " another"));
    }
    Optional<Duration> timeout = request.timeout();
    long deadline = timeout.isPresent() ? ticker.read() + timeout.get().toNanos() : Long.MAX_VALUE;
    HttpCall call =
        new HttpCall(
            request.method(),
            request.uri(),
            request.headers(),
            request.bodyPublisher().map(p -> p.contentLength() != 0).orElse(false),
            request,
            deadline,
            Map.of(),
            identity.of(request.headers()));
    CompletableFuture<Reply> reply;
    try {
      reply = steps.execute(call);
    } catch (RuntimeException | Error e) {
      if (owned != null) {
        leave();
      }
      throw e;
    }
    if (owned != null) {
      reply.whenComplete(
          (r, e) -> {
            // In flight until the transport is done with it: a body handed on unread, once read
            // to its end (or cancelled, or failed).
            if (r != null && r.isUnread() && r.unread().body() instanceof UnreadBody body) {
              body.released().whenComplete((v, x) -> leave());
            } else {
              leave();
            }
          });
    }
    if (reply.isDone()) {
      InlineSlot slot = InlineSlot.CURRENT.get();
      if (slot != null) {
        // Answered at once (a stale-while-revalidate answer, say): an attempt deferred for send()
        // is not this caller's but background work (the revalidation), which must not hold it up.
        slot.handOff();
      }
      if (!reply.isCompletedExceptionally()) {
        return BufferedHttpResponse.deliver(request, reply.join(), handler); // a cache hit
      }
    }
    if (timeout.isPresent()) {
      long nanos = timeout.get().toNanos();
      LazyTimer.Entry expiry;
      try {
        expiry =
            timer.schedule(
                () ->
                    reply.completeExceptionally(
                        new HttpTimeoutException("request timed out after " + timeout.get())),
                nanos,
                LazyTimer.deadlineSlack(nanos));
      } catch (RejectedExecutionException e) {
        // Closed since the check above, with the request under way: without the timer its
        // deadline cannot be kept, so it is aborted.
        reply.cancel(true);
        return CompletableFuture.failedFuture(closed(e));
      }
      reply.whenComplete((r, e) -> expiry.cancel());
    }
    CompletableFuture<HttpResponse<T>> response =
        reply.thenCompose(r -> BufferedHttpResponse.deliver(request, r, handler));
    response.whenComplete(
        (r, e) -> {
          if (response.isCancelled()) {
            if (!reply.isDone()) {
              reply.cancel(true);
            }
            // Cancelled once the head arrived, while an unread body streams in: as with the plain
            // client, cancelling aborts the exchange, which releases its connection.
            reply.thenAccept(Reply::discard);
          }
        });
    return response;
  }

  private static IOException closed(RejectedExecutionException cause) {
    return new IOException("HttpOptimizer is closed", cause);
  }

  @Override
  public <T> CompletableFuture<HttpResponse<T>> sendAsync(
      HttpRequest request,
      HttpResponse.BodyHandler<T> handler,
      HttpResponse.PushPromiseHandler<T> pushPromiseHandler) {
    if (pushPromiseHandler == null) {
      return sendAsync(request, handler);
    }
    return delegate.sendAsync(request, handler, pushPromiseHandler);
  }

  @Override
  public Optional<CookieHandler> cookieHandler() {
    return delegate.cookieHandler();
  }

  @Override
  public Optional<Duration> connectTimeout() {
    return delegate.connectTimeout();
  }

  @Override
  public Redirect followRedirects() {
    return delegate.followRedirects();
  }

  @Override
  public Optional<ProxySelector> proxy() {
    return delegate.proxy();
  }

  @Override
  public SSLContext sslContext() {
    return delegate.sslContext();
  }

  @Override
  public SSLParameters sslParameters() {
    return delegate.sslParameters();
  }

  @Override
  public Optional<Authenticator> authenticator() {
    return delegate.authenticator();
  }

  @Override
  public Version version() {
    return delegate.version();
  }

  @Override
  public Optional<Executor> executor() {
    return delegate.executor();
  }

  @Override
  public WebSocket.Builder newWebSocketBuilder() {
    return delegate.newWebSocketBuilder();
  }

  // HttpClient's lifecycle of JDK 21 and later. This class compiles for Java 17, which lacks these
  // methods, so they carry no @Override (close() has one, from AutoCloseable); they have
  // HttpClient's signatures, so on JDK 21+ they override its defaults (which do nothing) and the
  // wrapped client is shut down with the wrapper.

  /**
   * Shuts the wrapped client down (JDK 21+; on older JDKs there is nothing to shut down). A client
   * with a transport of its own (the Netty client), on any JDK: new requests fail with an {@link
   * IOException} from now on, those in flight run to completion (retries, and a body handed on
   * unread until it is read to its end, cancelled or failed), and then the transport is closed, its
   * connections and threads released; this method does not wait for that ({@link
   * #awaitTermination}). Idempotent.
   */
  public void shutdown() {
    if (owned != null) {
      shutdown = true;
      if (inFlight.get() == 0) {
        terminateLater();
      }
    }
    JdkLifecycle.shutdown(delegate);
  }

  /**
   * Shuts the wrapped client down at once, failing its requests in flight (JDK 21+); closes the
   * client's own transport, if it has one, on any JDK: its requests and bodies in flight fail.
   * Called on one of that transport's own threads (from a callback of one of its calls), it does
   * not wait for the transport to close, which needs that thread: the transport closes as soon as
   * the callback is over, and the client is terminated once it has.
   */
  public void shutdownNow() {
    shutdown = true;
    if (passThrough != null && passThrough.transport().isOwnThread()) {
      // Closing the transport waits for its event loops, this thread among them: a thread of its
      // own closes it once this callback is over, and the client terminates after that.
      terminateLater();
    } else {
      closeOwned();
    }
    JdkLifecycle.shutdownNow(delegate);
  }

  /**
   * Waits for the wrapped client to terminate (JDK 21+; true at once on older JDKs); for a client
   * with a transport of its own, for that to be closed after {@link #shutdown}, {@link
   * #shutdownNow} or {@link #close}, on any JDK. A duration of zero or less does not wait.
   *
   * @return whether it terminated within {@code duration}
   * @throws InterruptedException if interrupted while waiting
   */
  public boolean awaitTermination(Duration duration) throws InterruptedException {
    if (owned == null) {
      return JdkLifecycle.awaitTermination(delegate, duration);
    }
    java.util.Objects.requireNonNull(duration, "duration");
    if (terminated.isDone() || duration.isNegative() || duration.isZero()) {
      return terminated.isDone();
    }
    try {
      terminated.get(
          duration.compareTo(Duration.ofDays(365)) > 0 ? Long.MAX_VALUE : duration.toNanos(),
          TimeUnit.NANOSECONDS);
      return true;
    } catch (TimeoutException e) {
      return false;
    } catch (ExecutionException e) {
      return true; // closing a transport does not fail (closeOwned completes it normally)
    }
  }

  /**
   * Whether the wrapped client has terminated (JDK 21+; false on older JDKs); for a client with a
   * transport of its own, whether that was closed (after {@link #shutdown}: once the requests in
   * flight were over).
   */
  public boolean isTerminated() {
    return owned != null ? terminated.isDone() : JdkLifecycle.isTerminated(delegate);
  }

  /** A call starts: false (and nothing counted) once the client is shut down. */
  private boolean enter() {
    inFlight.incrementAndGet();
    if (shutdown) {
      leave(); // counted first, so that a shutdown() in between sees it: refused all the same
      return false;
    }
    return true;
  }

  /** A call (and its body) is over: the last one after shutdown() closes the transport. */
  private void leave() {
    if (inFlight.decrementAndGet() == 0 && shutdown) {
      terminateLater();
    }
  }

  /**
   * Closes the transport from a short-lived thread of its own: the last call often ends on one of
   * the transport's own event-loop threads, which cannot wait for their own termination. Not the
   * common pool: an application's blocking tasks can hold all of its workers (one on a 2-core
   * machine), and close() would wait for them.
   */
  private void terminateLater() {
    if (!ownedClosed.get()) {
      Thread t = new Thread(this::closeOwned, "optimizer-http-client-close");
      t.setDaemon(true);
      t.start();
    }
  }

  /**
   * Closes the wrapped client: shuts it down and waits for it to terminate (JDK 21+). A client with
   * a transport of its own does what JDK 21's {@code HttpClient.close()} does, on any JDK: {@link
   * #shutdown} (new requests fail, those in flight run to completion, a body handed on unread until
   * it is read to its end, closed or cancelled), then waits until that is over and the transport is
   * closed, its connections and threads released and its HttpOptimizer no longer holding it. If
   * interrupted while waiting it calls {@link #shutdownNow}, which fails what is still in flight,
   * and returns with the thread's interrupt status set. Called on one of the transport's own
   * threads (from a callback of one of its calls), it does not wait: the calls in flight need that
   * thread to end, and the transport is closed once they have. Idempotent.
   */
  @Override
  public void close() {
    if (owned == null) {
      shutdown = true;
      JdkLifecycle.close(delegate);
      return;
    }
    if (terminated.isDone()) {
      return;
    }
    shutdown();
    if (passThrough != null && passThrough.transport().isOwnThread()) {
      return; // waiting here would block the thread that carries the calls awaited
    }
    boolean interrupted = false;
    while (true) {
      try {
        terminated.get();
        break;
      } catch (InterruptedException e) {
        if (!interrupted) {
          interrupted = true;
          shutdownNow(); // closes the transport, failing what is in flight
        }
      } catch (ExecutionException e) {
        break; // closeOwned completes it normally; were it not to, it is over all the same
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    JdkLifecycle.close(delegate);
  }

  private void closeOwned() {
    if (owned != null && ownedClosed.compareAndSet(false, true)) {
      try {
        owned.close();
      } catch (Exception e) {
        // Closing a transport of ours does not fail; were it to, a client that closes its
        // resources on shutdown must not be stopped by it.
        System.getLogger(OptimizedHttpClient.class.getName())
            .log(System.Logger.Level.DEBUG, "closing the client's transport failed", e);
      } finally {
        terminated.complete(null);
      }
    }
  }

  @Override
  public String toString() {
    return "OptimizedHttpClient(" + delegate + ")";
  }
}
