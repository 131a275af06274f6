package dev.optimizer.ai.testserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.InternalServerException;
import dev.langchain4j.exception.RateLimitException;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import dev.langchain4j.model.output.FinishReason;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LocalOpenAiServerTest {
  private final LocalOpenAiServer server = LocalOpenAiServer.start();

  @AfterEach
  void close() {
    server.close();
  }

  @Test
  void answersDeterministicallyWithUsage() throws Exception {
    OpenAiChatModel model = OpenAiClients.chat(server, "gpt-test");
    ChatResponse a =
        model.chat(ChatRequest.builder().messages(UserMessage.from("hello there")).build());
    ChatResponse b =
        model.chat(ChatRequest.builder().messages(UserMessage.from("hello there")).build());
    assertThat(a.aiMessage().text()).isEqualTo(server.answerFor("gpt-test", "hello there"));
    assertThat(b.aiMessage().text()).isEqualTo(a.aiMessage().text());
    assertThat(a.tokenUsage().inputTokenCount()).isEqualTo(3);
    assertThat(a.tokenUsage().outputTokenCount())
        .isEqualTo(LocalOpenAiServer.words(a.aiMessage().text()));
    assertThat(a.finishReason()).isEqualTo(FinishReason.STOP);
    assertThat(server.chatRequests()).isEqualTo(2);
    assertThat(server.takeRequest().lastUserText()).isEqualTo("hello there");
  }

  @Test
  void cutsAtMaxTokensWithFinishReasonLength() {
    OpenAiChatModel model = OpenAiClients.chat(server, "gpt-test");
    ChatResponse r =
        model.chat(
            ChatRequest.builder().messages(UserMessage.from("a b c d")).maxOutputTokens(2).build());
    assertThat(r.finishReason()).isEqualTo(FinishReason.LENGTH);
    assertThat(LocalOpenAiServer.words(r.aiMessage().text())).isEqualTo(2);
  }

  @Test
  void answersWithToolCallWhenAsked() {
    OpenAiChatModel model = OpenAiClients.chat(server, "gpt-test");
    ChatResponse r =
        model.chat(
            ChatRequest.builder()
                .messages(UserMessage.from("weather " + LocalOpenAiServer.CALL_TOOL))
                .toolSpecifications(ToolSpecification.builder().name("weather").build())
                .build());
    assertThat(r.aiMessage().hasToolExecutionRequests()).isTrue();
    assertThat(r.aiMessage().toolExecutionRequests().get(0).name()).isEqualTo("weather");
    assertThat(r.finishReason()).isEqualTo(FinishReason.TOOL_EXECUTION);
  }

  @Test
  void scriptedFailuresMapToLangChain4jExceptions() {
    OpenAiChatModel model = OpenAiClients.chat(server, "gpt-test");
    server.enqueue(LocalOpenAiServer.Fault.rateLimited("2"));
    server.enqueue(LocalOpenAiServer.Fault.status(503));
    assertThatThrownBy(() -> model.chat("x")).isInstanceOf(RateLimitException.class);
    assertThatThrownBy(() -> model.chat("x")).isInstanceOf(InternalServerException.class);
    assertThat(model.chat("x")).isEqualTo(server.answerFor("gpt-test", "x"));
    assertThat(server.chatRequests()).isEqualTo(3);
  }

  @Test
  void streamsTokensThenCompleteResponseWithUsage() throws Exception {
    OpenAiStreamingChatModel model = OpenAiClients.streaming(server, "gpt-test");
    RecordingHandler handler = new RecordingHandler();
    model.chat("stream me please", handler);
    ChatResponse done = handler.done.get(10, TimeUnit.SECONDS);
    String expected = server.answerFor("gpt-test", "stream me please");
    assertThat(String.join("", handler.partials)).isEqualTo(expected);
    assertThat(handler.partials).hasSize(LocalOpenAiServer.words(expected));
    assertThat(done.aiMessage().text()).isEqualTo(expected);
    assertThat(done.tokenUsage().inputTokenCount()).isEqualTo(4);
    assertThat(done.finishReason()).isEqualTo(FinishReason.STOP);
  }

  @Test
  void aCutStreamEndsInError() throws Exception {
    OpenAiStreamingChatModel model = OpenAiClients.streaming(server, "gpt-test");
    server.enqueue(LocalOpenAiServer.Fault.cutStream());
    RecordingHandler handler = new RecordingHandler();
    model.chat("stream me please", handler);
    assertThat(handler.error.get(10, TimeUnit.SECONDS)).isNotNull();
    // LangChain4j's OpenAI client may also report the cut stream as complete, without a finish
    // reason: that is how a decorator can tell it was not whole.
    if (handler.done.isDone()) {
      assertThat(handler.done.get().finishReason()).isNull();
    }
  }

  @Test
  void heldStreamsWaitForRelease() throws Exception {
    OpenAiStreamingChatModel model = OpenAiClients.streaming(server, "gpt-test");
    server.holdStreams();
    RecordingHandler handler = new RecordingHandler();
    model.chat("one two three", handler);
    handler.firstPartial.get(10, TimeUnit.SECONDS);
    assertThat(handler.done).isNotDone();
    server.releaseStreams();
    assertThat(handler.done.get(10, TimeUnit.SECONDS).aiMessage().text())
        .isEqualTo(server.answerFor("gpt-test", "one two three"));
  }
}
