package dev.optimizer.spring.boot.autoconfigure;

import dev.optimizer.runtime.Optimizer;
import dev.optimizer.runtime.tuning.TuningSettings;
import io.opentelemetry.api.OpenTelemetry;
import java.nio.file.Path;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * The root of optimizer's auto-configuration: the {@code optimizer.*} properties, the {@link
 * Optimizer} bean (named {@code optimizer}; closed with the context), the reporter, and the report
 * file. The modules' auto-configurations hang off it, and need a single {@link Optimizer} candidate
 * (one bean, or one primary): with several and none primary, only the optimizers are there. {@code
 * optimizer.enabled=false} turns all of it off.
 */
@AutoConfiguration
@ConditionalOnClass(name = "dev.optimizer.runtime.Optimizer")
@ConditionalOnProperty(
    prefix = "optimizer",
    name = "enabled",
    havingValue = "true",
    matchIfMissing = true)
@EnableConfigurationProperties(OptimizerProperties.class)
public class OptimizerAutoConfiguration {

  /**
   * The optimizer, reporting through the application's {@link OpenTelemetry} bean when there is
   * exactly one, else through what {@link Optimizer#builder()} defaults to (the global instance).
   */
  @Bean
  @ConditionalOnMissingBean
  public Optimizer optimizer(
      OptimizerProperties properties, ObjectProvider<OpenTelemetry> openTelemetry) {
    OptimizerProperties.Tuning t = properties.getTuning();
    if (t.getMaxWindow().compareTo(t.getMinWindow()) < 0) {
      throw new IllegalArgumentException(
          "optimizer.tuning.max-window must be at least optimizer.tuning.min-window ("
              + Bounds.format(t.getMinWindow())
              + "), but was "
              + Bounds.format(t.getMaxWindow()));
    }
    TuningSettings tuning =
        TuningSettings.builder()
            .tickInterval(t.getTickInterval())
            .minWindow(t.getMinWindow())
            .maxWindow(t.getMaxWindow())
            .settle(t.getSettle())
            .maxBackoffWindows(t.getMaxBackoffWindows())
            .decisionHistory(t.getDecisionHistory())
            .build();
    Optimizer.Builder b = Optimizer.builder().mode(properties.getMode()).tuning(tuning);
    OpenTelemetry otel = openTelemetry.getIfUnique();
    if (otel != null) {
      b.openTelemetry(otel);
    }
    return b.build();
  }

  /**
   * The report with the modules' counters, for the endpoint and the report file; only when there is
   * one optimizer (or one primary), like the modules' auto-configurations.
   */
  @Bean
  @ConditionalOnMissingBean
  @ConditionalOnSingleCandidate(Optimizer.class)
  public OptimizerReporter optimizerReporter(
      Optimizer optimizer, ObjectProvider<OptimizerModuleStats> modules) {
    return new OptimizerReporter(optimizer, modules);
  }

  /** Writes the report to {@code optimizer.report.file} when the context closes. */
  @Bean
  @ConditionalOnProperty(prefix = "optimizer.report", name = "file")
  @ConditionalOnBean(OptimizerReporter.class)
  public OptimizerReportFileWriter optimizerReportFileWriter(
      OptimizerReporter reporter, OptimizerProperties properties) {
    String file = properties.getReport().getFile();
    return new OptimizerReportFileWriter(reporter, file == null ? null : Path.of(file));
  }
}
