package dev.optimizer.ai.chat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.optimizer.ai.testserver.LocalOpenAiServer.Fault;
import dev.optimizer.ai.testserver.OpenAiClients;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.data.PointData;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TelemetryTest {
  private final ChatFixture f = new ChatFixture();

  @AfterEach
  void close() {
    f.close();
  }

  private static boolean is(Attributes a, String key, String value) {
    return value.equals(a.get(AttributeKey.stringKey(key)));
  }

  @Test
  void upstreamCallsFollowTheGenAiConventionsAndPromptsAreNeverRecorded() {
    OptimizedChatModel chat = f.ai.wrap(OpenAiClients.chat(f.server, "gpt-test"));
    String secret = "my password is hunter2";
    f.server.enqueue(Fault.status(503));
    chat.chat(secret);
    chat.chat(secret);

    assertThat(
            f.sum(
                "gen_ai.client.operation.duration",
                a ->
                    is(a, "gen_ai.operation.name", "chat")
                        && is(a, "gen_ai.provider.name", "openai")
                        && is(a, "gen_ai.request.model", "gpt-test")
                        && a.get(AttributeKey.stringKey("error.type")) == null))
        .isEqualTo(1);
    assertThat(
            f.sum(
                "gen_ai.client.operation.duration",
                a -> is(a, "error.type", "InternalServerException")))
        .isEqualTo(1);
    assertThat(f.sum("gen_ai.client.token.usage", a -> is(a, "gen_ai.token.type", "input")))
        .isEqualTo(1);
    assertThat(f.sum("gen_ai.client.token.usage", a -> is(a, "gen_ai.token.type", "output")))
        .isEqualTo(1);
    assertThat(f.sum("optimizer.ai.cache.hits", a -> is(a, "optimizer.ai.cache.tier", "exact")))
        .isEqualTo(1);
    assertThat(f.sum("optimizer.ai.cache.misses")).isEqualTo(1);
    assertThat(f.sum("optimizer.ai.retries")).isEqualTo(1);
    assertThat(f.sum("optimizer.ai.tokens.saved")).isPositive();

    List<String> values = new ArrayList<>();
    for (MetricData m : f.metrics()) {
      for (PointData p : m.getData().getPoints()) {
        p.getAttributes().forEach((k, v) -> values.add(String.valueOf(v)));
      }
    }
    assertThat(values).isNotEmpty().noneMatch(v -> v.contains("hunter2") || v.contains("default"));
  }
}
