package dev.optimizer.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.optimizer.db.DbOptimizer;
import dev.optimizer.db.StatementStats;
import dev.optimizer.runtime.Optimizer;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** DataSource beans are wrapped (HikariCP still reachable), except those excluded by name. */
class DataSourceWrappingTest {
  private final ApplicationContextRunner runner = Runners.runner();

  @Configuration(proxyBeanMethods = false)
  static class TwoPools {
    @Bean(destroyMethod = "close")
    HikariDataSource mainDataSource() {
      return Runners.hikari();
    }

    @Bean(destroyMethod = "close")
    HikariDataSource reportingDataSource() {
      return Runners.hikari();
    }
  }

  private static long count(DataSource ds, String sql) throws Exception {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @Test
  void aHikariDataSourceIsWrappedAndStillUnwrapsToHikari() {
    runner
        .withUserConfiguration(TwoPools.class)
        .run(
            ctx -> {
              DataSource ds = (DataSource) ctx.getBean("mainDataSource");
              assertThat(ds).isNotInstanceOf(HikariDataSource.class);
              assertThat(ds.isWrapperFor(HikariDataSource.class)).isTrue();
              HikariDataSource hikari = ds.unwrap(HikariDataSource.class);
              assertThat(hikari.getPoolName()).startsWith("starter-test-");

              assertThat(count(ds, "SELECT COUNT(*) FROM INFORMATION_SCHEMA.TABLES")).isPositive();
              List<StatementStats> top = ctx.getBean(DbOptimizer.class).insight().topByTotalTime(5);
              assertThat(top)
                  .as("the statement went through the optimizer")
                  .anySatisfy(s -> assertThat(s.text()).contains("INFORMATION_SCHEMA.TABLES"));
            });
  }

  @Configuration(proxyBeanMethods = false)
  static class OnePoolInferredDestroyMethod {
    @Bean
    HikariDataSource dataSource() {
      return Runners.hikari();
    }
  }

  /**
   * Flyway, Liquibase and SQL initialization with their own user connect through a data source
   * Spring Boot derives from the application's: it unwraps to the pool and reads its URL.
   */
  @Test
  void aDataSourceDerivedFromTheWrappedOneConnectsToTheSameDatabase() {
    runner
        .withUserConfiguration(OnePoolInferredDestroyMethod.class)
        .run(
            ctx -> {
              DataSource ds = ctx.getBean(DataSource.class);
              try (Connection c = ds.getConnection();
                  Statement s = c.createStatement()) {
                s.execute("CREATE TABLE derived_check (id INT)");
              }
              DataSource derived =
                  org.springframework.boot.jdbc.DataSourceBuilder.derivedFrom(ds)
                      .type(org.springframework.jdbc.datasource.SimpleDriverDataSource.class)
                      .username("sa")
                      .password("")
                      .build();
              assertThat(
                      count(
                          derived,
                          "SELECT COUNT(*) FROM INFORMATION_SCHEMA.TABLES"
                              + " WHERE TABLE_NAME = 'DERIVED_CHECK'"))
                  .isEqualTo(1);
            });
  }

  @Test
  void closingTheContextClosesThePoolBehindTheWrapper() {
    HikariDataSource[] pool = new HikariDataSource[1];
    runner
        .withUserConfiguration(OnePoolInferredDestroyMethod.class)
        .run(
            ctx -> {
              DataSource ds = ctx.getBean(DataSource.class);
              pool[0] = ds.unwrap(HikariDataSource.class);
              assertThat(count(ds, "SELECT 1")).isEqualTo(1);
              assertThat(pool[0].isClosed()).isFalse();
            });
    assertThat(pool[0].isClosed()).as("the context closed the wrapped pool").isTrue();
  }

  @Test
  void destroyBeanOnTheWrapperLeavesThePoolOpenAndContextCloseStillClosesIt() {
    HikariDataSource[] pool = new HikariDataSource[1];
    DataSourceWrapper[] wrapper = new DataSourceWrapper[1];
    runner
        .withUserConfiguration(OnePoolInferredDestroyMethod.class)
        .run(
            ctx -> {
              Object ds = ctx.getBean("dataSource");
              pool[0] = ((DataSource) ds).unwrap(HikariDataSource.class);
              wrapper[0] = ctx.getBean(DataSourceWrapper.class);
              // What Spring Cloud's ConfigurationPropertiesRebinder does on a refresh; a bare
              // HikariDataSource is left open by it.
              ctx.getAutowireCapableBeanFactory().destroyBean(ds);
              assertThat(pool[0].isClosed())
                  .as("destroyBean(wrapper) left the pool open")
                  .isFalse();
              assertThat(count((DataSource) ds, "SELECT 1")).isEqualTo(1);
              assertThat(wrapper[0].tracked()).isEqualTo(1);
            });
    assertThat(pool[0].isClosed()).as("the context closed the wrapped pool").isTrue();
    assertThat(wrapper[0].tracked()).as("nothing kept after the context closed").isZero();
  }

  @Configuration(proxyBeanMethods = false)
  static class PrototypePool {
    @Bean
    @org.springframework.context.annotation.Scope("prototype")
    HikariDataSource dataSource() {
      return Runners.hikari();
    }
  }

  @Test
  void aPrototypeDataSourceIsWrappedButNotKept() {
    runner
        .withUserConfiguration(PrototypePool.class)
        .run(
            ctx -> {
              DataSource ds = ctx.getBean(DataSource.class);
              try {
                assertThat(DbOptimizer.isWrapped(ds)).isTrue();
                assertThat(ctx.getBean(DataSourceWrapper.class).tracked())
                    .as("the context never destroys a prototype")
                    .isZero();
              } finally {
                ds.unwrap(HikariDataSource.class).close();
              }
            });
  }

  /** A pool per thread behind a class-based scoped proxy, as {@code @RefreshScope} makes one. */
  @Configuration(proxyBeanMethods = false)
  static class ScopedPool {
    static final List<HikariDataSource> POOLS =
        java.util.Collections.synchronizedList(new java.util.ArrayList<>());

    @Bean
    @org.springframework.context.annotation.Scope(
        value = "thread",
        proxyMode = org.springframework.context.annotation.ScopedProxyMode.TARGET_CLASS)
    HikariDataSource dataSource() {
      HikariDataSource pool = Runners.hikari();
      POOLS.add(pool);
      return pool;
    }
  }

  @Test
  void aScopedDataSourceIsLeftAsItIs() {
    try {
      runner
          .withInitializer(
              ctx ->
                  ctx.getBeanFactory()
                      .registerScope(
                          "thread", new org.springframework.context.support.SimpleThreadScope()))
          .withUserConfiguration(ScopedPool.class)
          .run(
              ctx -> {
                assertThat(ctx).hasNotFailed();
                assertThat(ctx.getBean("scopedTarget.dataSource"))
                    .as("the scoped target stays what the proxy's class expects")
                    .isInstanceOf(HikariDataSource.class);
                DataSource ds = (DataSource) ctx.getBean("dataSource");
                assertThat(ds).isInstanceOf(HikariDataSource.class);
                assertThat(count(ds, "SELECT 7")).isEqualTo(7);
              });
    } finally {
      ScopedPool.POOLS.forEach(HikariDataSource::close);
    }
  }

  @Test
  void excludedBeansAreLeftAlone() {
    runner
        .withUserConfiguration(TwoPools.class)
        .withPropertyValues("optimizer.db.excluded-beans=reportingDataSource")
        .run(
            ctx -> {
              assertThat(ctx.getBean("mainDataSource")).isNotInstanceOf(HikariDataSource.class);
              assertThat(ctx.getBean("reportingDataSource")).isInstanceOf(HikariDataSource.class);
            });
  }

  @Test
  void anAlreadyWrappedDataSourceIsNotWrappedAgain() {
    runner
        .withBean(
            "wrapped",
            DataSource.class,
            () -> {
              // Wrapped by hand with a DbOptimizer of its own.
              Optimizer own = Optimizer.builder().manualTuning().build();
              return DbOptimizer.create(own).wrap(Runners.hikari());
            })
        .run(
            ctx -> {
              DataSource ds = ctx.getBean(DataSource.class);
              assertThat(ds.unwrap(HikariDataSource.class)).isNotNull();
              count(ds, "SELECT 1");
              // Had it been wrapped again, the context's DbOptimizer would have seen the statement.
              assertThat(ctx.getBean(DbOptimizer.class).insight().topByTotalTime(5)).isEmpty();
            });
  }

  /** A pool, and the application's proxy over it as the primary DataSource. */
  @Configuration(proxyBeanMethods = false)
  static class ProxyOverPool {
    @Bean
    HikariDataSource pool() {
      return Runners.hikari();
    }

    @Bean
    @org.springframework.context.annotation.Primary
    DataSource proxy(
        @org.springframework.beans.factory.annotation.Qualifier("pool") DataSource pool) {
      // What Spring's DelegatingDataSource proxies do: every call, isWrapperFor too, goes through.
      return (DataSource)
          java.lang.reflect.Proxy.newProxyInstance(
              DataSource.class.getClassLoader(),
              new Class<?>[] {DataSource.class},
              (self, method, args) -> {
                try {
                  return method.invoke(pool, args);
                } catch (java.lang.reflect.InvocationTargetException e) {
                  throw e.getCause();
                }
              });
    }
  }

  @Test
  void aProxyOverAWrappedPoolIsNotWrappedAgain() {
    runner
        .withUserConfiguration(ProxyOverPool.class)
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed();
              DataSource ds = ctx.getBean(DataSource.class);
              assertThat(DbOptimizer.isWrapped(ds)).isTrue();
              count(ds, "SELECT 42");
              assertThat(ctx.getBean(DbOptimizer.class).insight().topByTotalTime(5))
                  .singleElement()
                  .satisfies(s -> assertThat(s.calls()).as("recorded once").isEqualTo(1));
            });
  }

  @Configuration(proxyBeanMethods = false)
  static class PoolOwnedElsewhere {
    @Bean(destroyMethod = "")
    HikariDataSource dataSource() {
      return Runners.hikari();
    }
  }

  @Test
  void aPoolDeclaredWithoutADestroyMethodIsLeftOpen() {
    HikariDataSource[] pool = new HikariDataSource[1];
    runner
        .withUserConfiguration(PoolOwnedElsewhere.class)
        .run(ctx -> pool[0] = ctx.getBean(DataSource.class).unwrap(HikariDataSource.class));
    try {
      assertThat(pool[0].isClosed()).as("Spring would not have closed it").isFalse();
    } finally {
      pool[0].close();
    }
  }

  @Test
  void theApplicationsOpenTelemetryReceivesTheMetrics() {
    InMemoryMetricReader reader = InMemoryMetricReader.create();
    OpenTelemetrySdk otel =
        OpenTelemetrySdk.builder()
            .setMeterProvider(SdkMeterProvider.builder().registerMetricReader(reader).build())
            .build();
    try {
      runner
          .withUserConfiguration(TwoPools.class)
          .withBean(OpenTelemetry.class, () -> otel)
          .run(
              ctx -> {
                assertThat(ctx.getBean(Optimizer.class).openTelemetry()).isSameAs(otel);
                count((DataSource) ctx.getBean("mainDataSource"), "SELECT 1");
                assertThat(reader.collectAllMetrics())
                    .extracting(MetricData::getName)
                    .contains("db.client.operation.duration");
              });
    } finally {
      otel.close();
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class CardinalityPool {
    @Bean(destroyMethod = "close")
    HikariDataSource dataSource() {
      return Runners.hikari("cardinality");
    }
  }

  @Test
  void operationCardinalityLimitBoundsTheSummariesTheDurationMetricNames() {
    AttributeKey<String> summary = AttributeKey.stringKey("db.query.summary");
    InMemoryMetricReader reader = InMemoryMetricReader.create();
    OpenTelemetrySdk otel =
        OpenTelemetrySdk.builder()
            .setMeterProvider(SdkMeterProvider.builder().registerMetricReader(reader).build())
            .build();
    try {
      runner
          .withUserConfiguration(CardinalityPool.class)
          .withBean(OpenTelemetry.class, () -> otel)
          .withPropertyValues("optimizer.db.operation-cardinality-limit=10")
          .run(
              ctx -> {
                DataSource ds = ctx.getBean(DataSource.class);
                // The tables are made behind the wrapper: only the 15 SELECTs are recorded.
                try (Connection c = ds.unwrap(HikariDataSource.class).getConnection();
                    Statement s = c.createStatement()) {
                  for (int i = 0; i < 15; i++) {
                    s.execute("CREATE TABLE IF NOT EXISTS card" + i + " (id INT)");
                  }
                }
                for (int i = 0; i < 15; i++) { // 15 summaries: SELECT card0 .. SELECT card14
                  count(ds, "SELECT COUNT(*) FROM card" + i);
                }
                List<HistogramPointData> points =
                    reader.collectAllMetrics().stream()
                        .filter(m -> m.getName().equals("db.client.operation.duration"))
                        .flatMap(m -> m.getHistogramData().getPoints().stream())
                        .collect(Collectors.toList());
                Set<String> summaries =
                    points.stream()
                        .map(p -> p.getAttributes().get(summary))
                        .collect(Collectors.toSet());
                assertThat(summaries).contains("other").hasSize(10 + 1);
                assertThat(points.stream().mapToLong(HistogramPointData::getCount).sum())
                    .isEqualTo(15);
              });
    } finally {
      otel.close();
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class LongStatementPool {
    @Bean(destroyMethod = "close")
    HikariDataSource dataSource() {
      return Runners.hikari("long-statements");
    }
  }

  /** The text the wrapper recorded for the one statement it ran, as its statistics keep it. */
  private static String recordedText(DataSource ds, DbOptimizer db, String sql) throws Exception {
    count(ds, sql);
    List<StatementStats> top = db.insight().topByTotalTime(5);
    assertThat(top).hasSize(1);
    return top.get(0).text();
  }

  @Test
  void maxStatementLengthBoundsWhatIsFingerprintedInFull() {
    String sql = "SELECT " + "1 + ".repeat(270) + "1"; // 1,088 characters
    runner
        .withUserConfiguration(LongStatementPool.class)
        .run(
            ctx ->
                assertThat(
                        recordedText(
                            ctx.getBean(DataSource.class), ctx.getBean(DbOptimizer.class), sql))
                    .as("fingerprinted in full under the default 65536")
                    .doesNotEndWith(" …"));
    runner
        .withUserConfiguration(LongStatementPool.class)
        .withPropertyValues("optimizer.db.max-statement-length=1024")
        .run(
            ctx ->
                assertThat(
                        recordedText(
                            ctx.getBean(DataSource.class), ctx.getBean(DbOptimizer.class), sql))
                    .as("fingerprinted by its first 1024 characters")
                    .startsWith("SELECT ? + ?")
                    .endsWith(" …"));
  }

  /** Two pools that HikariCP accepts with one name: their pool-size knobs would share a name. */
  @Configuration(proxyBeanMethods = false)
  static class TwoPoolsOneName {
    static HikariDataSource pool(String database) {
      com.zaxxer.hikari.HikariConfig c = new com.zaxxer.hikari.HikariConfig();
      c.setJdbcUrl("jdbc:h2:mem:" + database + ";DB_CLOSE_DELAY=-1");
      c.setUsername("sa");
      c.setMaximumPoolSize(4);
      c.setPoolName("shared-name");
      return new HikariDataSource(c);
    }

    @Bean
    HikariDataSource firstDataSource() {
      return pool("same-name-1");
    }

    @Bean
    HikariDataSource secondDataSource() {
      return pool("same-name-2");
    }
  }

  /**
   * The application starts with the starter as it does without it: a pool the DbOptimizer refuses
   * to wrap (here a second pool of the same name, whose pool-size knob would take the first one's
   * name) is left as it is, and still answers.
   */
  @Test
  void aPoolThatCannotBeWrappedIsLeftAsItIsAndTheContextStarts() {
    runner
        .withUserConfiguration(TwoPoolsOneName.class)
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed();
              DataSource first = (DataSource) ctx.getBean("firstDataSource");
              DataSource second = (DataSource) ctx.getBean("secondDataSource");
              assertThat(DbOptimizer.isWrapped(first)).isTrue();
              assertThat(second).isInstanceOf(HikariDataSource.class);
              assertThat(count(first, "SELECT 1")).isEqualTo(1);
              assertThat(count(second, "SELECT 2")).isEqualTo(2);
            });
  }

  /** A pool that is started in its bean method, as {@code new HikariDataSource(config)} does. */
  @Configuration(proxyBeanMethods = false)
  static class StartedPool {
    static final List<HikariDataSource> POOLS =
        java.util.Collections.synchronizedList(new java.util.ArrayList<>());

    @Bean
    HikariDataSource dataSource() {
      HikariDataSource pool = Runners.hikari();
      try (Connection c = pool.getConnection()) {
        assertThat(c.isValid(1)).isTrue(); // started, with a connection open
      } catch (java.sql.SQLException e) {
        throw new IllegalStateException(e);
      }
      POOLS.add(pool);
      return pool;
    }
  }

  /**
   * The DbOptimizer is made when the first DataSource bean is wrapped; when that fails (here a rule
   * between properties), Spring does not destroy the half-made bean, so the wrapper closes the pool
   * it was handed, as the context would have: nothing the failed start opened stays open.
   */
  @Test
  void aFailedStartInTheWrapperClosesThePoolItWasHanded() {
    StartedPool.POOLS.clear();
    try {
      runner
          .withUserConfiguration(StartedPool.class)
          .withPropertyValues("optimizer.db.min-pool-size=150")
          .run(
              ctx ->
                  assertThat(ctx)
                      .getFailure()
                      .rootCause()
                      .hasMessageContaining("optimizer.db.min-pool-size must be at most"));
      assertThat(StartedPool.POOLS).singleElement();
      assertThat(StartedPool.POOLS.get(0).isClosed()).as("the started pool was closed").isTrue();
    } finally {
      StartedPool.POOLS.forEach(HikariDataSource::close);
    }
  }
}
