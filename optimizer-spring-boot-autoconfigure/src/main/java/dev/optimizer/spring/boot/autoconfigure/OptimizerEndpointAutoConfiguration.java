package dev.optimizer.spring.boot.autoconfigure;

import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * The {@code optimizer} actuator endpoint, when Spring Boot Actuator is present, the optimizer is
 * on, and the endpoint is available (enabled and exposed, by {@code management.endpoints.*}).
 */
@AutoConfiguration(after = OptimizerAutoConfiguration.class)
@ConditionalOnClass(
    name = {
      "org.springframework.boot.actuate.endpoint.annotation.Endpoint",
      "org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint"
    })
@ConditionalOnBean(OptimizerReporter.class)
public class OptimizerEndpointAutoConfiguration {

  /**
   * The endpoint. Its availability condition sits here rather than on the class so that the class
   * conditions above are evaluated first: that condition's own class lives in Actuator.
   */
  @Bean
  @ConditionalOnMissingBean
  @ConditionalOnAvailableEndpoint(endpoint = OptimizerEndpoint.class)
  public OptimizerEndpoint optimizerEndpoint(OptimizerReporter reporter) {
    return new OptimizerEndpoint(reporter);
  }
}
