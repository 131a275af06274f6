package dev.optimizer.demo.app;

import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.optimizer.ai.AiOptimizer;
import dev.optimizer.ai.chat.OptimizedChatModel;
import dev.optimizer.api.Mode;
import dev.optimizer.db.DbOptimizer;
import dev.optimizer.db.cache.ResultCacheSettings;
import dev.optimizer.http.HttpOptimizer;
import dev.optimizer.http.spring.HttpOptimizerInterceptor;
import dev.optimizer.runtime.Optimizer;
import io.opentelemetry.api.OpenTelemetry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.DestructionAwareBeanPostProcessor;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.restclient.RestClientCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * INTERIM: what the optimizer's Spring Boot starter will do, for the properties this demo uses,
 * until the starter is merged; then this class is deleted and nothing else changes. Under {@code
 * optimizer.enabled=true} it defines the {@code Optimizer} (on the application's OpenTelemetry),
 * {@code DbOptimizer}, {@code HttpOptimizer} and {@code AiOptimizer} beans, wraps DataSource,
 * ChatModel and EmbeddingModel beans, and puts the HTTP interceptor on every RestClient.Builder.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnBooleanProperty(name = "optimizer.enabled", matchIfMissing = true)
public class InterimOptimizerWiring {

  @Bean(destroyMethod = "close")
  Optimizer optimizer(ObjectProvider<OpenTelemetry> openTelemetry, Environment env) {
    Optimizer.Builder b =
        Optimizer.builder().mode(Mode.valueOf(env.getProperty("optimizer.mode", "AUTO")));
    openTelemetry.ifAvailable(b::openTelemetry);
    return b.build();
  }

  @Bean
  DbOptimizer dbOptimizer(Optimizer optimizer, Environment env) {
    DbOptimizer.Builder b = DbOptimizer.builder(optimizer);
    if (env.getProperty("optimizer.db.result-cache.enabled", Boolean.class, false)) {
      Binder binder = Binder.get(env);
      List<String> tables =
          binder
              .bind("optimizer.db.result-cache.tables", Bindable.listOf(String.class))
              .orElse(List.of());
      ResultCacheSettings.Builder cache =
          ResultCacheSettings.builder().cacheTables(tables.toArray(String[]::new));
      binder.bind("optimizer.db.result-cache.ttl", Duration.class).ifBound(cache::timeToLive);
      b.resultCache(cache.build());
    }
    return b.build();
  }

  @Bean
  HttpOptimizer httpOptimizer(Optimizer optimizer, Environment env) {
    return HttpOptimizer.builder(optimizer)
        .cache(env.getProperty("optimizer.http.cache.enabled", Boolean.class, true))
        .coalescing(env.getProperty("optimizer.http.coalescing", Boolean.class, true))
        .hedging(env.getProperty("optimizer.http.hedging.enabled", Boolean.class, true))
        .build();
  }

  @Bean
  AiOptimizer aiOptimizer(Optimizer optimizer, Environment env) {
    return AiOptimizer.builder(optimizer)
        .cache(env.getProperty("optimizer.ai.cache.enabled", Boolean.class, true))
        .semanticCache(env.getProperty("optimizer.ai.semantic-cache.enabled", Boolean.class, false))
        .coalescing(env.getProperty("optimizer.ai.coalescing", Boolean.class, true))
        .build();
  }

  @Bean
  RestClientCustomizer optimizerRestClientCustomizer(HttpOptimizer http) {
    // Registered last among the customizers' interceptors: a hedge re-runs what follows it.
    return builder -> builder.requestInterceptor(HttpOptimizerInterceptor.of(http));
  }

  @Bean
  static DestructionAwareBeanPostProcessor optimizerWrapping(
      ObjectProvider<DbOptimizer> db, ObjectProvider<AiOptimizer> ai) {
    return new Wrapping(db, ai);
  }

  /**
   * Wraps the beans as they are made. A wrapped DataSource's close releases only the wrapper, so
   * the pool it wraps is closed here when the wrapper bean is destroyed.
   */
  private static final class Wrapping implements DestructionAwareBeanPostProcessor {
    private final ObjectProvider<DbOptimizer> db;
    private final ObjectProvider<AiOptimizer> ai;
    private final Map<String, AutoCloseable> pools = new ConcurrentHashMap<>();

    Wrapping(ObjectProvider<DbOptimizer> db, ObjectProvider<AiOptimizer> ai) {
      this.db = db;
      this.ai = ai;
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String name) {
      if (bean instanceof DataSource ds) {
        if (ds instanceof AutoCloseable pool) {
          pools.put(name, pool);
        }
        return db.getObject().wrap(ds);
      }
      if (bean instanceof ChatModel chat && !(bean instanceof OptimizedChatModel)) {
        return ai.getObject().wrap(chat);
      }
      if (bean instanceof EmbeddingModel embedding) {
        return ai.getObject().wrap(embedding);
      }
      return bean;
    }

    @Override
    public void postProcessBeforeDestruction(Object bean, String name) {
      AutoCloseable pool = pools.remove(name);
      if (pool != null) {
        try {
          pool.close();
        } catch (Exception e) {
          throw new IllegalStateException("closing data source '" + name + "' failed", e);
        }
      }
    }
  }
}
