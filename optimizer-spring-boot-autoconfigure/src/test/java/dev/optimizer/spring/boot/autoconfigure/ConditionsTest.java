package dev.optimizer.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.optimizer.ai.AiOptimizer;
import dev.optimizer.api.Mode;
import dev.optimizer.db.DbOptimizer;
import dev.optimizer.http.HttpOptimizer;
import dev.optimizer.runtime.Optimizer;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
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

  /**
   * One way of switching parts off (a property, or a package hidden from the class path): start-up
   * still succeeds, the beans in {@code off} are gone and those in {@code on} stay.
   */
  record Part(String given, List<Class<?>> off, List<Class<?>> on) {
    void check(AssertableApplicationContext ctx) {
      assertThat(ctx).hasNotFailed();
      for (Class<?> gone : off) {
        assertThat(ctx).doesNotHaveBean(gone);
      }
      for (Class<?> kept : on) {
        assertThat(ctx).hasSingleBean(kept);
      }
    }

    @Override
    public String toString() {
      return given;
    }
  }

  static Stream<Part> moduleSwitches() {
    return Stream.of(
        new Part(
            "optimizer.db.enabled=false",
            List.of(DbOptimizer.class, DataSourceWrapper.class),
            List.of(HttpOptimizer.class, AiOptimizer.class)),
        new Part(
            "optimizer.http.enabled=false",
            List.of(
                HttpOptimizer.class,
                HttpClientWrapper.class,
                RestClientBuilderCustomizer.class,
                WebClientBuilderCustomizer.class),
            List.of(DbOptimizer.class, AiOptimizer.class, DataSourceWrapper.class)),
        new Part(
            "optimizer.ai.enabled=false",
            List.of(AiOptimizer.class, LangChain4jModelWrapper.class),
            List.of(DbOptimizer.class, HttpOptimizer.class, DataSourceWrapper.class)));
  }

  @ParameterizedTest(name = "{0} leaves the rest")
  @MethodSource("moduleSwitches")
  void aModuleDisabledByPropertyLeavesTheRest(Part part) {
    runner
        .withUserConfiguration(DataSourceConfig.class)
        .withPropertyValues(part.given())
        .run(
            ctx -> {
              part.check(ctx);
              assertThat(ctx.getBean(DataSource.class) instanceof HikariDataSource)
                  .as(
                      "the DataSource is the application's own pool exactly when the db part is off")
                  .isEqualTo(part.off().contains(DataSourceWrapper.class));
            });
  }

  /** A package hidden from the class path turns off only the part that needs it. */
  static Stream<Part> missingClasses() {
    List<Class<?>> httpParts =
        List.of(
            HttpClientWrapper.class,
            RestClientBuilderCustomizer.class,
            WebClientBuilderCustomizer.class);
    List<Class<?>> dbAndHttp = List.of(DbOptimizer.class, HttpOptimizer.class);
    return Stream.of(
        new Part(
            "dev.optimizer.db.",
            List.of(DataSourceWrapper.class),
            List.of(HttpOptimizer.class, AiOptimizer.class)),
        new Part("dev.optimizer.http.", httpParts, List.of(DbOptimizer.class, AiOptimizer.class)),
        new Part("dev.optimizer.ai.", List.of(LangChain4jModelWrapper.class), dbAndHttp),
        new Part("dev.langchain4j.", List.of(LangChain4jModelWrapper.class), dbAndHttp),
        new Part(
            "org.springframework.web.client.",
            List.of(RestClientBuilderCustomizer.class),
            List.of(WebClientBuilderCustomizer.class, HttpClientWrapper.class)),
        new Part(
            "org.springframework.web.reactive.",
            List.of(WebClientBuilderCustomizer.class),
            List.of(RestClientBuilderCustomizer.class, HttpClientWrapper.class)),
        new Part(
            "reactor.core.",
            List.of(WebClientBuilderCustomizer.class),
            List.of(RestClientBuilderCustomizer.class)));
  }

  @ParameterizedTest(name = "without {0} only its part is off")
  @MethodSource("missingClasses")
  void withoutAPartsClassesOnlyThatPartIsOff(Part part) {
    runner.withClassLoader(new FilteredClassLoader(part.given())).run(part::check);
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

  @Test
  void severalUserOptimizersOfAKindStartTheContextAndAreNotReported() {
    runner
        .withUserConfiguration(TwoOfEachKind.class)
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed();
              assertThat(ctx.getBeansOfType(OptimizerModuleStats.class).values())
                  .hasSize(3)
                  .allSatisfy(s -> assertThat(s.stats()).containsEntry("reported", false));
            });
  }

  @Configuration(proxyBeanMethods = false)
  static class TwoOptimizers {
    @Bean
    Optimizer optimizer1() {
      return Optimizer.builder().manualTuning().build();
    }

    @Bean
    Optimizer optimizer2() {
      return Optimizer.builder().manualTuning().build();
    }
  }

  @Test
  void twoUserOptimizersWithoutAPrimaryStartTheContextWithNoModules() {
    runner
        .withUserConfiguration(TwoOptimizers.class, DataSourceConfig.class)
        .withPropertyValues(
            "management.endpoints.web.exposure.include=optimizer",
            "optimizer.report.file=target/never.json")
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed();
              assertThat(ctx).doesNotHaveBean(DbOptimizer.class);
              assertThat(ctx).doesNotHaveBean(HttpOptimizer.class);
              assertThat(ctx).doesNotHaveBean(AiOptimizer.class);
              assertThat(ctx).doesNotHaveBean(OptimizerReporter.class);
              assertThat(ctx).doesNotHaveBean(OptimizerEndpoint.class);
              assertThat(ctx).doesNotHaveBean(OptimizerReportFileWriter.class);
              assertThat(ctx.getBean(DataSource.class)).isInstanceOf(HikariDataSource.class);
            });
  }

  @Test
  void twoUserOptimizersWithEveryAreaOffStartTheContext() {
    runner
        .withUserConfiguration(TwoOptimizers.class)
        .withPropertyValues(
            "optimizer.db.enabled=false",
            "optimizer.http.enabled=false",
            "optimizer.ai.enabled=false")
        .run(ctx -> assertThat(ctx).hasNotFailed());
  }

  @Test
  void withTwoUserOptimizersThePrimaryOneIsUsed() {
    runner
        .withUserConfiguration(TwoOptimizers.class)
        .withBean(
            "primaryOptimizer",
            Optimizer.class,
            () -> Optimizer.builder().mode(Mode.OBSERVE).manualTuning().build(),
            d -> d.setPrimary(true))
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed();
              assertThat(ctx).hasSingleBean(DbOptimizer.class);
              assertThat(ctx).hasSingleBean(HttpOptimizer.class);
              assertThat(ctx).hasSingleBean(AiOptimizer.class);
              assertThat(ctx).hasSingleBean(OptimizerReporter.class);
            });
  }

  @Configuration(proxyBeanMethods = false)
  static class TwoOfEachKind {
    @Bean
    DbOptimizer db1(Optimizer o) {
      return DbOptimizer.create(o);
    }

    @Bean
    DbOptimizer db2(Optimizer o) {
      return DbOptimizer.create(o);
    }

    @Bean
    HttpOptimizer http1(Optimizer o) {
      return HttpOptimizer.create(o);
    }

    @Bean
    HttpOptimizer http2(Optimizer o) {
      return HttpOptimizer.create(o);
    }

    @Bean
    AiOptimizer ai1(Optimizer o) {
      return AiOptimizer.create(o);
    }

    @Bean
    AiOptimizer ai2(Optimizer o) {
      return AiOptimizer.create(o);
    }
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
