package dev.optimizer.demo;

import dev.optimizer.ai.AiOptimizer;
import dev.optimizer.ai.chat.ChatAccounting;
import dev.optimizer.api.Decision;
import dev.optimizer.db.DbOptimizer;
import dev.optimizer.db.cache.ResultCacheStats;
import dev.optimizer.demo.app.DemoApplication;
import dev.optimizer.demo.load.Infrastructure;
import dev.optimizer.demo.load.LatencyRecorder;
import dev.optimizer.demo.load.LoadDriver;
import dev.optimizer.demo.load.OptimizerSampler;
import dev.optimizer.demo.load.PhaseResult;
import dev.optimizer.demo.load.Traffic;
import dev.optimizer.http.HttpOptimizer;
import dev.optimizer.runtime.Optimizer;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Runs the demo: starts the infrastructure once, warms the JVM up on the service with the optimizer
 * off and on (neither measured), then runs the same seeded traffic twice — the service with the
 * optimizer off, then a fresh service with it on (AUTO) — resetting the data in between. Each phase
 * is a fresh application context, closed before the dependencies' counters are read (PostgreSQL's
 * backends report their statistics when they exit).
 */
public final class DemoRun {
  /** Where and how long to run. */
  public record Options(double seconds, double warmupSeconds, long seed) {}

  /** Both phases and what the service exported to Prometheus. */
  public record Result(PhaseResult off, PhaseResult on, List<String> prometheusNames) {}

  /**
   * The optimizer's settings in the ON phase: AUTO plus the demo's opt-ins. The result cache holds
   * the read-mostly catalog tables only: orders and their items are written several times a second,
   * and every write invalidates the cached reads of the tables it writes, so caching them costs
   * more than it saves (a first run that cached them too had a 22% DB hit rate and slower DB
   * endpoints).
   */
  static final Map<String, Object> ON_PROPERTIES =
      Map.of(
          "optimizer.enabled", "true",
          "optimizer.mode", "AUTO",
          "optimizer.db.result-cache.enabled", "true",
          "optimizer.db.result-cache.tables", "categories,products,reviews",
          "optimizer.db.result-cache.ttl", "60s",
          "optimizer.ai.semantic-cache.enabled", "true");

  private final Options options;
  private final PrintStream out;

  DemoRun(Options options, PrintStream out) {
    this.options = options;
    this.out = out;
  }

  Result run() {
    long t0 = System.nanoTime();
    out.println("Starting PostgreSQL, the inventory service and the LLM server...");
    try (Infrastructure infra = Infrastructure.start(options.seed())) {
      out.printf("  ready in %.1f s%n", (System.nanoTime() - t0) / 1e9);
      Traffic traffic = Traffic.generate(options.seed(), options.seconds());
      LoadDriver driver = new LoadDriver();
      out.printf(
          "Traffic: %d requests in %.0f s per phase (open loop, Poisson arrivals: DB %.0f/s,"
              + " HTTP %.0f/s, AI %.0f/s)%n",
          traffic.requests().size(),
          options.seconds(),
          Traffic.DB_RATE,
          Traffic.HTTP_RATE,
          Traffic.AI_RATE);

      // Both configurations are warmed up (JIT, class loading), so that neither measured phase
      // pays for the JVM's first contact with its code: warming up only the service would leave
      // the optimizer's own code cold for the ON phase, and warming up only after OFF would
      // favour ON.
      warmUp("warm-off", infra, driver, Map.of("optimizer.enabled", "false"), 1000);
      warmUp("warm-on", infra, driver, ON_PROPERTIES, 2000);

      PhaseResult off = phase("OFF", infra, driver, traffic, Map.of("optimizer.enabled", "false"));
      List<String> names = new ArrayList<>();
      PhaseResult on = phase("ON", infra, driver, traffic, ON_PROPERTIES, names);
      return new Result(off, on, names);
    }
  }

  private void warmUp(
      String name,
      Infrastructure infra,
      LoadDriver driver,
      Map<String, Object> properties,
      long seedOffset) {
    out.printf("Warm-up %s (not measured): %.0f s%n", name, options.warmupSeconds());
    try (ConfigurableApplicationContext app = startApp(infra, properties)) {
      driver.run(
          name,
          baseUrl(app),
          Traffic.generate(options.seed() + seedOffset, options.warmupSeconds()),
          out);
    }
  }

  private PhaseResult phase(
      String name,
      Infrastructure infra,
      LoadDriver driver,
      Traffic traffic,
      Map<String, Object> properties) {
    return phase(name, infra, driver, traffic, properties, new ArrayList<>());
  }

  private PhaseResult phase(
      String name,
      Infrastructure infra,
      LoadDriver driver,
      Traffic traffic,
      Map<String, Object> properties,
      List<String> prometheusNames) {
    infra.resetState();
    Infrastructure.Counters before = infra.counters();
    long staleBefore = driver.staleReads();
    out.printf("Phase %s: %s%n", name, properties);
    LatencyRecorder latencies;
    List<OptimizerSampler.Sample> samples = List.of();
    List<PhaseResult.TimedDecision> decisions = new ArrayList<>();
    List<dev.optimizer.api.Recommendation> recommendations = List.of();
    String reportJson = null;
    Map<String, Long> facts = new LinkedHashMap<>();
    try (ConfigurableApplicationContext app = startApp(infra, properties)) {
      Optimizer optimizer = app.getBeanProvider(Optimizer.class).getIfAvailable();
      OptimizerSampler sampler =
          optimizer == null
              ? null
              : new OptimizerSampler(
                  optimizer,
                  app.getBean(DbOptimizer.class),
                  app.getBean(HttpOptimizer.class),
                  app.getBean(AiOptimizer.class));
      Instant started = Instant.now();
      latencies = driver.run(name, baseUrl(app), traffic, out);
      if (sampler != null) {
        sampler.close();
        samples = sampler.samples();
        for (Decision d : optimizer.decisions()) {
          decisions.add(
              new PhaseResult.TimedDecision(
                  Duration.between(started, d.time()).toMillis() / 1000.0, d));
        }
        facts.putAll(facts(app));
        app.getBean(AiOptimizer.class).publishToReport();
        recommendations = optimizer.recommendations();
        // Through the starter's actuator endpoint, as an operator would read it: the report plus
        // each module's counters.
        reportJson = fetch(baseUrl(app) + "/actuator/optimizer");
        prometheusNames.addAll(scrape(infra.prometheusPort()));
      }
    }
    for (Throwable t : driver.failures()) {
      out.println("  a request failed: " + t);
    }
    Infrastructure.Counters received = infra.counters().minus(before);
    return new PhaseResult(
        name,
        options.seconds(),
        latencies,
        received,
        driver.staleReads() - staleBefore,
        samples,
        decisions,
        recommendations,
        reportJson,
        facts);
  }

  private static Map<String, Long> facts(ConfigurableApplicationContext app) {
    Map<String, Long> f = new LinkedHashMap<>();
    ResultCacheStats db = app.getBean(DbOptimizer.class).resultCacheStats();
    f.put("db.cache.hits", db.hits());
    f.put("db.cache.misses", db.misses());
    f.put("db.cache.invalidations", db.invalidations());
    HttpOptimizer.Stats http = app.getBean(HttpOptimizer.class).stats();
    f.put("http.cache.hits", http.cacheHits());
    f.put("http.cache.misses", http.cacheMisses());
    f.put("http.coalesced", http.coalesced());
    f.put("http.hedges.sent", http.hedgesSent());
    f.put("http.hedges.won", http.hedgesWon());
    ChatAccounting ai = app.getBean(AiOptimizer.class).accounting();
    f.put("ai.cache.hits", ai.cacheHits());
    f.put("ai.tokens.saved", ai.tokensSavedByCache());
    return f;
  }

  private static String fetch(String url) {
    try {
      HttpResponse<String> res =
          HttpClient.newHttpClient()
              .send(HttpRequest.newBuilder(URI.create(url)).build(), BodyHandlers.ofString());
      if (res.statusCode() != 200) {
        throw new IllegalStateException(url + " answered " + res.statusCode());
      }
      return res.body();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(url, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(url, e);
    }
  }

  /** The metric names the service's Prometheus endpoint serves, semantic conventions first. */
  private static List<String> scrape(int port) {
    try {
      TreeSet<String> names = new TreeSet<>();
      for (String line : fetch("http://127.0.0.1:" + port + "/metrics").split("\n")) {
        if (line.startsWith("# TYPE ")) {
          names.add(line.split(" ")[2]);
        }
      }
      return List.copyOf(names);
    } catch (RuntimeException e) {
      return List.of("(scrape failed: " + e + ")");
    }
  }

  private static ConfigurableApplicationContext startApp(
      Infrastructure infra, Map<String, Object> optimizer) {
    Map<String, Object> p = new LinkedHashMap<>(optimizer);
    p.put("server.port", "0");
    p.put("spring.datasource.url", infra.jdbcUrl());
    p.put("spring.datasource.username", "postgres");
    p.put("spring.datasource.password", "postgres");
    p.put("demo.inventory.url", infra.inventoryUrl());
    p.put("demo.llm.base-url", infra.llmBaseUrl());
    p.put("demo.prometheus.port", String.valueOf(infra.prometheusPort()));
    p.put("spring.main.register-shutdown-hook", "false");
    return new SpringApplicationBuilder(DemoApplication.class).properties(p).run();
  }

  private static String baseUrl(ConfigurableApplicationContext app) {
    int port = ((WebServerApplicationContext) app).getWebServer().getPort();
    return "http://127.0.0.1:" + port;
  }
}
