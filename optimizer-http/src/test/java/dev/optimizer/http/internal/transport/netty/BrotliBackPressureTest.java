package dev.optimizer.http.internal.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;

import com.aayushatharva.brotli4j.Brotli4jLoader;
import com.aayushatharva.brotli4j.encoder.Encoder;
import dev.optimizer.http.HttpOptimizer;
import dev.optimizer.http.netty.NettyHttpClient;
import dev.optimizer.runtime.Optimizer;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A chunked br body larger than the cap as sent (16 MiB of text with 4 bits to the byte, about 8
 * MiB br-coded, against a 1 MiB cap), from a real origin on loopback: the caller gets every decoded
 * byte, as through the plain client, and the transport holds a bounded amount however slowly the
 * caller reads, because the body is decoded as its compressed pieces arrive and only as the caller
 * asks ({@link StreamedBrotliBody}), the connection read no further. {@link HeldBytes} counts what
 * the transport holds of it.
 */
class BrotliBackPressureTest {
  private static final int CAP = 1 << 20;

  /**
   * The compressed bytes buffered before the body outgrew the cap (the cap's worth), and what a few
   * reads from the connection bring beyond that (64 KiB each at most). Without back-pressure the
   * whole compressed body (8 MiB) would be read and held.
   */
  private static final long BOUND = CAP + (1 << 20);

  private static byte[] plain;
  private static byte[] encoded;

  private GzipBombOrigin origin;
  private Optimizer optimizer;
  private HttpClient client;

  @BeforeAll
  static void encode() throws Exception {
    Brotli4jLoader.ensureAvailability();
    plain = new byte[16 << 20];
    Random random = new Random(11);
    for (int i = 0; i < plain.length; i++) {
      plain[i] = (byte) ('a' + random.nextInt(16));
    }
    encoded = Encoder.compress(plain, new Encoder.Parameters().setQuality(1));
    assertThat(encoded.length).as("br-coded, far over the cap").isGreaterThan(4 * CAP);
  }

  @BeforeEach
  void start() throws Exception {
    origin = new GzipBombOrigin();
    origin.brotli(encoded);
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
    // One event-loop thread: a second request's answer shows the loop is done with what the br
    // body's connection had read.
    client = NettyHttpClient.builder(http).eventLoopThreads(1).maxConnectionsPerOrigin(2).build();
    HeldBytes.resetPeak();
  }

  @AfterEach
  void stop() {
    optimizer.close(); // closes the client's transport at once
    origin.close();
  }

  private HttpResponse<InputStream> br() throws Exception {
    HttpResponse<InputStream> response =
        client.send(
            HttpRequest.newBuilder(origin.url("/br")).build(),
            HttpResponse.BodyHandlers.ofInputStream());
    assertThat(response.headers().firstValue("content-encoding")).isEmpty();
    return response;
  }

  private String small() throws Exception {
    return client
        .send(
            HttpRequest.newBuilder(origin.url("/small")).build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  @Test
  void aSlowReaderGetsEveryDecodedByteWithinTheBound() throws Exception {
    ByteArrayOutputStream got = new ByteArrayOutputStream(plain.length);
    try (InputStream in = br().body()) {
      byte[] chunk = new byte[16 * 1024];
      for (int n; (n = in.read(chunk)) != -1; ) {
        got.write(chunk, 0, n);
      }
    }
    assertThat(got.size()).isEqualTo(plain.length);
    assertThat(Arrays.equals(got.toByteArray(), plain)).as("every byte as sent").isTrue();
    assertThat(HeldBytes.peak()).as("held at most (bytes)").isLessThanOrEqualTo(BOUND);
    assertThat(small()).isEqualTo("small");
  }

  @Test
  void aCallerThatStopsReadingCostsABoundedAmountAndCancellingReleasesIt() throws Exception {
    HttpResponse<InputStream> response = br();
    try (InputStream in = response.body()) {
      byte[] first = in.readNBytes(256 * 1024);
      assertThat(first).isEqualTo(Arrays.copyOf(plain, first.length));

      // Answered on the same event-loop thread, after the br connection's reads were handled.
      assertThat(small()).isEqualTo("small");
      assertThat(small()).isEqualTo("small");

      assertThat(HeldBytes.peak()).as("held at most (bytes)").isLessThanOrEqualTo(BOUND);
      assertThat(HeldBytes.now()).isLessThanOrEqualTo(BOUND);
    } // closing the stream cancels the body mid-way

    await(() -> HeldBytes.now() == 0, "what was held to be released");
    await(() -> !decoding(), "the decoder's thread to be released");
    assertThat(small())
        .as("the abandoned body's connection is closed, others work")
        .isEqualTo("small");
  }

  @Test
  void ofByteArrayGetsTheWholeBody() throws Exception {
    byte[] whole =
        client
            .send(
                HttpRequest.newBuilder(origin.url("/br")).build(),
                HttpResponse.BodyHandlers.ofByteArray())
            .body();
    assertThat(whole.length).isEqualTo(plain.length);
    assertThat(Arrays.equals(whole, plain)).isTrue();
    assertThat(small()).isEqualTo("small");
  }

  /** Whether a thread is inside a br body's decoding now. */
  private static boolean decoding() {
    return Thread.getAllStackTraces().values().stream()
        .flatMap(Arrays::stream)
        .anyMatch(f -> f.getClassName().startsWith(StreamedBrotliBody.class.getName()));
  }

  private static void await(BooleanSupplier condition, String what) {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - until > 0) {
        throw new AssertionError("timed out waiting for " + what);
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
    }
  }
}
