package dev.optimizer.spring.boot.autoconfigure;

import dev.optimizer.http.CacheMode;
import dev.optimizer.http.HttpOptimizer;
import dev.optimizer.http.HttpOptimizerBuilder;
import dev.optimizer.http.LimitAlgorithm;
import dev.optimizer.http.RemoteCacheSettings;
import dev.optimizer.runtime.Optimizer;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ResourceLoader;

/**
 * optimizer-http for Spring Boot: an {@link HttpOptimizer} from {@code optimizer.http.*}, put in
 * front of every {@code java.net.http.HttpClient} bean, every {@code RestClient.Builder} bean (when
 * spring-web is present) and every {@code WebClient.Builder} bean (when spring-webflux is present).
 * On when optimizer-http is on the class path and {@code optimizer.enabled} and {@code
 * optimizer.http.enabled} are not false.
 *
 * <p>The builders are customized by post-processors on Spring Framework's own types rather than
 * through Spring Boot's customizer interfaces, whose packages differ between Boot 3 and 4.
 */
@AutoConfiguration(after = OptimizerAutoConfiguration.class)
@ConditionalOnClass(name = "dev.optimizer.http.HttpOptimizer")
@ConditionalOnProperty(
    prefix = "optimizer",
    name = {"enabled", "http.enabled"},
    havingValue = "true",
    matchIfMissing = true)
@ConditionalOnSingleCandidate(Optimizer.class)
public class OptimizerHttpAutoConfiguration {

  /**
   * The HttpOptimizer, with {@code optimizer.http.*}; also closed with the optimizer. A Redis URI
   * is checked here, not when it binds, so that no failure report shows it; Lettuce is looked up
   * through the application's class loader.
   */
  @Bean
  @ConditionalOnMissingBean
  public HttpOptimizer httpOptimizer(
      Optimizer optimizer, OptimizerProperties properties, ResourceLoader resourceLoader) {
    HttpProperties p = properties.getHttp();
    p.validate();
    HttpCacheRemoteProperties remote = p.getCache().getRemote();
    if (remote.isConfigured()) {
      RedisUris.requireClient("optimizer.http.cache.remote.uri", resourceLoader.getClassLoader());
    }
    HttpOptimizerBuilder b =
        HttpOptimizer.builder(optimizer)
            .cache(p.getCache().isEnabled())
            .cacheMode(CacheMode.valueOf(p.getCache().getMode().name()))
            .cacheMaxBytes(p.getCache().getMaxBytes().toBytes())
            .coalescing(p.isCoalescing())
            .hedging(p.getHedging().isEnabled())
            .hedgePercentile(p.getHedging().getPercentile())
            .hedgeMinDelay(p.getHedging().getMinDelay())
            .hedgeMaxDelay(p.getHedging().getMaxDelay())
            .maxHedges(p.getHedging().getMaxHedges())
            .maxAttempts(p.getRetry().getMaxAttempts())
            .budgetRatio(p.getRetry().getBudgetRatio())
            .retryBaseDelay(p.getRetry().getBaseDelay())
            .retryMaxDelay(p.getRetry().getMaxDelay())
            .adaptiveLimit(p.getLimit().isEnabled())
            .limitAlgorithm(LimitAlgorithm.valueOf(p.getLimit().getAlgorithm().name()))
            .minLimit(p.getLimit().getMin())
            .maxLimit(p.getLimit().getMax())
            .limitQueueTimeout(p.getLimit().getQueueTimeout())
            .circuitBreaker(p.getCircuitBreaker().isEnabled())
            .breakerFailureRate(p.getCircuitBreaker().getFailureRate())
            .breakerOpenDuration(p.getCircuitBreaker().getOpenDuration())
            .maxResponseBodyBytes(p.getMaxResponseBodyBytes().toBytes());
    if (p.getLimit().getInitial() != null) {
      b.initialLimit(p.getLimit().getInitial());
    }
    if (remote.isConfigured()) {
      b.cacheRemote(
          RemoteCacheSettings.builder(remote.getUri())
              .keyPrefix(remote.getKeyPrefix())
              .commandTimeout(remote.getCommandTimeout())
              .privateEntries(remote.isPrivateEntries())
              .build());
    }
    return b.build();
  }

  /** Wraps {@code java.net.http.HttpClient} beans. */
  @Bean
  public static HttpClientWrapper optimizerHttpClientWrapper(
      ObjectProvider<HttpOptimizer> httpOptimizer, ObjectProvider<OptimizerProperties> properties) {
    return new HttpClientWrapper(httpOptimizer, properties);
  }

  /** The http counters in the report. */
  @Bean
  public OptimizerModuleStats optimizerHttpStats(ObjectProvider<HttpOptimizer> https) {
    return UniqueBeanStats.of("http", https, OptimizerHttpAutoConfiguration::httpStats);
  }

  private static Map<String, Object> httpStats(HttpOptimizer http) {
    HttpOptimizer.Stats s = http.stats();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("networkRequests", s.networkRequests());
    m.put("cacheHits", s.cacheHits());
    m.put("cacheMisses", s.cacheMisses());
    m.put("revalidations", s.revalidations());
    m.put("notModified", s.notModified());
    m.put("coalesced", s.coalesced());
    m.put("hedgesSent", s.hedgesSent());
    m.put("hedgesWon", s.hedgesWon());
    m.put("retries", s.retries());
    m.put("budgetExhausted", s.budgetExhausted());
    m.put("limitRejected", s.limitRejected());
    m.put("breakerRejected", s.breakerRejected());
    m.put("remoteHits", s.remoteHits());
    m.put("remoteMisses", s.remoteMisses());
    m.put("remoteFailures", s.remoteFailures());
    m.put("remoteCorrupt", s.remoteCorrupt());
    m.put("remoteInvalidations", s.remoteInvalidations());
    m.put("limits", s.limits());
    return m;
  }

  /** RestClient.Builder beans get {@code HttpOptimizerInterceptor}. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(
      name = {
        "org.springframework.web.client.RestClient",
        "dev.optimizer.http.spring.HttpOptimizerInterceptor"
      })
  static class RestClientConfiguration {
    @Bean
    static RestClientBuilderCustomizer optimizerRestClientBuilderCustomizer(
        ObjectProvider<HttpOptimizer> httpOptimizer,
        ObjectProvider<OptimizerProperties> properties) {
      return new RestClientBuilderCustomizer(httpOptimizer, properties);
    }
  }

  /** WebClient.Builder beans get {@code HttpOptimizerExchangeFilter}. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(
      name = {
        "org.springframework.web.reactive.function.client.WebClient",
        "reactor.core.publisher.Mono",
        "dev.optimizer.http.spring.HttpOptimizerExchangeFilter"
      })
  static class WebClientConfiguration {
    @Bean
    static WebClientBuilderCustomizer optimizerWebClientBuilderCustomizer(
        ObjectProvider<HttpOptimizer> httpOptimizer,
        ObjectProvider<OptimizerProperties> properties) {
      return new WebClientBuilderCustomizer(httpOptimizer, properties);
    }
  }
}
