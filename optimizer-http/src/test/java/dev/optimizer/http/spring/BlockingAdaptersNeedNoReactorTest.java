package dev.optimizer.http.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The RestClient/RestTemplate adapters run in servlet applications that have no Reactor on the
 * class path (Spring's spring-web does not bring it): no class they load may name a Reactor or
 * Reactive Streams type, or the first request fails with NoClassDefFoundError. The tests here
 * always have Reactor, so the class files are read instead.
 */
class BlockingAdaptersNeedNoReactorTest {
  private static final List<String> BLOCKING =
      List.of(
          "HttpOptimizerInterceptor",
          "HttpOptimizerRequestFactory",
          "BlockingAttempts",
          "BufferedClientHttpResponse",
          "SpringHeaders",
          "SpringReplies");

  @Test
  void noClassOfTheBlockingAdaptersNamesAReactorType() throws Exception {
    Path dir = Path.of(SpringReplies.class.getResource("SpringReplies.class").toURI()).getParent();
    for (String name : BLOCKING) {
      List<Path> own;
      try (Stream<Path> files = Files.list(dir)) {
        own =
            files
                .filter(p -> p.getFileName().toString().matches(name + "(\\$.*)?\\.class"))
                .toList();
      }
      assertThat(own).as(name).isNotEmpty();
      for (Path p : own) {
        String constants = new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1);
        assertThat(constants)
            .as(p.getFileName().toString())
            .doesNotContain("reactor/core")
            .doesNotContain("org/reactivestreams");
      }
    }
  }
}
