package dev.optimizer.ai.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.langchain4j.exception.InternalServerException;
import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.exception.RateLimitException;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.optimizer.ai.testserver.LocalOpenAiServer;
import dev.optimizer.ai.testserver.LocalOpenAiServer.Fault;
import dev.optimizer.ai.testserver.OpenAiClients;
import dev.optimizer.ai.testserver.RecordingHandler;
import io.opentelemetry.api.common.AttributeKey;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ResilienceTest {
  private ChatFixture f = new ChatFixture();
  private final LocalOpenAiServer backup = LocalOpenAiServer.start();

  @AfterEach
  void close() {
    f.close();
    backup.close();
  }

  @Test
  void aRateLimitIsRetriedAfterTheWaitTheProviderAskedFor() {
    ChatModel chat = f.ai.wrap(OpenAiClients.chat(f.server, "gpt-test"));
    f.server.enqueue(Fault.rateLimited("3"));
    assertThat(chat.chat("hello")).isEqualTo(f.server.answerFor("gpt-test", "hello"));
    assertThat(f.server.chatRequests()).isEqualTo(2);
    assertThat(f.sleeps).hasSize(1);
    assertThat(f.sleeps.get(0)).isBetween(Duration.ofSeconds(3), Duration.ofMillis(3300));
    assertThat(
            f.sum(
                "optimizer.ai.retries",
                a -> "429".equals(a.get(AttributeKey.stringKey("error.type")))))
        .isEqualTo(1);
  }

  @Test
  void serverErrorsAreRetriedWithJitteredExponentialBackoff() {
    ChatModel chat = f.ai.wrap(OpenAiClients.chat(f.server, "gpt-test"));
    f.server.enqueue(Fault.status(500)).enqueue(Fault.status(503));
    assertThat(chat.chat("hello")).isEqualTo(f.server.answerFor("gpt-test", "hello"));
    assertThat(f.server.chatRequests()).isEqualTo(3);
    // base 250 ms: first wait in [125, 250] ms, second in [250, 500] ms
    assertThat(f.sleeps.get(0)).isBetween(Duration.ofMillis(125), Duration.ofMillis(250));
    assertThat(f.sleeps.get(1)).isBetween(Duration.ofMillis(250), Duration.ofMillis(500));
  }

  @Test
  void badRequestsAreNotRetried() {
    ChatModel chat =
        f.ai.wrap(
            OpenAiClients.chat(f.server, "gpt-test"),
            List.of(OpenAiClients.chat(backup, "gpt-backup")));
    f.server.enqueue(Fault.status(400));
    assertThatThrownBy(() -> chat.chat("hello")).isInstanceOf(InvalidRequestException.class);
    assertThat(f.server.chatRequests()).isEqualTo(1);
    assertThat(backup.chatRequests()).isZero();
    assertThat(f.sleeps).isEmpty();
  }

  @Test
  void anEmptyRetryBudgetStopsRetries() {
    f.close();
    f = new ChatFixture(b -> b.retryBudgetRatio(0).retryBudgetReserve(0));
    ChatModel chat = f.ai.wrap(OpenAiClients.chat(f.server, "gpt-test"));
    f.server.enqueue(Fault.status(503));
    assertThatThrownBy(() -> chat.chat("hello")).isInstanceOf(InternalServerException.class);
    assertThat(f.server.chatRequests()).isEqualTo(1);
  }

  @Test
  void whenRetriesAreExhaustedTheFallbackAnswersAndIsNotCachedAsThePrimary() {
    ChatModel chat =
        f.ai.wrap(
            OpenAiClients.chat(f.server, "gpt-test"),
            List.of(OpenAiClients.chat(backup, "gpt-backup")));
    f.server.enqueue(Fault.status(500)).enqueue(Fault.status(500)).enqueue(Fault.status(500));
    assertThat(chat.chat("hello")).isEqualTo(backup.answerFor("gpt-backup", "hello"));
    assertThat(f.server.chatRequests()).isEqualTo(3);
    assertThat(backup.chatRequests()).isEqualTo(1);
    assertThat(f.sum("optimizer.ai.fallbacks")).isEqualTo(1);

    assertThat(chat.chat("hello")).isEqualTo(f.server.answerFor("gpt-test", "hello"));
    assertThat(f.server.chatRequests()).isEqualTo(4);
  }

  @Test
  void aProviderAskingForTooLongAWaitSendsTheCallToTheFallback() {
    f.close();
    f = new ChatFixture(b -> b.retryMaxDelay(Duration.ofSeconds(5)));
    ChatModel chat =
        f.ai.wrap(
            OpenAiClients.chat(f.server, "gpt-test"),
            List.of(OpenAiClients.chat(backup, "gpt-backup")));
    f.server.enqueue(Fault.rateLimited("60"));
    assertThat(chat.chat("hello")).isEqualTo(backup.answerFor("gpt-backup", "hello"));
    assertThat(f.server.chatRequests()).isEqualTo(1);
    assertThat(f.sleeps).isEmpty();
  }

  @Test
  void anOpenBreakerSkipsTheModelUntilItHasRested() {
    f.close();
    f = new ChatFixture(b -> b.maxAttempts(1).breaker(50, 2, Duration.ofSeconds(30)));
    ChatModel chat =
        f.ai.wrap(
            OpenAiClients.chat(f.server, "gpt-test"),
            List.of(OpenAiClients.chat(backup, "gpt-backup")));
    f.server.enqueue(Fault.status(500)).enqueue(Fault.status(500));
    chat.chat("one");
    chat.chat("two");
    assertThat(f.server.chatRequests()).isEqualTo(2);
    assertThat(chat.chat("three")).isEqualTo(backup.answerFor("gpt-backup", "three"));
    assertThat(f.server.chatRequests()).as("breaker open: primary not called").isEqualTo(2);

    f.time.advance(Duration.ofSeconds(31));
    assertThat(chat.chat("four")).isEqualTo(f.server.answerFor("gpt-test", "four"));
    assertThat(f.server.chatRequests()).isEqualTo(3);
  }

  @Test
  void theBreakerIsPerRequestedModelAndPerEndpoint() {
    f.close();
    f = new ChatFixture(b -> b.maxAttempts(1).breaker(50, 2, Duration.ofSeconds(30)));
    ChatModel chat = f.ai.wrap(OpenAiClients.chat(f.server, "gpt-test"));
    java.util.function.Function<String, dev.langchain4j.model.chat.request.ChatRequest> ask =
        model ->
            dev.langchain4j.model.chat.request.ChatRequest.builder()
                .messages(dev.langchain4j.data.message.UserMessage.from("hello " + model))
                .modelName(model)
                .build();
    f.server.enqueue(Fault.status(500)).enqueue(Fault.status(500));
    assertThatThrownBy(() -> chat.chat(ask.apply("gpt-broken"))).isNotNull();
    assertThatThrownBy(() -> chat.chat(ask.apply("gpt-broken"))).isNotNull();
    assertThatThrownBy(() -> chat.chat(ask.apply("gpt-broken")))
        .as("the broken model's breaker is open")
        .hasMessageContaining("circuit breaker")
        .hasMessageContaining("gpt-broken");
    assertThat(f.server.chatRequests()).isEqualTo(2);
    assertThat(chat.chat(ask.apply("gpt-fine")).aiMessage().text())
        .as("another model named by the request has its own breaker")
        .isEqualTo(f.server.answerFor("gpt-fine", "hello gpt-fine"));

    // A local deployment and the hosted one, both serving "gpt-test": the local one failing must
    // not open the breaker of the hosted one it falls back to.
    ChatModel local =
        f.ai.wrap(
            OpenAiClients.chat(f.server, "gpt-same"),
            List.of(OpenAiClients.chat(backup, "gpt-same")));
    f.server.enqueue(Fault.status(500)).enqueue(Fault.status(500));
    assertThat(local.chat("one")).isEqualTo(backup.answerFor("gpt-same", "one"));
    assertThat(local.chat("two")).isEqualTo(backup.answerFor("gpt-same", "two"));
    assertThat(local.chat("three")).isEqualTo(backup.answerFor("gpt-same", "three"));
    assertThat(backup.chatRequests()).isEqualTo(3);
  }

  @Test
  void aSlowAttemptTimesOut() {
    f.close();
    f = new ChatFixture(b -> b.maxAttempts(1).callTimeout(Duration.ofMillis(200)));
    f.server.latency(Duration.ofSeconds(3));
    ChatModel chat = f.ai.wrap(OpenAiClients.chat(f.server, "gpt-test"));
    assertThatThrownBy(() -> chat.chat("slow"))
        .isInstanceOf(dev.langchain4j.exception.TimeoutException.class)
        .hasMessageContaining("callTimeout");
  }

  @Test
  void aStreamIsRetriedBeforeItsFirstTokenAndFallsBack() throws Exception {
    StreamingChatModel chat =
        f.ai.wrap(
            OpenAiClients.streaming(f.server, "gpt-test"),
            List.of(OpenAiClients.streaming(backup, "gpt-backup")));
    f.server.enqueue(Fault.rateLimited("1"));
    RecordingHandler h = new RecordingHandler();
    chat.chat("stream", h);
    assertThat(h.done.get(10, TimeUnit.SECONDS).aiMessage().text())
        .isEqualTo(f.server.answerFor("gpt-test", "stream"));
    assertThat(f.sleeps).hasSize(1);

    f.server.enqueue(Fault.status(500)).enqueue(Fault.status(500)).enqueue(Fault.status(500));
    RecordingHandler fb = new RecordingHandler();
    chat.chat("other stream", fb);
    assertThat(fb.done.get(10, TimeUnit.SECONDS).aiMessage().text())
        .isEqualTo(backup.answerFor("gpt-backup", "other stream"));
    assertThat(fb.error).isNotDone();
  }

  @Test
  void aStreamWithoutAFirstTokenInTimeGoesToTheFallback() throws Exception {
    f.close();
    f = new ChatFixture(b -> b.maxAttempts(1).callTimeout(Duration.ofMillis(200)));
    f.server.latency(Duration.ofSeconds(3));
    StreamingChatModel chat =
        f.ai.wrap(
            OpenAiClients.streaming(f.server, "gpt-test"),
            List.of(OpenAiClients.streaming(backup, "gpt-backup")));
    RecordingHandler h = new RecordingHandler();
    chat.chat("slow stream", h);
    assertThat(h.done.get(10, TimeUnit.SECONDS).aiMessage().text())
        .isEqualTo(backup.answerFor("gpt-backup", "slow stream"));
    assertThat(
            f.sum(
                "gen_ai.client.operation.duration",
                a -> "timeout".equals(a.get(AttributeKey.stringKey("error.type")))))
        .isEqualTo(1);
  }

  @Test
  void rateLimitHintsAreReadFromTheErrorMessage() {
    assertThat(
            dev.optimizer.ai.chat.internal.resilience.Failures.retryAfter(
                new RateLimitException("Rate limit reached. Please try again in 1.5s.")))
        .contains(Duration.ofMillis(1500));
    assertThat(
            dev.optimizer.ai.chat.internal.resilience.Failures.retryAfter(
                new RateLimitException("try again in 20ms")))
        .contains(Duration.ofMillis(20));
    assertThat(
            dev.optimizer.ai.chat.internal.resilience.Failures.retryAfter(
                new RateLimitException("slow down")))
        .isEmpty();
  }

  @Test
  void longRateLimitHintsKeepEveryUnit() {
    // OpenAI writes minutes and hours as "7m12s" / "1h2m3s": reading the 7 as seconds would retry
    // the same model 60 times too soon instead of moving on to a fallback.
    assertThat(
            dev.optimizer.ai.chat.internal.resilience.Failures.retryAfter(
                new RateLimitException("Limit reached. Please try again in 7m12s. Visit ...")))
        .contains(Duration.ofSeconds(7 * 60 + 12));
    assertThat(
            dev.optimizer.ai.chat.internal.resilience.Failures.retryAfter(
                new RateLimitException("Please try again in 1h2m3.5s.")))
        .contains(Duration.ofMillis(3_723_500));
    assertThat(
            dev.optimizer.ai.chat.internal.resilience.Failures.retryAfter(
                new RateLimitException("retry after 2 minutes 5 seconds")))
        .contains(Duration.ofSeconds(125));
    assertThat(
            dev.optimizer.ai.chat.internal.resilience.Failures.retryAfter(
                new RateLimitException("Retry-After: 30")))
        .contains(Duration.ofSeconds(30));
  }
}
