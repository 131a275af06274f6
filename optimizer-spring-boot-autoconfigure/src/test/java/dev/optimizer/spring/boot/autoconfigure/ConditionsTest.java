package dev.optimizer.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.optimizer.ai.AiOptimizer;
import dev.optimizer.api.Mode;
import dev.optimizer.db.DbOptimizer;
import dev.optimizer.http.HttpOptimizer;
import dev.optimizer.runtime.Optimizer;
import java.time.Duration;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Every condition of the auto-configurations: what is on by default, and what turns each off. */
class ConditionsTest {
  private final ApplicationContextRunner runner = Runners.runner();

  @Configuration(proxyBeanMethods = false)
  static class DataSourceConfig {
    @Bean(destroyMethod = "close")
    com.zaxxer.hikari.HikariDataSource dataSource() {
      return Runners.hikari();
    }
  }

  @Test
  void everyPartIsOnByDefault() {
    runner
        .withUserConfiguration(DataSourceConfig.class)
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed();
              assertThat(ctx).hasSingleBean(Optimizer.class).hasBean("optimizer");
              assertThat(ctx).hasSingleBean(DbOptimizer.class);
              assertThat(ctx).hasSingleBean(HttpOptimizer.class);
              assertThat(ctx).hasSingleBean(AiOptimizer.class);
              assertThat(ctx).hasSingleBean(OptimizerReporter.class);
              assertThat(ctx).hasSingleBean(DataSourceWrapper.class);
              assertThat(ctx).hasSingleBean(HttpClientWrapper.class);
              assertThat(ctx).hasSingleBean(RestClientBuilderCustomizer.class);
              assertThat(ctx).hasSingleBean(WebClientBuilderCustomizer.class);
              assertThat(ctx).hasSingleBean(LangChain4jModelWrapper.class);
              assertThat(ctx.getBean(Optimizer.class).mode()).isEqualTo(Mode.AUTO);
              assertThat(ctx.getBean(DataSource.class))
                  .isNotInstanceOf(com.zaxxer.hikari.HikariDataSource.class);
              // Not exposed by default (like every endpoint but health), so not created.
              assertThat(ctx).doesNotHaveBean(OptimizerEndpoint.class);
              assertThat(ctx).doesNotHaveBean(OptimizerReportFileWriter.class);
            });
  }

  @Test
  void enabledFalseIsAPurePassThrough() {
    runner
        .withUserConfiguration(DataSourceConfig.class)
        .withPropertyValues(
            "optimizer.enabled=false",
            "management.endpoints.web.exposure.include=optimizer",
            "optimizer.report.file=target/never.json")
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed();
              assertThat(ctx).doesNotHaveBean(Optimizer.class);
              assertThat(ctx).doesNotHaveBean(DbOptimizer.class);
              assertThat(ctx).doesNotHaveBean(HttpOptimizer.class);
              assertThat(ctx).doesNotHaveBean(AiOptimizer.class);
              assertThat(ctx).doesNotHaveBean(OptimizerProperties.class);
              assertThat(ctx).doesNotHaveBean(DataSourceWrapper.class);
              assertThat(ctx).doesNotHaveBean(HttpClientWrapper.class);
              assertThat(ctx).doesNotHaveBean(RestClientBuilderCustomizer.class);
              assertThat(ctx).doesNotHaveBean(WebClientBuilderCustomizer.class);
              assertThat(ctx).doesNotHaveBean(LangChain4jModelWrapper.class);
              assertThat(ctx).doesNotHaveBean(OptimizerEndpoint.class);
              assertThat(ctx).doesNotHaveBean(OptimizerReportFileWriter.class);
              assertThat(ctx.getBean(DataSource.class))
                  .isInstanceOf(com.zaxxer.hikari.HikariDataSource.class);
            });
  }

  @Test
  void modeAndTuningComeFromProperties() {
    runner
        .withPropertyValues(
            "optimizer.mode=OBSERVE",
            "optimizer.tuning.tick-interval=250ms",
            "optimizer.tuning.min-window=5s",
            "optimizer.tuning.max-window=1m",
            "optimizer.tuning.decision-history=50")
        .run(
            ctx -> {
              Optimizer o = ctx.getBean(Optimizer.class);
              assertThat(o.mode()).isEqualTo(Mode.OBSERVE);
              assertThat(o.tuningSettings().tickInterval()).isEqualTo(Duration.ofMillis(250));
              assertThat(o.tuningSettings().minWindow()).isEqualTo(Duration.ofSeconds(5));
              assertThat(o.tuningSettings().maxWindow()).isEqualTo(Duration.ofMinutes(1));
              assertThat(o.tuningSettings().decisionHistory()).isEqualTo(50);
            });
  }

  @Test
  void theOptimizerClosesWithTheContext() {
    Optimizer[] seen = new Optimizer[1];
    runner.run(ctx -> seen[0] = ctx.getBean(Optimizer.class));
    assertThat(seen[0].isClosed()).isTrue();
  }

  @Test
  void dbDisabledByPropertyLeavesTheRest() {
    runner
        .withUserConfiguration(DataSourceConfig.class)
        .withPropertyValues("optimizer.db.enabled=false")
        .run(
            ctx -> {
              assertThat(ctx).doesNotHaveBean(DbOptimizer.class);
              assertThat(ctx).doesNotHaveBean(DataSourceWrapper.class);
              assertThat(ctx.getBean(DataSource.class))
                  .isInstanceOf(com.zaxxer.hikari.HikariDataSource.class);
              assertThat(ctx).hasSingleBean(HttpOptimizer.class);
              assertThat(ctx).hasSingleBean(AiOptimizer.class);
            });
  }

  @Test
  void httpDisabledByPropertyLeavesTheRest() {
    runner
        .withPropertyValues("optimizer.http.enabled=false")
        .run(
            ctx -> {
              assertThat(ctx).doesNotHaveBean(HttpOptimizer.class);
              assertThat(ctx).doesNotHaveBean(HttpClientWrapper.class);
              assertThat(ctx).doesNotHaveBean(RestClientBuilderCustomizer.class);
              assertThat(ctx).doesNotHaveBean(WebClientBuilderCustomizer.class);
              assertThat(ctx).hasSingleBean(DbOptimizer.class);
              assertThat(ctx).hasSingleBean(AiOptimizer.class);
            });
  }

  @Test
  void aiDisabledByPropertyLeavesTheRest() {
    runner
        .withPropertyValues("optimizer.ai.enabled=false")
        .run(
            ctx -> {
              assertThat(ctx).doesNotHaveBean(AiOptimizer.class);
              assertThat(ctx).doesNotHaveBean(LangChain4jModelWrapper.class);
              assertThat(ctx).hasSingleBean(DbOptimizer.class);
              assertThat(ctx).hasSingleBean(HttpOptimizer.class);
            });
  }

  @Test
  void withoutOptimizerDbOnlyTheDbPartIsOff() {
    runner
        .withClassLoader(new FilteredClassLoader("dev.optimizer.db."))
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed();
              assertThat(ctx).doesNotHaveBean(DataSourceWrapper.class);
              assertThat(ctx).hasSingleBean(HttpOptimizer.class);
              assertThat(ctx).hasSingleBean(AiOptimizer.class);
            });
  }

  @Test
  void withoutOptimizerHttpOnlyTheHttpPartIsOff() {
    runner
        .withClassLoader(new FilteredClassLoader("dev.optimizer.http."))
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed();
              assertThat(ctx).doesNotHaveBean(HttpClientWrapper.class);
              assertThat(ctx).doesNotHaveBean(RestClientBuilderCustomizer.class);
              assertThat(ctx).doesNotHaveBean(WebClientBuilderCustomizer.class);
              assertThat(ctx).hasSingleBean(DbOptimizer.class);
              assertThat(ctx).hasSingleBean(AiOptimizer.class);
            });
  }

  @Test
  void withoutOptimizerAiOnlyTheAiPartIsOff() {
    runner
        .withClassLoader(new FilteredClassLoader("dev.optimizer.ai."))
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed();
              assertThat(ctx).doesNotHaveBean(LangChain4jModelWrapper.class);
              assertThat(ctx).hasSingleBean(DbOptimizer.class);
              assertThat(ctx).hasSingleBean(HttpOptimizer.class);
            });
  }

  @Test
  void withoutLangChain4jOnlyTheAiPartIsOff() {
    runner
        .withClassLoader(new FilteredClassLoader("dev.langchain4j."))
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed();
              assertThat(ctx).doesNotHaveBean(LangChain4jModelWrapper.class);
              assertThat(ctx).hasSingleBean(DbOptimizer.class);
              assertThat(ctx).hasSingleBean(HttpOptimizer.class);
            });
  }

  @Test
  void withoutSpringWebOnlyTheRestClientPartIsOff() {
    runner
        .withClassLoader(new FilteredClassLoader("org.springframework.web.client."))
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed();
              assertThat(ctx).doesNotHaveBean(RestClientBuilderCustomizer.class);
              assertThat(ctx).hasSingleBean(WebClientBuilderCustomizer.class);
              assertThat(ctx).hasSingleBean(HttpClientWrapper.class);
            });
  }

  @Test
  void withoutWebFluxOnlyTheWebClientPartIsOff() {
    runner
        .withClassLoader(new FilteredClassLoader("org.springframework.web.reactive."))
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed();
              assertThat(ctx).doesNotHaveBean(WebClientBuilderCustomizer.class);
              assertThat(ctx).hasSingleBean(RestClientBuilderCustomizer.class);
              assertThat(ctx).hasSingleBean(HttpClientWrapper.class);
            });
  }

  @Test
  void withoutReactorOnlyTheWebClientPartIsOff() {
    runner
        .withClassLoader(new FilteredClassLoader("reactor.core."))
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed();
              assertThat(ctx).doesNotHaveBean(WebClientBuilderCustomizer.class);
              assertThat(ctx).hasSingleBean(RestClientBuilderCustomizer.class);
            });
  }

  @Test
  void withoutHikariTheDbPartStillWrapsOtherDataSources() {
    runner
        .withClassLoader(new FilteredClassLoader("com.zaxxer.hikari."))
        .withBean("plain", DataSource.class, ConditionsTest::h2)
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed();
              assertThat(ctx).hasSingleBean(DbOptimizer.class);
              DataSource ds = ctx.getBean(DataSource.class);
              assertThat(ds).isNotInstanceOf(org.h2.jdbcx.JdbcDataSource.class);
              assertThat(ds.unwrap(org.h2.jdbcx.JdbcDataSource.class)).isNotNull();
            });
  }

  @Test
  void endpointOnlyWhenExposedAndActuatorPresent() {
    ApplicationContextRunner exposed =
        runner.withPropertyValues("management.endpoints.web.exposure.include=optimizer");
    exposed.run(ctx -> assertThat(ctx).hasSingleBean(OptimizerEndpoint.class));
    exposed
        .withClassLoader(new FilteredClassLoader("org.springframework.boot.actuate."))
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed();
              assertThat(ctx).doesNotHaveBean(OptimizerEndpoint.class);
              assertThat(ctx).hasSingleBean(Optimizer.class);
            });
    exposed
        .withPropertyValues("management.endpoint.optimizer.access=NONE")
        .run(ctx -> assertThat(ctx).doesNotHaveBean(OptimizerEndpoint.class));
  }

  @Test
  void userBeansWin() {
    runner
        .withUserConfiguration(UserBeans.class)
        .run(
            ctx -> {
              assertThat(ctx).hasSingleBean(Optimizer.class).hasBean("myOptimizer");
              assertThat(ctx).doesNotHaveBean("optimizer");
              assertThat(ctx.getBean(Optimizer.class).mode()).isEqualTo(Mode.RECOMMEND);
              assertThat(ctx).hasSingleBean(DbOptimizer.class).hasBean("myDb");
              assertThat(ctx).hasSingleBean(HttpOptimizer.class).hasBean("myHttp");
              assertThat(ctx).hasSingleBean(AiOptimizer.class).hasBean("myAi");
              assertThat(ctx).hasSingleBean(OptimizerReporter.class);
            });
  }

  @Configuration(proxyBeanMethods = false)
  static class UserBeans {
    @Bean
    Optimizer myOptimizer() {
      return Optimizer.builder().mode(Mode.RECOMMEND).manualTuning().build();
    }

    @Bean
    DbOptimizer myDb(Optimizer o) {
      return DbOptimizer.create(o);
    }

    @Bean
    HttpOptimizer myHttp(Optimizer o) {
      return HttpOptimizer.create(o);
    }

    @Bean
    AiOptimizer myAi(Optimizer o) {
      return AiOptimizer.create(o);
    }
  }

  private static DataSource h2() {
    org.h2.jdbcx.JdbcDataSource ds = new org.h2.jdbcx.JdbcDataSource();
    ds.setURL("jdbc:h2:mem:plain;DB_CLOSE_DELAY=-1");
    return ds;
  }
}
