package dev.optimizer.ai.chat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.listener.ChatModelRequestContext;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.optimizer.ai.testserver.LocalOpenAiServer.Fault;
import dev.optimizer.ai.testserver.OpenAiClients;
import dev.optimizer.ai.testserver.RecordingHandler;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextKey;
import io.opentelemetry.context.Scope;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The wrapped model runs in the caller's OpenTelemetry context, as it would unwrapped, although the
 * decorator calls it on threads of its own (to time it out, and to share one call among identical
 * requests): its spans, and its listeners' spans, stay in the caller's trace.
 */
class ContextPropagationTest {
  private static final ContextKey<String> CALLER = ContextKey.named("caller");

  private final ChatFixture f = new ChatFixture();

  @AfterEach
  void close() {
    f.close();
  }

  /** Records the caller the model's listeners see in the current context. */
  private static final class ContextRecorder implements ChatModelListener {
    final List<String> seen = new CopyOnWriteArrayList<>();

    @Override
    public void onRequest(ChatModelRequestContext c) {
      seen.add(String.valueOf(Context.current().get(CALLER)));
    }
  }

  private static ChatRequest ask(String text, double temperature) {
    return ChatRequest.builder().messages(UserMessage.from(text)).temperature(temperature).build();
  }

  @Test
  void theModelIsCalledInTheCallersContextWhetherTheRequestIsCachedOrNot() {
    ContextRecorder listener = new ContextRecorder();
    ChatModel chat = f.ai.wrap(OpenAiClients.chat(f.server, "gpt-test", listener));

    try (Scope ignored = Context.current().with(CALLER, "request-1").makeCurrent()) {
      chat.chat(ask("cacheable, so coalesced", 0.0));
    }
    try (Scope ignored = Context.current().with(CALLER, "request-2").makeCurrent()) {
      chat.chat(ask("too random to cache", 1.5));
    }

    assertThat(f.server.chatRequests()).isEqualTo(2);
    assertThat(listener.seen).containsExactly("request-1", "request-2");
  }

  @Test
  void aStreamRetriedOnTheDecoratorsThreadsKeepsTheCallersContext() throws Exception {
    ContextRecorder listener = new ContextRecorder();
    StreamingChatModel chat = f.ai.wrap(OpenAiClients.streaming(f.server, "gpt-test", listener));
    f.server.enqueue(Fault.status(503));

    RecordingHandler handler = new RecordingHandler();
    try (Scope ignored = Context.current().with(CALLER, "request-1").makeCurrent()) {
      chat.chat(ask("a stream whose first attempt fails", 0.0), handler);
    }
    handler.await(10);

    assertThat(f.server.chatRequests()).as("the failed attempt, then its retry").isEqualTo(2);
    assertThat(listener.seen).containsExactly("request-1", "request-1");
  }
}
