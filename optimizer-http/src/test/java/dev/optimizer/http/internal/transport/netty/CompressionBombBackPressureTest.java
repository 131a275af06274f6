package dev.optimizer.http.internal.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.optimizer.http.HttpOptimizer;
import dev.optimizer.http.netty.NettyHttpClient;
import dev.optimizer.runtime.Optimizer;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A chunked gzip compression bomb (1 GiB of zeros in about 1 MiB), from a real origin on loopback,
 * read by a caller that reads slowly or not at all, costs the Netty transport a bounded amount of
 * memory: what one read from the connection decodes to is not all decoded at once, nor is the
 * connection read on while the caller has not taken what was decoded. The compressed pieces wait
 * undecoded ({@link BodyRoute}), and each is decoded only once the caller took what the one before
 * decoded to. {@link HeldBytes} counts what the transport holds. Every way of reading such a body
 * still works: an InputStream, a subscriber asking for one item at a time, and ofByteArray of a
 * body within the cap (or past it, for a caller who asks to hold it all).
 */
class CompressionBombBackPressureTest {
  private static final long GIB = 1L << 30;
  private static final int CAP = 1 << 20;

  /**
   * What the transport may hold of such a body: one piece read from the connection (8 KiB at most,
   * the HTTP/1.1 codec's chunk size) decodes to at most about 8 MiB, plus the compressed pieces of
   * one read held back. Without the back-pressure, one read alone decodes to hundreds of MiB.
   */
  private static final long BOUND = 12L << 20;

  private GzipBombOrigin origin;
  private Optimizer optimizer;
  private HttpClient client;

  @BeforeEach
  void start() throws Exception {
    origin = new GzipBombOrigin();
    optimizer = Optimizer.builder().manualTuning().build();
    HttpOptimizer http =
        HttpOptimizer.builder(optimizer)
            .coalescing(false)
            .hedging(false)
            .maxAttempts(1)
            .adaptiveLimit(false)
            .circuitBreaker(false)
            .cache(false)
            .maxResponseBodyBytes(CAP)
            .build();
    // One event-loop thread: a second request's answer then shows that the loop is done with what
    // the first one's connection had read.
    client = NettyHttpClient.builder(http).eventLoopThreads(1).maxConnectionsPerOrigin(2).build();
    HeldBytes.resetPeak();
  }

  @AfterEach
  void stop() throws Exception {
    ((AutoCloseable) client).close();
    optimizer.close();
    origin.close();
  }

  private HttpRequest bomb(long bytes) {
    return HttpRequest.newBuilder(origin.url("/bomb?bytes=" + bytes)).build();
  }

  private String small() throws Exception {
    return client
        .send(
            HttpRequest.newBuilder(origin.url("/small")).build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  @Test
  void aCallerThatStopsReadingCostsTheTransportABoundedAmount() throws Exception {
    warmUp();

    HttpResponse<InputStream> response =
        client.send(bomb(GIB), HttpResponse.BodyHandlers.ofInputStream());
    try (InputStream in = response.body()) {
      // Reads 16 MiB (its stream asks for more as it goes), then no further.
      assertThat(in.readNBytes(16 << 20)).hasSize(16 << 20);

      // Answered on the same event-loop thread, after the bomb's connection's read was handled.
      assertThat(small()).isEqualTo("small");
      assertThat(small()).isEqualTo("small");

      assertThat(HeldBytes.peak()).as("held at most (bytes)").isLessThanOrEqualTo(BOUND);
      assertThat(HeldBytes.now()).isLessThanOrEqualTo(BOUND);
    }
    assertThat(small())
        .as("the abandoned body's connection is closed, others work")
        .isEqualTo("small");
  }

  /**
   * A large body read at full speed: the connection's reads grow to their largest (64 KiB, which a
   * bomb decodes to 64 MiB), and the bomb comes next on the same connection, the pool's last used.
   */
  private void warmUp() throws Exception {
    HttpRequest noise = HttpRequest.newBuilder(origin.url("/noise?bytes=" + 4 * CAP)).build();
    assertThat(client.send(noise, HttpResponse.BodyHandlers.ofByteArray()).body()).hasSize(4 * CAP);
    HeldBytes.resetPeak();
  }

  @Test
  void aSlowInputStreamReadsTheWholeBombWithinTheBound() throws Exception {
    warmUp();
    long size = 256L << 20;
    HttpResponse<InputStream> response =
        client.send(bomb(size), HttpResponse.BodyHandlers.ofInputStream());
    long read = 0;
    boolean zeros = true;
    try (InputStream in = response.body()) {
      byte[] buffer = new byte[16 * 1024];
      for (int n; (n = in.read(buffer)) != -1; ) {
        read += n;
        for (int i = 0; i < n && zeros; i++) {
          zeros = buffer[i] == 0;
        }
      }
    }
    assertThat(read).isEqualTo(size);
    assertThat(zeros).isTrue();
    assertThat(HeldBytes.peak()).as("held at most (bytes)").isLessThanOrEqualTo(BOUND);
    assertThat(small()).isEqualTo("small");
  }

  @Test
  void aSubscriberAskingForOneItemAtATimeGetsTheWholeBombWithinTheBound() throws Exception {
    warmUp();
    long size = 256L << 20;
    BlockingQueue<Object> signals = new LinkedBlockingQueue<>();
    Flow.Subscriber<List<ByteBuffer>> subscriber =
        new Flow.Subscriber<>() {
          @Override
          public void onSubscribe(Flow.Subscription s) {
            signals.add(s);
          }

          @Override
          public void onNext(List<ByteBuffer> item) {
            signals.add(item);
          }

          @Override
          public void onError(Throwable t) {
            signals.add(t);
          }

          @Override
          public void onComplete() {
            signals.add("complete");
          }
        };
    // Async: with fromSubscriber, send() would return only once the body is complete.
    java.util.concurrent.CompletableFuture<HttpResponse<Void>> sent =
        client.sendAsync(bomb(size), HttpResponse.BodyHandlers.fromSubscriber(subscriber));
    Flow.Subscription subscription = (Flow.Subscription) signals.poll(10, TimeUnit.SECONDS);
    assertThat(subscription).isNotNull();
    long received = 0;
    // The caller's thread asks for the next item only once it has taken the last one.
    for (subscription.request(1); ; subscription.request(1)) {
      Object signal = signals.poll(30, TimeUnit.SECONDS);
      if (signal instanceof List<?> item) {
        for (Object b : item) {
          received += ((ByteBuffer) b).remaining();
        }
        continue;
      }
      assertThat(signal).isEqualTo("complete");
      break;
    }
    assertThat(received).isEqualTo(size);
    assertThat(sent.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    assertThat(HeldBytes.peak()).as("held at most (bytes)").isLessThanOrEqualTo(BOUND);
  }

  @Test
  void ofByteArrayStillGetsACompressedBodyWithinTheCapAndOnePastIt() throws Exception {
    byte[] within = client.send(bomb(CAP / 2), HttpResponse.BodyHandlers.ofByteArray()).body();
    assertThat(within).hasSize(CAP / 2).containsOnly(0);

    // Asking for it all, the caller holds it all, as with the plain client.
    byte[] past = client.send(bomb(8L * CAP), HttpResponse.BodyHandlers.ofByteArray()).body();
    assertThat(past).hasSize(8 * CAP).containsOnly(0);
    assertThat(small()).isEqualTo("small");
  }
}
