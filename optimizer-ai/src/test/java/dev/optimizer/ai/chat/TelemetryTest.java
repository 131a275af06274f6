package dev.optimizer.ai.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.optimizer.ai.testserver.LocalOpenAiServer;
import dev.optimizer.ai.testserver.LocalOpenAiServer.Fault;
import dev.optimizer.ai.testserver.OpenAiClients;
import dev.optimizer.ai.testserver.RecordingHandler;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.data.PointData;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TelemetryTest {
  private ChatFixture f = new ChatFixture();

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
    assertThat(f.sum("gen_ai.client.operation.duration", a -> is(a, "error.type", "503")))
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

  @Test
  void aRequestNamingAnotherModelIsRecordedPricedAndCachedUnderThatModel() throws Exception {
    f.close();
    f =
        new ChatFixture(
            b ->
                b.price("gpt-test", new ModelPrice(1, 1))
                    .price("gpt-override", new ModelPrice(100, 100)));
    OptimizedChatModel chat = f.ai.wrap(OpenAiClients.chat(f.server, "gpt-test"));
    ChatRequest other =
        ChatRequest.builder()
            .messages(UserMessage.from("which model?"))
            .modelName("gpt-override")
            .build();
    chat.chat(other);
    chat.chat(other);
    StreamingChatModel streaming = f.ai.wrap(OpenAiClients.streaming(f.server, "gpt-test"));
    RecordingHandler h = new RecordingHandler();
    streaming.chat(
        ChatRequest.builder()
            .messages(UserMessage.from("streamed"))
            .modelName("gpt-override")
            .build(),
        h);
    h.done.get(10, TimeUnit.SECONDS);

    assertThat(f.server.chatRequests()).isEqualTo(2);
    for (String metric :
        List.of(
            "gen_ai.client.operation.duration",
            "gen_ai.client.token.usage",
            "optimizer.ai.cache.misses",
            "optimizer.ai.cache.hits")) {
      assertThat(f.sum(metric, a -> is(a, "gen_ai.request.model", "gpt-test")))
          .as(metric + " under the wrapped model's default name")
          .isZero();
      assertThat(f.sum(metric, a -> is(a, "gen_ai.request.model", "gpt-override")))
          .as(metric + " under the model the request named")
          .isPositive();
    }
    ChatAccounting a = f.ai.accounting();
    assertThat(a.perModel()).containsOnlyKeys("gpt-override");
    assertThat(a.costUsd()).as("priced at gpt-override's price").isGreaterThan(1e-4);
  }

  @Test
  void errorTypeIsTheHttpStatusOrTheClassOfWhatActuallyFailed() throws Exception {
    f.close();
    f = new ChatFixture(b -> b.maxAttempts(1));
    ChatModel chat = f.ai.wrap(OpenAiClients.chat(f.server, "gpt-test"));
    f.server.enqueue(Fault.status(429));
    assertThatThrownBy(() -> chat.chat("limited")).isNotNull();
    StreamingChatModel streaming = f.ai.wrap(OpenAiClients.streaming(f.server, "gpt-test"));
    f.server.enqueue(Fault.status(502));
    RecordingHandler h = new RecordingHandler();
    streaming.chat("streamed", h);
    h.error.get(10, TimeUnit.SECONDS);

    LocalOpenAiServer gone = LocalOpenAiServer.start();
    gone.close();
    ChatModel unreachable = f.ai.wrap(OpenAiClients.chat(gone, "gpt-gone"));
    assertThatThrownBy(() -> unreachable.chat("anyone?")).isNotNull();

    ChatModel broken =
        f.ai.wrap(
            new ChatModel() {
              @Override
              public dev.langchain4j.model.chat.response.ChatResponse doChat(ChatRequest r) {
                throw new RuntimeException(new IllegalStateException("model state"));
              }
            });
    assertThatThrownBy(() -> broken.chat("x")).isNotNull();

    List<String> types = new ArrayList<>();
    for (MetricData m : f.metrics()) {
      if (m.getName().equals("gen_ai.client.operation.duration")) {
        for (PointData p : m.getData().getPoints()) {
          types.add(p.getAttributes().get(AttributeKey.stringKey("error.type")));
        }
      }
    }
    assertThat(types)
        .containsExactlyInAnyOrder(
            "429", "502", "java.net.ConnectException", "java.lang.IllegalStateException");
  }
}
