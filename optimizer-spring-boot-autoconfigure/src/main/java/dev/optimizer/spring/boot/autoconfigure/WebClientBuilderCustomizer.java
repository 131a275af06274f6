package dev.optimizer.spring.boot.autoconfigure;

import dev.optimizer.http.HttpOptimizer;
import dev.optimizer.http.spring.HttpOptimizerConnector;
import dev.optimizer.http.spring.HttpOptimizerExchangeFilter;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.core.Ordered;
import org.springframework.http.client.reactive.JdkClientHttpConnector;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * Adds {@link HttpOptimizerExchangeFilter} to each {@link WebClient.Builder} bean, unless its bean
 * name is in {@code optimizer.http.excluded-beans} or it has one already. The builder handed out
 * moves it after every other filter when the client is built, as the filter asks, so that filters
 * the application adds later (credentials of the current user) run before it: see {@link
 * LastHookBuilders}. A builder given a connector that runs the pipeline itself ({@code
 * HttpOptimizerConnector}, or a {@code JdkClientHttpConnector} over a wrapped {@code HttpClient}
 * bean) builds without it.
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
    if (http == null) {
      return bean;
    }
    HttpOptimizerExchangeFilter hook = HttpOptimizerExchangeFilter.of(http);
    builder.filters(
        list -> {
          if (list.stream().noneMatch(HttpOptimizerExchangeFilter.class::isInstance)) {
            list.add(hook);
          }
        });
    return LastHookBuilders.<WebClient.Builder, ExchangeFilterFunction>wrap(
        WebClient.Builder.class,
        builder,
        b -> b::filters,
        HttpOptimizerExchangeFilter.class,
        hook,
        "clientConnector",
        WebClientBuilderCustomizer::runsPipeline);
  }

  /** Whether a connector runs an HttpOptimizer's pipeline itself. */
  private static boolean runsPipeline(Object connector) {
    return connector instanceof HttpOptimizerConnector
        || (connector instanceof JdkClientHttpConnector
            && LastHookBuilders.overOptimizedJdkClient(connector));
  }

  @Override
  public int getOrder() {
    return Ordered.LOWEST_PRECEDENCE;
  }
}
