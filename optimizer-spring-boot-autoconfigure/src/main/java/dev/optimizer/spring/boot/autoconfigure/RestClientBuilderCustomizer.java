package dev.optimizer.spring.boot.autoconfigure;

import dev.optimizer.http.HttpOptimizer;
import dev.optimizer.http.spring.HttpOptimizerInterceptor;
import dev.optimizer.http.spring.HttpOptimizerRequestFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.core.Ordered;
import org.springframework.http.client.ClientHttpRequestInterceptor;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.web.client.RestClient;

/**
 * Adds {@link HttpOptimizerInterceptor} to each {@link RestClient.Builder} bean (Spring Boot's
 * builder is a prototype: every injection point gets its own, each customized here), unless the
 * builder's bean name is in {@code optimizer.http.excluded-beans} or it has one already. The
 * builder handed out moves it after every other interceptor when the client is built, as the
 * interceptor asks, so that interceptors the application adds later (credentials of the current
 * user) run before it: see {@link LastHookBuilders}. A builder given a request factory that runs
 * the pipeline itself ({@code HttpOptimizerRequestFactory}, or a {@code
 * JdkClientHttpRequestFactory} over a wrapped {@code HttpClient} bean) builds without it.
 */
public class RestClientBuilderCustomizer implements BeanPostProcessor, Ordered {
  private final ObjectProvider<HttpOptimizer> httpOptimizer;
  private final ObjectProvider<OptimizerProperties> properties;

  /** Looks both up when the first builder arrives. */
  public RestClientBuilderCustomizer(
      ObjectProvider<HttpOptimizer> httpOptimizer, ObjectProvider<OptimizerProperties> properties) {
    this.httpOptimizer = httpOptimizer;
    this.properties = properties;
  }

  @Override
  public Object postProcessAfterInitialization(Object bean, String beanName) {
    if (!(bean instanceof RestClient.Builder builder)
        || properties.getObject().getHttp().getExcludedBeans().contains(beanName)) {
      return bean;
    }
    HttpOptimizer http = httpOptimizer.getIfUnique();
    if (http == null) {
      return bean;
    }
    HttpOptimizerInterceptor hook = HttpOptimizerInterceptor.of(http);
    builder.requestInterceptors(
        list -> {
          if (list.stream().noneMatch(HttpOptimizerInterceptor.class::isInstance)) {
            list.add(hook);
          }
        });
    return LastHookBuilders.<RestClient.Builder, ClientHttpRequestInterceptor>wrap(
        RestClient.Builder.class,
        builder,
        b -> b::requestInterceptors,
        HttpOptimizerInterceptor.class,
        hook,
        "requestFactory",
        RestClientBuilderCustomizer::runsPipeline);
  }

  /** Whether a request factory runs an HttpOptimizer's pipeline itself. */
  private static boolean runsPipeline(Object factory) {
    return factory instanceof HttpOptimizerRequestFactory
        || (factory instanceof JdkClientHttpRequestFactory
            && LastHookBuilders.overOptimizedJdkClient(factory));
  }

  @Override
  public int getOrder() {
    return Ordered.LOWEST_PRECEDENCE;
  }
}
