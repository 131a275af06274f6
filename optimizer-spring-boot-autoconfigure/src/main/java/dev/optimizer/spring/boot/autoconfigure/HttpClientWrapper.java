package dev.optimizer.spring.boot.autoconfigure;

import dev.optimizer.http.HttpOptimizer;
import java.net.http.HttpClient;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.core.Ordered;

/**
 * Wraps each {@link HttpClient} bean with {@link HttpOptimizer#wrap}, except those named in {@code
 * optimizer.http.excluded-beans} and those already wrapped. The result is still an {@link
 * HttpClient}.
 */
public class HttpClientWrapper implements BeanPostProcessor, Ordered {
  private final ObjectProvider<HttpOptimizer> httpOptimizer;
  private final ObjectProvider<OptimizerProperties> properties;

  /** Looks both up when the first HttpClient arrives. */
  public HttpClientWrapper(
      ObjectProvider<HttpOptimizer> httpOptimizer, ObjectProvider<OptimizerProperties> properties) {
    this.httpOptimizer = httpOptimizer;
    this.properties = properties;
  }

  @Override
  public Object postProcessAfterInitialization(Object bean, String beanName) {
    if (!(bean instanceof HttpClient client) || HttpOptimizer.isWrapped(client)) {
      return bean;
    }
    if (properties.getObject().getHttp().getExcludedBeans().contains(beanName)) {
      return bean;
    }
    HttpOptimizer http = httpOptimizer.getIfUnique();
    return http == null ? bean : http.wrap(client);
  }

  @Override
  public int getOrder() {
    return Ordered.LOWEST_PRECEDENCE;
  }
}
