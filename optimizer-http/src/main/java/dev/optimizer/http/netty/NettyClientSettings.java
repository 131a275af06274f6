package dev.optimizer.http.netty;

import java.io.IOException;
import java.net.Authenticator;
import java.net.CookieHandler;
import java.net.ProxySelector;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * What the Netty client reports through {@link HttpClient}'s getters: its connect timeout and TLS
 * context, its protocol version, no redirects, proxy, cookies or authenticator. It holds no threads
 * or connections (a JDK client made only to answer the getters would keep a selector thread alive);
 * what only the JDK client can do — push promises, WebSockets — fails with a clear message.
 */
final class NettyClientSettings extends HttpClient {
  private final Duration connectTimeout;
  private final SSLContext tls;
  private final Version version;

  NettyClientSettings(Duration connectTimeout, SSLContext tls, Version version) {
    this.connectTimeout = connectTimeout;
    this.tls = tls;
    this.version = version;
  }

  @Override
  public Optional<CookieHandler> cookieHandler() {
    return Optional.empty();
  }

  @Override
  public Optional<Duration> connectTimeout() {
    return Optional.of(connectTimeout);
  }

  @Override
  public Redirect followRedirects() {
    return Redirect.NEVER;
  }

  @Override
  public Optional<ProxySelector> proxy() {
    return Optional.empty();
  }

  @Override
  public SSLContext sslContext() {
    return tls;
  }

  @Override
  public SSLParameters sslParameters() {
    return tls.getDefaultSSLParameters();
  }

  @Override
  public Optional<Authenticator> authenticator() {
    return Optional.empty();
  }

  @Override
  public Version version() {
    return version;
  }

  @Override
  public Optional<Executor> executor() {
    return Optional.empty();
  }

  @Override
  public WebSocket.Builder newWebSocketBuilder() {
    throw new UnsupportedOperationException(
        "the Netty transport has no WebSockets; use a java.net.http.HttpClient for them");
  }

  @Override
  public <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler)
      throws IOException {
    throw new IOException("only the Netty client's own send() sends requests");
  }

  @Override
  public <T> CompletableFuture<HttpResponse<T>> sendAsync(
      HttpRequest request, HttpResponse.BodyHandler<T> handler) {
    return CompletableFuture.failedFuture(
        new IOException("only the Netty client's own sendAsync() sends requests"));
  }

  @Override
  public <T> CompletableFuture<HttpResponse<T>> sendAsync(
      HttpRequest request,
      HttpResponse.BodyHandler<T> handler,
      HttpResponse.PushPromiseHandler<T> pushPromiseHandler) {
    return CompletableFuture.failedFuture(
        new UnsupportedOperationException(
            "the Netty transport accepts no server push (it disables push on HTTP/2); send without a"
                + " PushPromiseHandler"));
  }
}
