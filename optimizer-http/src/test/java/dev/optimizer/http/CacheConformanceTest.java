package dev.optimizer.http;

import static dev.optimizer.http.MockHttpServer.Response.ok;
import static dev.optimizer.http.MockHttpServer.Response.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.optimizer.http.MockHttpServer.Fault;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** RFC 9111 and RFC 5861, rule by rule, against a real server on loopback. */
class CacheConformanceTest extends HttpFixture {

  private String httpDate(Instant instant) {
    return DateTimeFormatter.RFC_1123_DATE_TIME.format(instant.atOffset(ZoneOffset.UTC));
  }

  private HttpClient privateCache() {
    return cacheOnly(b -> b);
  }

  private HttpClient sharedCache() {
    return cacheOnly(b -> b.cacheMode(CacheMode.SHARED));
  }

  @Test
  void maxAgeServesFromTheCacheWithAnAgeUntilStale() throws Exception {
    HttpClient client = privateCache();
    URI uri = server.url("/a");
    server.enqueue(ok("one").header("Cache-Control", "max-age=60"));
    server.enqueue(ok("two").header("Cache-Control", "max-age=60"));

    assertThat(get(client, uri).body()).isEqualTo("one");
    time.advance(Duration.ofSeconds(30));
    HttpResponse<String> hit = get(client, uri);
    assertThat(hit.body()).isEqualTo("one");
    assertThat(hit.headers().firstValue("Age")).hasValue("30");
    assertThat(server.requestCount()).isEqualTo(1);

    time.advance(Duration.ofSeconds(31));
    assertThat(get(client, uri).body()).isEqualTo("two");
    assertThat(server.requestCount()).isEqualTo(2);
  }

  @Test
  void expiresCountsFromDateAndAnInvalidExpiresIsAlreadyStale() throws Exception {
    HttpClient client = privateCache();
    Instant now = time.now();
    server.enqueue(
        ok("e").header("Date", httpDate(now)).header("Expires", httpDate(now.plusSeconds(100))));
    server.enqueue(ok("zero").header("Expires", "0"));
    server.enqueue(ok("zero again"));

    get(client, server.url("/e"));
    time.advance(Duration.ofSeconds(99));
    assertThat(get(client, server.url("/e")).body()).isEqualTo("e");
    get(client, server.url("/z"));
    assertThat(get(client, server.url("/z")).body()).isEqualTo("zero again");
    assertThat(server.requestCount()).isEqualTo(3);
  }

  @Test
  void aResponseWithAnAgeIsOlderThanItsArrival() throws Exception {
    HttpClient client = privateCache();
    server.enqueue(ok("aged").header("Cache-Control", "max-age=60").header("Age", "50"));
    server.enqueue(ok("new"));

    get(client, server.url("/aged"));
    time.advance(Duration.ofSeconds(11));
    assertThat(get(client, server.url("/aged")).body()).isEqualTo("new");
  }

  @Test
  void heuristicFreshnessOnlyWhereAllowed() throws Exception {
    HttpClient client = privateCache();
    Instant now = time.now();
    // 200 is heuristically cacheable: 10% of 5 days since Last-Modified = 12 hours.
    server.enqueue(
        ok("h")
            .header("Date", httpDate(now))
            .header("Last-Modified", httpDate(now.minus(Duration.ofDays(5)))));
    // 302 is not: without explicit freshness it is not reused.
    server.enqueue(
        status(302)
            .header("Location", "/elsewhere")
            .header("Last-Modified", httpDate(now.minus(Duration.ofDays(5)))));
    server.enqueue(status(302).header("Location", "/elsewhere"));
    server.enqueue(ok("h2"));

    HttpClient noRedirects = client; // the raw client does not follow redirects by default
    get(noRedirects, server.url("/h"));
    time.advance(Duration.ofHours(11));
    assertThat(get(noRedirects, server.url("/h")).body()).isEqualTo("h");
    get(noRedirects, server.url("/r"));
    get(noRedirects, server.url("/r"));
    assertThat(server.requestCount()).isEqualTo(3);
    time.advance(Duration.ofHours(2));
    assertThat(get(noRedirects, server.url("/h")).body()).isEqualTo("h2");
  }

  @Test
  void etagRevalidationMergesThe304Headers() throws Exception {
    HttpClient client = privateCache();
    URI uri = server.url("/v");
    server.enqueue(
        ok("body-v1")
            .header("Cache-Control", "max-age=10")
            .header("ETag", "\"v1\"")
            .header("X-Version", "1")
            .header("Content-Type", "text/plain"));
    server.enqueue(
        status(304)
            .header("Cache-Control", "max-age=100")
            .header("ETag", "\"v1\"")
            .header("X-Version", "2"));

    get(client, uri);
    server.takeRequest();
    time.advance(Duration.ofSeconds(11));
    HttpResponse<String> revalidated = get(client, uri);

    MockHttpServer.Recorded conditional = server.takeRequest();
    assertThat(conditional.header("If-None-Match")).isEqualTo("\"v1\"");
    assertThat(revalidated.statusCode()).isEqualTo(200);
    assertThat(revalidated.body()).isEqualTo("body-v1");
    assertThat(revalidated.headers().firstValue("X-Version")).hasValue("2");
    assertThat(revalidated.headers().firstValue("Content-Type")).hasValue("text/plain");
    // The merged max-age=100 now governs freshness.
    time.advance(Duration.ofSeconds(90));
    HttpResponse<String> hit = get(client, uri);
    assertThat(hit.headers().firstValue("X-Version")).hasValue("2");
    assertThat(server.requestCount()).isEqualTo(2);
  }

  @Test
  void aNotModifiedWithoutADateMakesTheStoredResponseFreshAgain() throws Exception {
    HttpClient client = privateCache();
    URI uri = server.url("/no-date-304");
    server.enqueue(
        ok("v1")
            .header("Date", httpDate(time.now()))
            .header("Cache-Control", "max-age=10")
            .header("ETag", "\"v1\""));
    server.enqueue(status(304).header("ETag", "\"v1\"")); // no Date, as some servers send it
    server.enqueue(ok("v2").header("Cache-Control", "max-age=10"));

    get(client, uri);
    time.advance(Duration.ofSeconds(11));
    HttpResponse<String> revalidated = get(client, uri);
    assertThat(revalidated.body()).isEqualTo("v1");
    // Validated just now: age 0, not the 11 s since the first response's Date.
    assertThat(revalidated.headers().firstValue("Age")).hasValue("0");
    time.advance(Duration.ofSeconds(5));
    HttpResponse<String> hit = get(client, uri);
    assertThat(hit.body()).isEqualTo("v1");
    assertThat(hit.headers().firstValue("Age")).hasValue("5");
    assertThat(server.requestCount()).isEqualTo(2);
  }

  @Test
  void lastModifiedRevalidationSendsIfModifiedSince() throws Exception {
    HttpClient client = privateCache();
    String lastModified = httpDate(time.now().minus(Duration.ofDays(1)));
    server.enqueue(
        ok("lm").header("Cache-Control", "max-age=1").header("Last-Modified", lastModified));
    server.enqueue(status(304));

    get(client, server.url("/lm"));
    server.takeRequest();
    time.advance(Duration.ofSeconds(2));
    assertThat(get(client, server.url("/lm")).body()).isEqualTo("lm");
    assertThat(server.takeRequest().header("If-Modified-Since")).isEqualTo(lastModified);
  }

  @Test
  void varyKeepsSeveralVariantsOfOneUri() throws Exception {
    HttpClient client = privateCache();
    URI uri = server.url("/greeting");
    server.dispatcher(
        r ->
            ok("en".equals(r.header("Accept-Language")) ? "hello" : "bonjour")
                .header("Cache-Control", "max-age=60")
                .header("Vary", "Accept-Language"));

    assertThat(get(client, uri, "Accept-Language", "en").body()).isEqualTo("hello");
    assertThat(get(client, uri, "Accept-Language", "fr").body()).isEqualTo("bonjour");
    assertThat(get(client, uri, "Accept-Language", "en").body()).isEqualTo("hello");
    assertThat(get(client, uri, "Accept-Language", "fr").body()).isEqualTo("bonjour");
    assertThat(server.requestCount()).isEqualTo(2);
    get(client, uri); // no Accept-Language: a third variant
    assertThat(server.requestCount()).isEqualTo(3);
  }

  @Test
  void varyStarIsNeverServedFromTheCache() throws Exception {
    HttpClient client = privateCache();
    server.dispatcher(r -> ok("x").header("Cache-Control", "max-age=60").header("Vary", "*"));

    get(client, server.url("/star"));
    get(client, server.url("/star"));
    assertThat(server.requestCount()).isEqualTo(2);
  }

  @Test
  void noStoreInTheResponseOrTheRequestStoresNothing() throws Exception {
    HttpClient client = privateCache();
    server.dispatcher(
        r ->
            r.path().equals("/ns")
                ? ok("x").header("Cache-Control", "no-store, max-age=60")
                : ok("y").header("Cache-Control", "max-age=60"));

    get(client, server.url("/ns"));
    get(client, server.url("/ns"));
    get(client, server.url("/req"), "Cache-Control", "no-store");
    get(client, server.url("/req"));
    assertThat(server.requestCount()).isEqualTo(4);
  }

  @Test
  void noCacheIsStoredButValidatedEveryTime() throws Exception {
    HttpClient client = privateCache();
    server.enqueue(ok("nc").header("Cache-Control", "no-cache").header("ETag", "\"n\""));
    server.enqueue(status(304).header("ETag", "\"n\""));

    get(client, server.url("/nc"));
    server.takeRequest();
    assertThat(get(client, server.url("/nc")).body()).isEqualTo("nc");
    assertThat(server.takeRequest().header("If-None-Match")).isEqualTo("\"n\"");
  }

  @Test
  void mustRevalidateForbidsStaleEvenOnError() throws Exception {
    HttpClient client = privateCache();
    server.enqueue(
        ok("mr").header("Cache-Control", "max-age=1, must-revalidate, stale-if-error=600"));
    server.enqueue(status(503));

    get(client, server.url("/mr"));
    time.advance(Duration.ofSeconds(5));
    assertThat(get(client, server.url("/mr")).statusCode()).isEqualTo(503);
  }

  @Test
  void staleIfErrorServesStaleWithinItsWindowOnly() throws Exception {
    HttpClient client = privateCache();
    server.enqueue(ok("old").header("Cache-Control", "max-age=10, stale-if-error=60"));
    server.enqueue(status(500));
    server.enqueue(status(500));

    get(client, server.url("/sie"));
    time.advance(Duration.ofSeconds(30));
    assertThat(get(client, server.url("/sie")).body()).isEqualTo("old");
    time.advance(Duration.ofSeconds(60));
    assertThat(get(client, server.url("/sie")).statusCode()).isEqualTo(500);
  }

  @Test
  void staleIfErrorCoversAConnectionReset() throws Exception {
    HttpClient client = privateCache();
    server.enqueue(ok("old").header("Cache-Control", "max-age=10, stale-if-error=60"));
    server.enqueue(new MockHttpServer.Response().fault(Fault.RESET_BEFORE_RESPONSE));

    get(client, server.url("/reset"));
    time.advance(Duration.ofSeconds(20));
    assertThat(get(client, server.url("/reset")).body()).isEqualTo("old");
  }

  @Test
  void staleWhileRevalidateAnswersAtOnceAndRefreshesInTheBackground() throws Exception {
    HttpClient client = privateCache();
    server.enqueue(ok("v1").header("Cache-Control", "max-age=10, stale-while-revalidate=30"));
    server.enqueue(ok("v2").header("Cache-Control", "max-age=10, stale-while-revalidate=30"));

    get(client, server.url("/swr"));
    server.takeRequest();
    time.advance(Duration.ofSeconds(15));
    assertThat(get(client, server.url("/swr")).body()).isEqualTo("v1");
    server.takeRequest(); // the background revalidation
    awaitBody(client, "/swr", "v2");
    assertThat(server.requestCount()).isEqualTo(2);
  }

  @Test
  void aBlockingSendGetsTheStaleAnswerWithoutWaitingForTheRevalidation() throws Exception {
    HttpClient client = privateCache();
    CompletableFuture<Void> revalidated = new CompletableFuture<>();
    server.enqueue(ok("v1").header("Cache-Control", "max-age=10, stale-while-revalidate=30"));
    server.enqueue(
        ok("v2")
            .header("Cache-Control", "max-age=10, stale-while-revalidate=30")
            .gate(revalidated));
    get(client, server.url("/swr-blocking"));
    server.takeRequest();
    time.advance(Duration.ofSeconds(15));

    ExecutorService caller = Executors.newSingleThreadExecutor();
    try {
      // The revalidation is held by the server until the stale answer is in: a send() that ran it
      // on its own thread would wait for it.
      Future<HttpResponse<String>> stale =
          caller.submit(() -> get(client, server.url("/swr-blocking")));
      assertThat(stale.get(10, TimeUnit.SECONDS).body()).isEqualTo("v1");
      server.takeRequest(); // the background revalidation, sent meanwhile
      revalidated.complete(null);
      awaitBody(client, "/swr-blocking", "v2");
      assertThat(server.requestCount()).isEqualTo(2);
    } finally {
      revalidated.complete(null);
      caller.shutdownNow();
    }
  }

  @Test
  void staleWhileRevalidateDoesNotOverrideTheRequestsMaxAgeOrMinFresh() throws Exception {
    HttpClient client = privateCache();
    server.dispatcher(
        r ->
            ok("v" + server.requestCount())
                .header("Cache-Control", "max-age=10, stale-while-revalidate=600"));
    get(client, server.url("/swr-max-age"));
    time.advance(Duration.ofSeconds(15));

    // §5.2.1.1: a request's max-age (without max-stale) says the client does not want a stale
    // response; min-fresh asks for one that stays fresh a while yet. The origin's
    // stale-while-revalidate lets a cache serve stale to clients that did not ask that.
    HttpResponse<String> maxAgeZero =
        get(client, server.url("/swr-max-age"), "Cache-Control", "max-age=0");
    assertThat(maxAgeZero.body()).isEqualTo("v2");
    assertThat(maxAgeZero.headers().firstValue("Age")).isEmpty();
    time.advance(Duration.ofSeconds(15));
    HttpResponse<String> minFresh =
        get(client, server.url("/swr-max-age"), "Cache-Control", "min-fresh=1");
    assertThat(minFresh.body()).isEqualTo("v3");
    assertThat(server.requestCount()).isEqualTo(3);
  }

  private void awaitBody(HttpClient client, String path, String expected) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!get(client, server.url(path)).body().equals(expected)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("never served " + expected);
      }
      Thread.onSpinWait();
    }
  }

  @Test
  void privateResponsesAreKeptPerIdentity() throws Exception {
    HttpClient client = privateCache();
    server.dispatcher(
        r -> ok("for " + r.header("Authorization")).header("Cache-Control", "private, max-age=60"));

    assertThat(get(client, server.url("/me"), "Authorization", "Bearer alice").body())
        .isEqualTo("for Bearer alice");
    assertThat(get(client, server.url("/me"), "Authorization", "Bearer bob").body())
        .isEqualTo("for Bearer bob");
    assertThat(get(client, server.url("/me"), "Authorization", "Bearer alice").body())
        .isEqualTo("for Bearer alice");
    assertThat(server.requestCount()).isEqualTo(2);
  }

  @Test
  void aSharedCacheStoresNoPrivateResponse() throws Exception {
    HttpClient client = sharedCache();
    server.dispatcher(r -> ok("p").header("Cache-Control", "private, max-age=60"));

    get(client, server.url("/p"));
    get(client, server.url("/p"));
    assertThat(server.requestCount()).isEqualTo(2);
  }

  @Test
  void aSharedCacheStoresAuthorizedResponsesOnlyWhenAllowed() throws Exception {
    HttpClient client = sharedCache();
    server.dispatcher(
        r ->
            r.path().equals("/plain")
                ? ok("secret of " + r.header("Authorization")).header("Cache-Control", "max-age=60")
                : ok("public").header("Cache-Control", "public, max-age=60"));

    assertThat(get(client, server.url("/plain"), "Authorization", "Bearer a").body())
        .isEqualTo("secret of Bearer a");
    assertThat(get(client, server.url("/plain"), "Authorization", "Bearer b").body())
        .isEqualTo("secret of Bearer b");
    get(client, server.url("/public"), "Authorization", "Bearer a");
    get(client, server.url("/public"), "Authorization", "Bearer b");
    assertThat(server.requestCount()).isEqualTo(3);
  }

  @Test
  void sMaxageGovernsASharedCacheOnly() throws Exception {
    server.dispatcher(r -> ok("s").header("Cache-Control", "max-age=10, s-maxage=100"));
    HttpClient shared = sharedCache();

    get(shared, server.url("/s"));
    time.advance(Duration.ofSeconds(50));
    get(shared, server.url("/s"));
    assertThat(server.requestCount()).isEqualTo(1);
  }

  @Test
  void sMaxageIsIgnoredByAPrivateCache() throws Exception {
    server.dispatcher(r -> ok("s").header("Cache-Control", "max-age=10, s-maxage=100"));
    HttpClient priv = privateCache();

    get(priv, server.url("/s"));
    time.advance(Duration.ofSeconds(50));
    get(priv, server.url("/s"));
    assertThat(server.requestCount()).isEqualTo(2);
  }

  @Test
  void anUnsafeRequestInvalidatesItsTargetLocationAndContentLocation() throws Exception {
    HttpClient client = privateCache();
    server.dispatcher(
        r ->
            r.method().equals("POST")
                ? status(201).header("Location", "/b").header("Content-Location", "/c")
                : ok(r.path() + " #" + server.requestCount())
                    .header("Cache-Control", "max-age=600"));

    for (String path : new String[] {"/a", "/b", "/c", "/d"}) {
      get(client, server.url(path));
    }
    post(client, server.url("/a"), "new");
    int before = server.requestCount();
    for (String path : new String[] {"/a", "/b", "/c", "/d"}) {
      get(client, server.url(path));
    }
    assertThat(server.requestCount() - before).isEqualTo(3); // /d is still cached
  }

  @Test
  void aFailedUnsafeRequestInvalidatesNothing() throws Exception {
    HttpClient client = privateCache();
    server.dispatcher(
        r ->
            r.method().equals("DELETE")
                ? status(500)
                : ok("x").header("Cache-Control", "max-age=600"));

    get(client, server.url("/keep"));
    client.send(
        java.net.http.HttpRequest.newBuilder(server.url("/keep")).DELETE().build(),
        HttpResponse.BodyHandlers.discarding());
    get(client, server.url("/keep"));
    assertThat(server.requestCount()).isEqualTo(2);
  }

  @Test
  void requestDirectivesMaxAgeZeroAndOnlyIfCached() throws Exception {
    HttpClient client = privateCache();
    server.dispatcher(r -> ok("x").header("Cache-Control", "max-age=600"));

    assertThat(get(client, server.url("/oic"), "Cache-Control", "only-if-cached").statusCode())
        .isEqualTo(504);
    assertThat(server.requestCount()).isZero();
    get(client, server.url("/oic"));
    assertThat(get(client, server.url("/oic"), "Cache-Control", "only-if-cached").statusCode())
        .isEqualTo(200);
    time.advance(Duration.ofSeconds(1)); // max-age=0 refuses any stored response older than 0 s
    get(client, server.url("/oic"), "Cache-Control", "max-age=0");
    assertThat(server.requestCount()).isEqualTo(2);
  }

  @Test
  void aBodyCutShortIsAnErrorAndNeverStored() throws Exception {
    HttpClient client = privateCache();
    server.enqueue(
        ok("0123456789".repeat(100))
            .header("Cache-Control", "max-age=600")
            .fault(Fault.RESET_MID_BODY));
    server.enqueue(ok("whole").header("Cache-Control", "max-age=600"));

    assertThatThrownBy(() -> get(client, server.url("/cut"))).isInstanceOf(IOException.class);
    assertThat(get(client, server.url("/cut")).body()).isEqualTo("whole");
  }

  @Test
  void theCacheIsBoundedByBytes() throws Exception {
    HttpClient client = cacheOnly(b -> b.cacheMaxBytes(64 * 1024));
    server.dispatcher(r -> ok("x".repeat(10_000)).header("Cache-Control", "max-age=600"));

    for (int i = 0; i < 50; i++) {
      get(client, server.url("/big/" + i));
    }
    int before = server.requestCount();
    for (int i = 0; i < 50; i++) {
      get(client, server.url("/big/" + i));
    }
    // At most ~6 bodies of 10 kB fit in 64 KiB: most of the second pass misses.
    assertThat(server.requestCount() - before).isGreaterThan(40);
  }
}
