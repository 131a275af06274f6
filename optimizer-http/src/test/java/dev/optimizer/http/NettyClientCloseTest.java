package dev.optimizer.http;

import static dev.optimizer.http.MockHttpServer.Response.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.optimizer.http.netty.NettyHttpClient;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code close()} of the Netty client does what JDK 21 specifies for {@code HttpClient.close()}: an
 * orderly shutdown that waits for the requests in flight (and the bodies handed on unread) to
 * complete, and, if interrupted while waiting, stops them as {@code shutdownNow()} does and keeps
 * the interrupt. Against a real Netty origin on loopback; {@code close()} is called through {@link
 * AutoCloseable}, the same method as {@code HttpClient.close()} on JDK 21 and later, so these run
 * on Java 17 too.
 */
class NettyClientCloseTest extends HttpFixture {
  private HttpOptimizer http;
  private HttpClient client;
  private int heldBefore;

  @BeforeEach
  void build() {
    http = nothingRepeated(realOptimizer()).cache(false).build();
    heldBefore = http.held();
    client = NettyHttpClient.builder(http).eventLoopThreads(1).build();
  }

  private CompletableFuture<HttpResponse<String>> sendAsync(String path) {
    return client.sendAsync(
        HttpRequest.newBuilder(server.url(path)).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** A thread closing the client; what its interrupt status was once close() returned. */
  private Thread closer(AtomicReference<Boolean> interruptedAfter) {
    Thread t =
        new Thread(
            () -> {
              try {
                ((AutoCloseable) client).close();
              } catch (Exception e) {
                throw new AssertionError(e);
              }
              interruptedAfter.set(Thread.currentThread().isInterrupted());
            },
            "closer");
    t.setDaemon(true);
    t.start();
    return t;
  }

  /** Waits until {@code closer} is parked in close(), which has refused new requests by then. */
  private void awaitWaiting(Thread closer) {
    Await.until(() -> closer.getState() == Thread.State.WAITING, "close() to wait");
    assertThat(sendAsync("/new"))
        .as("refused once close() began")
        .failsWithin(10, TimeUnit.SECONDS)
        .withThrowableOfType(ExecutionException.class)
        .withCauseInstanceOf(IOException.class)
        .withMessageContaining("shut down");
  }

  @Test
  void closeWaitsForACallInFlightWhichCompletesNormally() throws Exception {
    CompletableFuture<Void> gate = new CompletableFuture<>();
    server.enqueue(ok("late").gate(gate));
    CompletableFuture<HttpResponse<String>> pending = sendAsync("/slow");
    server.takeRequest(); // on its way: the answer waits for the gate

    AtomicReference<Boolean> interruptedAfter = new AtomicReference<>();
    Thread closer = closer(interruptedAfter);
    awaitWaiting(closer);
    assertThat(pending).as("still in flight").isNotDone();
    assertThat(closer.isAlive()).as("close() has not returned").isTrue();

    gate.complete(null);

    assertThat(pending.get(10, TimeUnit.SECONDS).body()).isEqualTo("late");
    closer.join(10_000);
    assertThat(closer.isAlive()).as("close() returned once the call was over").isFalse();
    assertThat(interruptedAfter.get()).isFalse();
    assertThat(http.held()).as("the transport was released").isEqualTo(heldBefore);
    assertThat(server.requestCount()).as("the refused request was never sent").isOne();
    ((AutoCloseable) client).close(); // terminated: no effect
  }

  @Test
  void closeWaitsForABodyHandedOnUnreadUntilItsCallerIsDone() throws Exception {
    String events = "data: 1\n\n".repeat(1 << 19); // a stream: handed on unread from its head
    server.enqueue(ok(events).header("Content-Type", "text/event-stream"));
    HttpResponse<InputStream> response =
        client.send(
            HttpRequest.newBuilder(server.url("/events")).build(),
            HttpResponse.BodyHandlers.ofInputStream());

    AtomicReference<Boolean> interruptedAfter = new AtomicReference<>();
    Thread closer = closer(interruptedAfter);
    awaitWaiting(closer);

    try (InputStream in = response.body()) {
      assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo(events);
    }
    closer.join(10_000);
    assertThat(closer.isAlive()).isFalse();
    assertThat(http.held()).isEqualTo(heldBefore);
  }

  @Test
  void anInterruptedCloseFailsWhatIsInFlightAndKeepsTheInterrupt() throws Exception {
    CompletableFuture<Void> gate = new CompletableFuture<>();
    try {
      server.enqueue(ok("never").gate(gate));
      CompletableFuture<HttpResponse<String>> pending = sendAsync("/hang");
      server.takeRequest();

      AtomicReference<Boolean> interruptedAfter = new AtomicReference<>();
      Thread closer = closer(interruptedAfter);
      awaitWaiting(closer);

      closer.interrupt();

      closer.join(10_000);
      assertThat(closer.isAlive()).as("close() returned once interrupted").isFalse();
      assertThat(interruptedAfter.get()).as("the interrupt status is kept").isTrue();
      assertThatThrownBy(() -> pending.get(10, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(IOException.class);
      assertThat(http.held()).as("the transport was released").isEqualTo(heldBefore);
    } finally {
      gate.complete(null);
    }
  }

  @Test
  void shutdownNowFailsACallAwaitingItsAnswerAndABodyHandedOnSayingWhy() throws Exception {
    CompletableFuture<Void> gate = new CompletableFuture<>();
    long bodyBytesBefore = heldBodyBytes();
    try {
      server.enqueue(ok("events\n".repeat(1 << 19)).header("Content-Type", "text/event-stream"));
      HttpResponse<InputStream> streaming =
          client.send(
              HttpRequest.newBuilder(server.url("/events")).build(),
              HttpResponse.BodyHandlers.ofInputStream());
      server.takeRequest();
      server.enqueue(ok("never").gate(gate));
      CompletableFuture<HttpResponse<String>> pending = sendAsync("/hang");
      server.takeRequest();

      // HttpClient.shutdownNow() on JDK 21 and later; the method is there on Java 17 too.
      client.getClass().getMethod("shutdownNow").invoke(client);

      assertThatThrownBy(() -> pending.get(10, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isInstanceOf(IOException.class)
          .hasMessageContaining("the Netty transport is closed");
      try (InputStream in = streaming.body()) {
        assertThatThrownBy(in::readAllBytes)
            .isInstanceOf(IOException.class)
            .hasStackTraceContaining("the Netty transport is closed"); // the JDK's stream wraps it
      }
      assertThat(http.held()).isEqualTo(heldBefore);
      // The pieces of the stream read from its connection and not yet taken were released with
      // it, not kept for an event loop that is gone.
      assertThat(heldBodyBytes()).as("body bytes the transport holds").isEqualTo(bodyBytesBefore);
    } finally {
      gate.complete(null);
    }
  }

  /** What the Netty transports of this JVM hold of bodies handed on (a test counter of theirs). */
  private static long heldBodyBytes() throws Exception {
    java.lang.reflect.Method now =
        Class.forName("dev.optimizer.http.internal.transport.netty.HeldBytes")
            .getDeclaredMethod("now");
    now.setAccessible(true);
    return (long) now.invoke(null);
  }

  @Test
  void closeDoesNotDependOnTheCommonPool() throws Exception {
    server.enqueue(ok("done"));
    assertThat(sendAsync("/done").get(10, TimeUnit.SECONDS).body()).isEqualTo("done");
    // An application's blocking tasks hold every worker of the common pool. (Where the pool has one
    // worker, as on 2 cores, CompletableFuture's async methods use a thread per task instead, so
    // the old code passed there; with -Djava.util.concurrent.ForkJoinPool.common.parallelism=4 it
    // waited for good.)
    CountDownLatch release = new CountDownLatch(1);
    int workers = ForkJoinPool.getCommonPoolParallelism();
    CountDownLatch busy = new CountDownLatch(workers);
    for (int i = 0; i < workers; i++) {
      ForkJoinPool.commonPool()
          .execute(
              () -> {
                busy.countDown();
                try {
                  release.await();
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              });
    }
    try {
      assertThat(busy.await(10, TimeUnit.SECONDS)).as("the common pool is busy").isTrue();
      AtomicReference<Boolean> interruptedAfter = new AtomicReference<>();
      Thread closer = closer(interruptedAfter);
      closer.join(10_000);
      assertThat(closer.isAlive()).as("close() still waiting").isFalse();
      assertThat(interruptedAfter.get()).isFalse();
    } finally {
      release.countDown();
    }
    Await.until(() -> http.held() == heldBefore, "the transport to be released");
  }

  @Test
  void closeFromACallbackOnTheTransportsThreadDoesNotWaitForItself() throws Exception {
    CompletableFuture<Void> slowGate = new CompletableFuture<>();
    List<CompletableFuture<?>> inFlight = new ArrayList<>();
    OnTheLoop loop = onTheEventLoop(((AutoCloseable) client)::close, slowGate, inFlight);

    assertThat(loop.returned()).as("close() returned within 2 s").isTrue();
    assertThat(loop.failure()).isNull();
    slowGate.complete(null);
    // The client's close() is orderly, like JDK 21's: what is in flight completes.
    assertThat(inFlight.get(0).get(10, TimeUnit.SECONDS))
        .as("the call in flight completes normally")
        .isInstanceOfSatisfying(HttpResponse.class, r -> assertThat(r.body()).isEqualTo("slow"));
    Await.until(() -> http.held() == heldBefore, "the transport to be released");
  }

  /** What ran on the transport's event loop: its thread, and whether it returned in time. */
  private record OnTheLoop(Thread thread, boolean returned, Throwable failure) {}

  /** Something to run on the event loop that may throw. */
  private interface LoopAction {
    void run() throws Exception;
  }

  /**
   * Runs {@code action} in a callback of a call, on the event loop that delivers its answer and
   * also carries {@code inFlight}, a call still waiting for its answer (the gate of {@code slow});
   * returns once the action returned, or after two seconds if it did not.
   */
  private OnTheLoop onTheEventLoop(
      LoopAction action, CompletableFuture<Void> slowGate, List<CompletableFuture<?>> inFlight)
      throws Exception {
    CompletableFuture<Void> fastGate = new CompletableFuture<>();
    server.enqueue(ok("slow").gate(slowGate));
    inFlight.add(sendAsync("/slow"));
    server.takeRequest();
    server.enqueue(ok("fast").gate(fastGate));
    AtomicReference<Thread> thread = new AtomicReference<>();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    CountDownLatch returned = new CountDownLatch(1);
    sendAsync("/fast")
        .thenAccept(
            r -> {
              thread.set(Thread.currentThread());
              try {
                action.run();
              } catch (Exception | Error e) {
                failure.set(e);
              }
              returned.countDown();
            });
    server.takeRequest();
    fastGate.complete(null);
    boolean inTime = returned.await(2, TimeUnit.SECONDS);
    Await.until(() -> thread.get() != null, "the callback to run");
    assertThat(thread.get().getName()).as("ran on the event loop").startsWith("optimizer-netty-");
    return new OnTheLoop(thread.get(), inTime, failure.get());
  }

  @Test
  void theHttpOptimizersCloseFromACallbackOnTheTransportsThreadDoesNotWaitForItself()
      throws Exception {
    CompletableFuture<Void> slowGate = new CompletableFuture<>();
    try {
      List<CompletableFuture<?>> inFlight = new ArrayList<>();
      OnTheLoop loop = onTheEventLoop(http::close, slowGate, inFlight);

      assertThat(loop.returned()).as("HttpOptimizer.close() returned within 2 s").isTrue();
      assertThat(loop.failure()).isNull();
      assertThat(http.isClosed()).isTrue();
      // The orderly shutdown it started goes on once the callback is over: what is in flight fails
      // saying why, and the event loop stops.
      assertThatThrownBy(() -> inFlight.get(0).get(10, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isInstanceOf(IOException.class)
          .hasMessageContaining("the Netty transport is closed");
      loop.thread().join(10_000);
      assertThat(loop.thread().isAlive()).as("the event loop stopped").isFalse();
    } finally {
      slowGate.complete(null);
    }
  }

  @Test
  void shutdownNowFromACallbackOnTheTransportsThreadDoesNotWaitForItself() throws Exception {
    CompletableFuture<Void> slowGate = new CompletableFuture<>();
    try {
      List<CompletableFuture<?>> inFlight = new ArrayList<>();
      AtomicReference<Boolean> terminatedAtOnce = new AtomicReference<>();
      // HttpClient.shutdownNow() and isTerminated() on JDK 21 and later; there on Java 17 too.
      OnTheLoop loop =
          onTheEventLoop(
              () -> {
                client.getClass().getMethod("shutdownNow").invoke(client);
                terminatedAtOnce.set(
                    (boolean) client.getClass().getMethod("isTerminated").invoke(client));
              },
              slowGate,
              inFlight);

      assertThat(loop.returned()).as("shutdownNow() returned within 2 s").isTrue();
      assertThat(loop.failure()).isNull();
      assertThat(terminatedAtOnce.get())
          .as("terminated while its event loop still runs (the callback)")
          .isFalse();
      assertThatThrownBy(() -> inFlight.get(0).get(10, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isInstanceOf(IOException.class)
          .hasMessageContaining("the Netty transport is closed");
      loop.thread().join(10_000);
      assertThat(loop.thread().isAlive()).as("the event loop stopped").isFalse();
      // Terminated only once the transport is closed, its event loop included.
      Await.until(
          () -> {
            try {
              return (boolean) client.getClass().getMethod("isTerminated").invoke(client);
            } catch (ReflectiveOperationException e) {
              throw new AssertionError(e);
            }
          },
          "the client to terminate");
      assertThat(http.held()).as("the transport was released").isEqualTo(heldBefore);
    } finally {
      slowGate.complete(null);
    }
  }
}
