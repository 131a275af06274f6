package dev.optimizer.ai.chat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.optimizer.ai.testserver.OpenAiClients;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** With every feature off, the decorator is a pass-through: same answers, same listener calls. */
class PassThroughTest {
  private final ChatFixture f =
      new ChatFixture(b -> b.cache(false).coalescing(false).maxAttempts(1));

  @AfterEach
  void close() {
    f.close();
  }

  @Test
  void answersAndListenerCallsAreThoseOfTheModelItself() throws Exception {
    ChatFixture.Recorder rawEvents = new ChatFixture.Recorder();
    ChatFixture.Recorder wrappedEvents = new ChatFixture.Recorder();
    ChatModel raw = OpenAiClients.chat(f.server, "gpt-test", rawEvents);
    ChatModel wrapped = f.ai.wrap(OpenAiClients.chat(f.server, "gpt-test", wrappedEvents));
    ChatRequest r =
        ChatRequest.builder().messages(UserMessage.from("pass me through")).topP(0.9).build();
    ChatResponse expected = raw.chat(r);
    ChatResponse actual = wrapped.chat(r);
    assertThat(actual.aiMessage()).isEqualTo(expected.aiMessage());
    assertThat(actual.tokenUsage()).isEqualTo(expected.tokenUsage());
    assertThat(actual.finishReason()).isEqualTo(expected.finishReason());
    assertThat(wrappedEvents.events).isEqualTo(rawEvents.events);
    assertThat(f.server.takeRequest().body()).isEqualTo(f.server.takeRequest().body());
    assertThat(wrapped.defaultRequestParameters()).isEqualTo(raw.defaultRequestParameters());
    assertThat(wrapped.provider()).isEqualTo(raw.provider());
  }
}
