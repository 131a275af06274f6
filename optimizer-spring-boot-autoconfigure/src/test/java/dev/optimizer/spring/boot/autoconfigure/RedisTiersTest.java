package dev.optimizer.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.optimizer.db.DbOptimizer;
import dev.optimizer.http.HttpOptimizer;
import dev.optimizer.runtime.cache.redis.EmbeddedRedis;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * {@code optimizer.http.cache.remote.*} and {@code optimizer.db.result-cache.remote.*} against one
 * real redis-server that needs a password: two application contexts (two instances of one service)
 * share it, so the second answers from Redis what the first loaded; the password in the URI is
 * never shown; without Lettuce start-up fails naming the property and the dependency.
 */
class RedisTiersTest {
  private static final String PASSWORD = "pw-" + Long.toHexString(System.nanoTime());
  private static EmbeddedRedis redis;
  private final ApplicationContextRunner runner = Runners.runner();

  @BeforeAll
  static void startRedis() {
    redis = EmbeddedRedis.start(PASSWORD);
  }

  @AfterAll
  static void stopRedis() throws Exception {
    redis.close();
  }

  @Configuration(proxyBeanMethods = false)
  static class JdkClient {
    @Bean
    HttpClient httpClient() {
      return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }
  }

  private static String get(HttpClient client, LoopbackServer server) throws Exception {
    HttpResponse<String> r =
        client.send(
            HttpRequest.newBuilder(server.uri("/greeting")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    return r.body();
  }

  @Test
  void theHttpCacheSharesResponsesThroughRedisAcrossContexts() throws Exception {
    String prefix = "starter-http-1:";
    try (LoopbackServer server = new LoopbackServer()) {
      ApplicationContextRunner instance =
          runner
              .withUserConfiguration(JdkClient.class)
              .withPropertyValues(
                  "optimizer.http.cache.remote.uri=" + redis.uri(),
                  "optimizer.http.cache.remote.key-prefix=" + prefix,
                  "optimizer.http.cache.remote.command-timeout=2s",
                  "optimizer.http.hedging.enabled=false");
      instance.run(
          ctx -> {
            assertThat(ctx).hasNotFailed();
            assertThat(get(ctx.getBean(HttpClient.class), server)).isEqualTo("hello");
            assertThat(server.requests).hasValue(1);
            // The store to Redis is asynchronous; the key prefix is the one configured.
            Runners.await(() -> !redis.keys(prefix).isEmpty(), "the response in Redis");
          });
      instance.run(
          ctx -> {
            assertThat(get(ctx.getBean(HttpClient.class), server)).isEqualTo("hello");
            assertThat(server.requests)
                .as("the second instance was answered from Redis, not by the origin")
                .hasValue(1);
            HttpOptimizer.Stats stats = ctx.getBean(HttpOptimizer.class).stats();
            assertThat(stats.remoteHits()).isEqualTo(1);
            String report = ctx.getBean(OptimizerReporter.class).json();
            assertThat(report).contains("\"remoteHits\": 1").doesNotContain(PASSWORD);
            OptimizerProperties p = ctx.getBean(OptimizerProperties.class);
            assertThat(p.getHttp().getCache().getRemote().toString())
                .contains("keyPrefix=" + prefix)
                .doesNotContain(PASSWORD);
          });
    }
  }

  @Test
  void privateEntriesDefaultOffAndBind() {
    runner
        .withPropertyValues(
            "optimizer.http.cache.remote.uri=" + redis.uri(),
            "optimizer.http.cache.remote.private-entries=true")
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed();
              HttpCacheRemoteProperties remote =
                  ctx.getBean(OptimizerProperties.class).getHttp().getCache().getRemote();
              assertThat(remote.isPrivateEntries()).isTrue();
              assertThat(remote.getCommandTimeout()).isEqualTo(Duration.ofMillis(50));
            });
    assertThat(new HttpCacheRemoteProperties().isPrivateEntries()).isFalse();
  }

  /** Two instances of one service: one H2 database, a pool each. */
  @Configuration(proxyBeanMethods = false)
  static class SharedDatabase {
    @Bean(destroyMethod = "close")
    HikariDataSource dataSource() {
      return Runners.hikari("starter-shared-rc");
    }
  }

  private static long read(DataSource ds, int k) throws Exception {
    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT v FROM rc_items WHERE k = ?")) {
      ps.setInt(1, k);
      try (ResultSet rs = ps.executeQuery()) {
        assertThat(rs.next()).isTrue();
        return rs.getLong(1);
      }
    }
  }

  @Test
  void theResultCacheSharesResultsThroughRedisAcrossContexts() throws Exception {
    String prefix = "starter-rc-1:";
    ApplicationContextRunner instance =
        runner
            .withUserConfiguration(SharedDatabase.class)
            .withPropertyValues(
                "optimizer.db.pool-sizing=false",
                "optimizer.db.result-cache.enabled=true",
                "optimizer.db.result-cache.tables=rc_items",
                "optimizer.db.result-cache.remote.uri=" + redis.uri(),
                "optimizer.db.result-cache.remote.key-prefix=" + prefix,
                "optimizer.db.result-cache.remote.command-timeout=2s");
    // The Redis tier connects in the background, and a read before that is served locally (as when
    // Redis is down): each instance reads once it has joined the invalidation channel.
    String channel = prefix + "invalidations";
    instance.run(
        ctx -> {
          assertThat(ctx).hasNotFailed();
          Runners.await(() -> redis.subscribers(channel) == 1, "the first instance in Redis");
          DataSource ds = ctx.getBean(DataSource.class);
          try (Connection c = ds.getConnection();
              Statement s = c.createStatement()) {
            s.execute("CREATE TABLE rc_items (k INT PRIMARY KEY, v BIGINT NOT NULL)");
            s.execute("INSERT INTO rc_items VALUES (1, 41)");
          }
          assertThat(read(ds, 1)).isEqualTo(41);
          Runners.await(() -> !redis.keys(prefix + "e:").isEmpty(), "the result in Redis");
        });
    Runners.await(() -> redis.subscribers(channel) == 0, "the first instance to leave Redis");
    instance.run(
        ctx -> {
          Runners.await(() -> redis.subscribers(channel) == 1, "the second instance in Redis");
          DataSource ds = ctx.getBean(DataSource.class);
          assertThat(read(ds, 1)).isEqualTo(41);
          DbOptimizer db = ctx.getBean(DbOptimizer.class);
          assertThat(db.resultCacheStats().remoteHits())
              .as("the second instance was answered from Redis")
              .isEqualTo(1);
          assertThat(ctx.getBean(OptimizerReporter.class).json())
              .contains("\"remoteHits\": 1")
              .doesNotContain(PASSWORD);
        });
  }

  @Test
  void withoutLettuceAUriFailsStartUpNamingThePropertyAndTheDependency() {
    FilteredClassLoader noLettuce = new FilteredClassLoader("io.lettuce.");
    runner
        .withClassLoader(noLettuce)
        .withPropertyValues("optimizer.http.cache.remote.uri=" + redis.uri())
        .run(
            ctx -> {
              assertThat(ctx).hasFailed();
              assertThat(PropertiesTest.messages(ctx.getStartupFailure()))
                  .contains("optimizer.http.cache.remote.uri is set")
                  .contains("io.lettuce:lettuce-core")
                  .contains("add it as a dependency")
                  .doesNotContain(PASSWORD);
            });
    runner
        .withClassLoader(noLettuce)
        .withUserConfiguration(SharedDatabase.class)
        .withPropertyValues(
            "optimizer.db.result-cache.enabled=true",
            "optimizer.db.result-cache.all-reads=true",
            "optimizer.db.result-cache.remote.uri=" + redis.uri())
        .run(
            ctx -> {
              assertThat(ctx).hasFailed();
              assertThat(PropertiesTest.messages(ctx.getStartupFailure()))
                  .contains("optimizer.db.result-cache.remote.uri is set")
                  .contains("io.lettuce:lettuce-core")
                  .doesNotContain(PASSWORD);
            });
    runner
        .withClassLoader(noLettuce)
        .run(ctx -> assertThat(ctx).as("no uri: Lettuce is not needed").hasNotFailed());
  }
}
