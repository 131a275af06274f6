package dev.optimizer.spring.boot.autoconfigure;

import dev.optimizer.http.HttpOptimizer;
import dev.optimizer.http.spring.HttpOptimizerInterceptor;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.core.Ordered;
import org.springframework.web.client.RestClient;

/**
 * Adds {@link HttpOptimizerInterceptor} to each {@link RestClient.Builder} bean (Spring Boot's
 * builder is a prototype: every injection point gets its own, each customized here), unless the
 * builder's bean name is in {@code optimizer.http.excluded-beans} or it has one already. Added
 * after the interceptors the builder has by then, as the interceptor asks.
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
    if (http != null) {
      builder.requestInterceptors(
          list -> {
            if (list.stream().noneMatch(HttpOptimizerInterceptor.class::isInstance)) {
              list.add(HttpOptimizerInterceptor.of(http));
            }
          });
    }
    return bean;
  }

  @Override
  public int getOrder() {
    return Ordered.LOWEST_PRECEDENCE;
  }
}
