package dev.optimizer.http.netty;

import dev.optimizer.api.internal.Checks;
import dev.optimizer.http.HttpOptimizer;
import dev.optimizer.http.internal.AdapterSupport;
import dev.optimizer.http.internal.transport.netty.NettyTransport;
import java.net.http.HttpClient;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import javax.net.ssl.SSLContext;

/**
 * A drop-in {@link HttpClient} whose requests go through an {@link HttpOptimizer}'s pipeline and
 * then over Netty rather than the JDK's client: HTTP/1.1 with a bounded pool of keep-alive
 * connections per origin, or HTTP/2 ({@link Builder#version}) with many concurrent streams per
 * connection; gzip, deflate and br (when {@code org.brotli:dec} is on the class path) decoded
 * transparently (unless the application sets Accept-Encoding itself, in which case it gets the
 * bytes as sent), and what is buffered capped at {@code maxResponseBodyBytes}. As with the wrapped
 * JDK client, a stream (server-sent events, NDJSON and the like) and a body over that cap reach the
 * caller's {@code BodyHandler} as they arrive ({@code ofLines()}, {@code ofInputStream()}, {@code
 * ofPublisher()} see each piece at once, and the connection is read only as fast as they ask);
 * closing the caller's stream, cancelling its subscription or its {@code sendAsync} future closes
 * the connection (on HTTP/2, resets the stream).
 *
 * <pre>{@code
 * HttpClient client = NettyHttpClient.builder(httpOptimizer).maxConnectionsPerOrigin(64).build();
 * HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
 * }</pre>
 *
 * <p>Needs {@code io.netty:netty-codec-http} 4.2 on the class path. {@code https} runs over the
 * JDK's TLS ({@link Builder#sslContext}); redirects are not followed, and there is no cookie
 * handler or authenticator.
 *
 * <p>Each client has its own connections and event-loop threads. As JDK 21 specifies for {@code
 * HttpClient}: {@code shutdown()} refuses new requests and releases them once the requests in
 * flight, and the bodies handed on unread, are over ({@code awaitTermination}, {@code
 * isTerminated}); {@code close()} does that and waits for it (a body handed on must be read to its
 * end, closed or cancelled), and if interrupted while waiting fails what is left, as {@code
 * shutdownNow()} does at once. On Java 17 these methods are there too, and the client is an {@link
 * AutoCloseable}. After that its HttpOptimizer holds nothing of it, so an application may build and
 * close clients for as long as it runs. Clients left open are closed, failing what they have in
 * flight, when the HttpOptimizer (or its optimizer) closes. Called from a callback on one of the
 * client's event-loop threads (where its answers are delivered), {@code close()}, {@code
 * shutdownNow()} and the HttpOptimizer's {@code close()} do not wait for what needs that thread:
 * they start the shutdown and return, and the rest follows once the callback is over.
 */
public final class NettyHttpClient {
  private NettyHttpClient() {}

  /** Starts a client over {@code http}'s pipeline. */
  public static Builder builder(HttpOptimizer http) {
    return new Builder(Checks.notNull("http", http));
  }

  /** Settings of the Netty transport. Not thread-safe; build once. */
  public static final class Builder {
    private final HttpOptimizer http;
    private int eventLoopThreads =
        Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
    private int maxConnectionsPerOrigin = 64;
    private Duration connectTimeout = Duration.ofSeconds(10);
    private SSLContext sslContext;
    private HttpClient.Version version = HttpClient.Version.HTTP_1_1;

    private Builder(HttpOptimizer http) {
      this.http = http;
    }

    /** Event-loop threads; default min(4, processors); allowed [1, 64]. */
    public Builder eventLoopThreads(int threads) {
      this.eventLoopThreads = Checks.inRange("eventLoopThreads", threads, 1, 64);
      return this;
    }

    /**
     * Connections kept open per host and port; requests beyond wait for one. Default 64; allowed
     * [1, 10000].
     */
    public Builder maxConnectionsPerOrigin(int connections) {
      this.maxConnectionsPerOrigin =
          Checks.inRange("maxConnectionsPerOrigin", connections, 1, 10_000);
      return this;
    }

    /** How long opening a connection may take. Default 10 s; allowed [1 ms, 10 min]. */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout =
          Checks.inRange("connectTimeout", timeout, Duration.ofMillis(1), Duration.ofMinutes(10));
      return this;
    }

    /**
     * The TLS context for {@code https} origins (its trust and key managers apply); default the
     * JDK's default context. The server's name is always checked against its certificate.
     */
    public Builder sslContext(SSLContext context) {
      this.sslContext = Checks.notNull("sslContext", context);
      return this;
    }

    /**
     * The protocol. {@code HTTP_1_1} (default): a pool of keep-alive connections per origin, one
     * request at a time on each. {@code HTTP_2}: requests are streams multiplexed over one
     * connection per origin, a further connection opening only when the server's {@code
     * SETTINGS_MAX_CONCURRENT_STREAMS} is reached (at most {@code maxConnectionsPerOrigin}; beyond,
     * requests wait for a stream to end); {@code http} URIs speak h2c with prior knowledge (the
     * server must speak HTTP/2 without an upgrade), {@code https} offers h2 by ALPN and falls back
     * to HTTP/1.1 when the server chooses it. HTTP/2 needs {@code io.netty:netty-codec-http2}.
     */
    public Builder version(HttpClient.Version version) {
      this.version = Checks.notNull("version", version);
      return this;
    }

    /**
     * The client.
     *
     * @throws IllegalStateException if the HttpOptimizer is closed, or HTTP_2 is asked for without
     *     netty-codec-http2 on the class path
     */
    public HttpClient build() {
      if (version == HttpClient.Version.HTTP_2) {
        requireHttp2Codec();
      }
      SSLContext tls;
      try {
        tls = sslContext != null ? sslContext : SSLContext.getDefault();
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("this JVM has no default TLS context; set sslContext", e);
      }
      AdapterSupport support = http.adapterSupport();
      NettyTransport transport =
          new NettyTransport(
              support.clock(),
              support.ticker(),
              support.maxResponseBodyBytes(),
              eventLoopThreads,
              maxConnectionsPerOrigin,
              connectTimeout,
              tls,
              support.meter(),
              version);
      AutoCloseable owned = support.closeWith(transport);
      return support.client(
          new NettyClientSettings(connectTimeout, tls, version), transport, owned);
    }

    private static void requireHttp2Codec() {
      try {
        Class.forName(
            "io.netty.handler.codec.http2.Http2FrameCodec", false, Builder.class.getClassLoader());
      } catch (ClassNotFoundException | LinkageError e) {
        throw new IllegalStateException(
            "version HTTP_2 needs io.netty:netty-codec-http2 (4.2) on the class path; add it or use"
                + " HTTP_1_1",
            e);
      }
    }
  }
}
