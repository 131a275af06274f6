package dev.optimizer.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The report: written to optimizer.report.file on close, served by /actuator/optimizer. */
class ReportTest {

  @Configuration(proxyBeanMethods = false)
  static class Pool {
    @Bean(destroyMethod = "close")
    HikariDataSource dataSource() {
      return Runners.hikari();
    }
  }

  private static void query(DataSource ds) throws Exception {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE IF NOT EXISTS pets(id INT PRIMARY KEY, name VARCHAR(20))");
      s.executeQuery("SELECT name FROM pets WHERE id = 1").close();
    }
  }

  @Test
  void theReportFileIsWrittenWhenTheContextCloses(@TempDir Path dir) {
    Path file = dir.resolve("reports/optimizer-report.json");
    Runners.runner()
        .withUserConfiguration(Pool.class)
        .withPropertyValues("optimizer.report.file=" + file)
        .run(
            ctx -> {
              query(ctx.getBean(DataSource.class));
              assertThat(file).doesNotExist();
            });
    assertThat(file).exists();
    String json = readString(file);
    assertThat(json)
        .startsWith("{")
        .contains("\"mode\": \"AUTO\"")
        .contains("\"knobs\"")
        .contains("\"modules\"")
        .contains("\"db\"")
        .contains("SELECT name FROM pets WHERE id = ?")
        .contains("\"http\"")
        .contains("\"ai\"");
    assertThat(json.strip()).endsWith("}");
    assertThat(dir.resolve("reports").toFile().list())
        .as("no temporary file left")
        .containsExactly("optimizer-report.json");
  }

  @Test
  void theEndpointServesTheReportAsJsonOverHttp() throws Exception {
    try (ConfigurableApplicationContext app =
        new SpringApplicationBuilder(WebApp.class)
            .web(WebApplicationType.SERVLET)
            .properties(
                "server.port=0",
                "server.address=127.0.0.1",
                "management.endpoints.web.exposure.include=optimizer",
                "spring.main.banner-mode=off")
            .run()) {
      query(app.getBean(DataSource.class));
      int port = app.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
      HttpClient client = HttpClient.newHttpClient();
      HttpResponse<String> r =
          client.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/optimizer"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("Content-Type").orElse("")).contains("json");
      assertThat(r.body())
          .as("the JSON itself, not a quoted string")
          .startsWith("{")
          .contains("\"mode\": \"AUTO\"")
          .contains("\"modules\"")
          .contains("SELECT name FROM pets WHERE id = ?");
    }
  }

  /** A web application with actuator and a pool, its configuration found by auto-configuration. */
  @Configuration(proxyBeanMethods = false)
  @EnableAutoConfiguration
  static class WebApp extends Pool {}

  private static String readString(Path file) {
    try {
      return Files.readString(file);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
