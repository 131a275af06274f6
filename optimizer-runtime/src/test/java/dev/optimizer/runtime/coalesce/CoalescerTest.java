package dev.optimizer.runtime.coalesce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CoalescerTest {

  private final Coalescer<String, String> coalescer = Coalescer.create();

  @Test
  void concurrentCallersWithAnEqualKeyShareOneLoad() {
    CompletableFuture<String> load = new CompletableFuture<>();
    AtomicInteger loads = new AtomicInteger();

    CompletableFuture<String> a = coalescer.execute("k", () -> countAndReturn(loads, load));
    CompletableFuture<String> b =
        coalescer.execute(new String("k"), () -> countAndReturn(loads, load));
    load.complete("value");

    assertThat(a).isCompletedWithValue("value");
    assertThat(b).isCompletedWithValue("value");
    assertThat(a).isNotSameAs(b);
    assertThat(loads).hasValue(1);
    assertThat(coalescer.stats()).isEqualTo(new Coalescer.Stats(1, 1, 0));
  }

  @Test
  void theKeyIsReleasedAfterCompletionSoTheNextCallLoadsAgain() {
    AtomicInteger loads = new AtomicInteger();
    coalescer.execute("k", () -> CompletableFuture.completedFuture("v" + loads.incrementAndGet()));
    CompletableFuture<String> second =
        coalescer.execute(
            "k", () -> CompletableFuture.completedFuture("v" + loads.incrementAndGet()));

    assertThat(second).isCompletedWithValue("v2");
    assertThat(coalescer.stats()).isEqualTo(new Coalescer.Stats(2, 0, 0));
  }

  @Test
  void aCallerCancellingItsFutureCancelsNeitherTheLoadNorTheOthers() {
    CompletableFuture<String> load = new CompletableFuture<>();
    CompletableFuture<String> a = coalescer.execute("k", () -> load);
    CompletableFuture<String> b = coalescer.execute("k", () -> load);
    assertThat(coalescer.stats().inFlight()).isOne();

    a.cancel(true);

    assertThat(load).isNotCancelled().isNotDone();
    assertThat(b).isNotDone();
    CompletableFuture<String> c = coalescer.execute("k", () -> load);
    assertThat(coalescer.stats().loads()).as("c joined the same load").isOne();
    load.complete("value");
    assertThat(a).isCancelled();
    assertThat(b).isCompletedWithValue("value");
    assertThat(c).isCompletedWithValue("value");
  }

  @Test
  void aLoaderThatThrowsFailsEveryJoinedCallerAndReleasesTheKey() throws Exception {
    IllegalStateException boom = new IllegalStateException("boom");
    CompletableFuture<String> a =
        coalescer.execute(
            "k",
            () -> {
              throw boom;
            });
    assertThat(failure(a)).isSameAs(boom);
    assertThat(coalescer.stats().inFlight()).isZero();

    // Through the synchronous variant, with a caller that joined while the loader ran.
    CountDownLatch loaderRunning = new CountDownLatch(1);
    CountDownLatch joined = new CountDownLatch(1);
    IOException io = new IOException("disk");
    // Own threads: the common pool may have a single thread on a small machine.
    ExecutorService pool = Executors.newFixedThreadPool(2);
    CompletableFuture<Throwable> first =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                coalescer.call(
                    "j",
                    () -> {
                      loaderRunning.countDown();
                      joined.await();
                      throw io;
                    });
                return null;
              } catch (Exception e) {
                return e;
              }
            },
            pool);
    assertThat(loaderRunning.await(10, TimeUnit.SECONDS)).isTrue();
    CompletableFuture<Throwable> second =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                coalescer.call("j", () -> "never called");
                return null;
              } catch (Exception e) {
                return e;
              }
            },
            pool);
    while (coalescer.stats().coalesced() < 1) {
      Thread.onSpinWait();
    }
    joined.countDown();

    assertThat(first.get(10, TimeUnit.SECONDS)).isSameAs(io);
    assertThat(second.get(10, TimeUnit.SECONDS)).isSameAs(io);
    assertThat(coalescer.call("j", () -> "fresh")).isEqualTo("fresh");
    pool.shutdown();
  }

  @Test
  void anAsynchronousFailureReachesEveryCallerUnwrapped() {
    CompletableFuture<String> load = new CompletableFuture<>();
    CompletableFuture<String> a = coalescer.execute("k", () -> load.thenApply(s -> s));
    CompletableFuture<String> b = coalescer.execute("k", () -> load);
    IOException io = new IOException("remote");
    load.completeExceptionally(io);

    assertThat(failure(a)).isSameAs(io);
    assertThat(failure(b)).isSameAs(io);
    assertThat(coalescer.stats().inFlight()).isZero();
  }

  @Test
  void aLoaderReturningNullFailsItsCallers() {
    CompletableFuture<String> a = coalescer.execute("k", () -> null);

    assertThat(failure(a))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("loader returned null instead of a CompletionStage");
    assertThat(coalescer.stats().inFlight()).isZero();
  }

  @Test
  void differentKeysDoNotShare() throws Exception {
    assertThat(coalescer.call("a", () -> "1")).isEqualTo("1");
    assertThat(coalescer.call("b", () -> "2")).isEqualTo("2");
    assertThat(coalescer.stats()).isEqualTo(new Coalescer.Stats(2, 0, 0));
  }

  @Test
  void argumentsAreChecked() {
    assertThatThrownBy(() -> coalescer.execute(null, CompletableFuture::new))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("key must not be null");
    assertThatThrownBy(() -> coalescer.call("k", null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("loader must not be null");
  }

  private static CompletableFuture<String> countAndReturn(
      AtomicInteger loads, CompletableFuture<String> load) {
    loads.incrementAndGet();
    return load;
  }

  static Throwable failure(CompletableFuture<?> future) {
    assertThat(future).isCompletedExceptionally();
    try {
      future.get();
      throw new AssertionError("expected a failure");
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }
}
