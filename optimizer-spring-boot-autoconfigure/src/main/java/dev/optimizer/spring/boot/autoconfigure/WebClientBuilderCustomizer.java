package dev.optimizer.spring.boot.autoconfigure;

import dev.optimizer.http.HttpOptimizer;
import dev.optimizer.http.spring.HttpOptimizerExchangeFilter;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.core.Ordered;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * Adds {@link HttpOptimizerExchangeFilter} to each {@link WebClient.Builder} bean, unless its bean
 * name is in {@code optimizer.http.excluded-beans} or it has one already. Added after the filters
 * the builder has by then, as the filter asks.
 */
public class WebClientBuilderCustomizer implements BeanPostProcessor, Ordered {
  private final ObjectProvider<HttpOptimizer> httpOptimizer;
  private final ObjectProvider<OptimizerProperties> properties;

  /** Looks both up when the first builder arrives. */
  public WebClientBuilderCustomizer(
      ObjectProvider<HttpOptimizer> httpOptimizer, ObjectProvider<OptimizerProperties> properties) {
    this.httpOptimizer = httpOptimizer;
    this.properties = properties;
  }

  @Override
  public Object postProcessAfterInitialization(Object bean, String beanName) {
    if (!(bean instanceof WebClient.Builder builder)
        || properties.getObject().getHttp().getExcludedBeans().contains(beanName)) {
      return bean;
    }
    HttpOptimizer http = httpOptimizer.getIfUnique();
    if (http != null) {
      builder.filters(
          list -> {
            if (list.stream().noneMatch(HttpOptimizerExchangeFilter.class::isInstance)) {
              list.add(HttpOptimizerExchangeFilter.of(http));
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
