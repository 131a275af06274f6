package dev.optimizer.ai.chat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.CompleteToolCall;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.PartialThinking;
import dev.langchain4j.model.chat.response.PartialThinkingContext;
import dev.langchain4j.model.chat.response.PartialToolCall;
import dev.langchain4j.model.chat.response.PartialToolCallContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import dev.langchain4j.model.output.FinishReason;
import dev.optimizer.ai.testserver.LocalOpenAiServer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A cached answer replayed as a stream shows what the model's own stream showed: its reasoning and
 * its text in the order they came, then the same complete response (text, reasoning, finish reason,
 * token usage). Driven through LangChain4j's real OpenAI client against a reasoning model.
 */
class StreamReplayTest {
  private final ChatFixture f = new ChatFixture();

  StreamReplayTest() {
    f.server.reasoner(prompt -> "The user asks: " + prompt + ". Answer plainly.");
  }

  @AfterEach
  void close() {
    f.close();
  }

  private StreamingChatModel streaming() {
    return f.ai.wrap(
        OpenAiStreamingChatModel.builder()
            .baseUrl(f.server.baseUrl())
            .apiKey("test-key")
            .modelName("gpt-reasoner")
            .temperature(0.0)
            .returnThinking(true)
            .timeout(Duration.ofSeconds(10))
            .build());
  }

  /** Every event in order, as text, and the complete response. */
  private static final class EventLog implements StreamingChatResponseHandler {
    final List<String> events = new CopyOnWriteArrayList<>();
    final CompletableFuture<ChatResponse> done = new CompletableFuture<>();

    @Override
    public void onPartialResponse(PartialResponse p, PartialResponseContext c) {
      events.add("text:" + p.text());
    }

    @Override
    public void onPartialThinking(PartialThinking t, PartialThinkingContext c) {
      events.add("thinking:" + t.text());
    }

    @Override
    public void onPartialToolCall(PartialToolCall t, PartialToolCallContext c) {
      events.add("tool-part:" + t.name() + ":" + t.partialArguments());
    }

    @Override
    public void onCompleteToolCall(CompleteToolCall t) {
      events.add(
          "tool:" + t.toolExecutionRequest().name() + ":" + t.toolExecutionRequest().arguments());
    }

    @Override
    public void onCompleteResponse(ChatResponse r) {
      done.complete(r);
    }

    @Override
    public void onError(Throwable e) {
      done.completeExceptionally(e);
    }

    ChatResponse await() throws Exception {
      return done.get(10, TimeUnit.SECONDS);
    }
  }

  private static ChatRequest ask(String text) {
    return ChatRequest.builder().messages(UserMessage.from(text)).build();
  }

  @Test
  void aReplayShowsTheReasoningAndTextAsTheModelStreamedThem() throws Exception {
    StreamingChatModel chat = streaming();
    EventLog live = new EventLog();
    chat.chat(ask("why is the sky blue?"), live);
    ChatResponse original = live.await();
    EventLog replayed = new EventLog();
    chat.chat(ask("why is the sky blue?"), replayed);
    ChatResponse again = replayed.await();

    assertThat(f.server.chatRequests()).as("the second answer is the cached one").isEqualTo(1);
    assertThat(live.events).first().asString().startsWith("thinking:");
    assertThat(live.events).anyMatch(e -> e.startsWith("text:"));
    assertThat(replayed.events).containsExactlyElementsOf(live.events);
    assertThat(again.aiMessage().text()).isEqualTo(original.aiMessage().text());
    assertThat(again.aiMessage().thinking())
        .isEqualTo(original.aiMessage().thinking())
        .isEqualTo("The user asks: why is the sky blue?. Answer plainly.");
    assertThat(again.finishReason()).isEqualTo(FinishReason.STOP);
    assertThat(again.tokenUsage()).isEqualTo(original.tokenUsage()).isNotNull();
  }

  @Test
  void aBlockingAnswerReplayedAsAStreamShowsItsReasoningFirst() throws Exception {
    OptimizedChatModel blocking =
        f.ai.wrap(
            OpenAiChatModel.builder()
                .baseUrl(f.server.baseUrl())
                .apiKey("test-key")
                .modelName("gpt-reasoner")
                .temperature(0.0)
                .maxRetries(0)
                .returnThinking(true)
                .timeout(Duration.ofSeconds(10))
                .build());
    ChatResponse original = blocking.chat(ask("why is grass green?"));
    EventLog replayed = new EventLog();
    streaming().chat(ask("why is grass green?"), replayed);
    ChatResponse again = replayed.await();

    assertThat(f.server.chatRequests()).isEqualTo(1);
    assertThat(replayed.events)
        .containsExactly(
            "thinking:" + original.aiMessage().thinking(), "text:" + original.aiMessage().text());
    assertThat(again.aiMessage().thinking()).isEqualTo(original.aiMessage().thinking());
    assertThat(again.tokenUsage()).isEqualTo(original.tokenUsage());
  }

  @Test
  void aStreamWithReasoningAndAToolCallIsNeverReplayedWithoutThem() throws Exception {
    StreamingChatModel chat = streaming();
    ChatRequest q =
        ChatRequest.builder()
            .messages(UserMessage.from("look it up " + LocalOpenAiServer.CALL_TOOL))
            .toolSpecifications(ToolSpecification.builder().name("lookup").build())
            .build();
    EventLog first = new EventLog();
    chat.chat(q, first);
    ChatResponse r1 = first.await();
    EventLog second = new EventLog();
    chat.chat(q, second);
    ChatResponse r2 = second.await();

    // A tool call belongs to one turn of one conversation: asked again, the model is asked again.
    assertThat(f.server.chatRequests()).isEqualTo(2);
    assertThat(first.events).anyMatch(e -> e.startsWith("thinking:"));
    assertThat(first.events).contains("tool:lookup:{}");
    assertThat(second.events).containsExactlyElementsOf(first.events);
    assertThat(r2.aiMessage().toolExecutionRequests())
        .isEqualTo(r1.aiMessage().toolExecutionRequests());
    assertThat(r2.finishReason()).isEqualTo(FinishReason.TOOL_EXECUTION);
  }
}
