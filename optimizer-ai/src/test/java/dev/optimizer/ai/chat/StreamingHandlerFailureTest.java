package dev.optimizer.ai.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.optimizer.ai.testserver.OpenAiClients;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A streaming handler that throws is treated as LangChain4j's own clients treat it: the exception
 * goes to the handler's {@code onError}, and never to the thread that delivered the event. Checked
 * against the real OpenAI client unwrapped, then wrapped on a miss (a live stream) and on a hit (a
 * cached answer replayed on the caller's thread).
 */
class StreamingHandlerFailureTest {
  private final ChatFixture f = new ChatFixture();

  @AfterEach
  void close() {
    f.close();
  }

  private static ChatRequest ask(String text) {
    return ChatRequest.builder().messages(UserMessage.from(text)).build();
  }

  /**
   * A handler whose work on the complete answer fails (parsing it, say) and that reports its errors
   * through a future, as adapters to futures and reactive streams do.
   */
  private static final class FailsOnComplete implements StreamingChatResponseHandler {
    final IllegalStateException thrown = new IllegalStateException("cannot parse the answer");
    final CompletableFuture<Throwable> error = new CompletableFuture<>();

    @Override
    public void onPartialResponse(PartialResponse p, PartialResponseContext c) {}

    @Override
    public void onCompleteResponse(ChatResponse r) {
      throw thrown;
    }

    @Override
    public void onError(Throwable e) {
      error.complete(e);
    }
  }

  /** A handler that throws on its first partial and records what it is given. */
  private static final class FailsOnFirstPartial implements StreamingChatResponseHandler {
    final List<String> events = new CopyOnWriteArrayList<>();
    final CompletableFuture<ChatResponse> done = new CompletableFuture<>();

    @Override
    public void onPartialResponse(PartialResponse p, PartialResponseContext c) {
      if (events.isEmpty()) {
        events.add("threw");
        throw new IllegalStateException("first partial refused");
      }
    }

    @Override
    public void onCompleteResponse(ChatResponse r) {
      events.add("complete");
      done.complete(r);
    }

    @Override
    public void onError(Throwable e) {
      events.add("error:" + e.getMessage());
    }
  }

  @Test
  void aHandlerThatThrowsOnCompletionGetsItsOwnErrorOnAMissAndOnAHit() throws Exception {
    FailsOnComplete unwrapped = new FailsOnComplete();
    OpenAiClients.streaming(f.server, "gpt-test").chat(ask("parse me"), unwrapped);
    assertThat(unwrapped.error.get(10, TimeUnit.SECONDS))
        .as("LangChain4j's own client")
        .isSameAs(unwrapped.thrown);

    StreamingChatModel chat = f.ai.wrap(OpenAiClients.streaming(f.server, "gpt-test"));
    FailsOnComplete miss = new FailsOnComplete();
    chat.chat(ask("parse me"), miss);
    assertThat(miss.error.get(10, TimeUnit.SECONDS)).as("a live stream").isSameAs(miss.thrown);

    FailsOnComplete hit = new FailsOnComplete();
    assertThatCode(() -> chat.chat(ask("parse me"), hit))
        .as("a replay runs on the caller's thread; the handler's failure is not the call's")
        .doesNotThrowAnyException();
    assertThat(hit.error.get(10, TimeUnit.SECONDS)).as("a replayed answer").isSameAs(hit.thrown);
    assertThat(f.server.chatRequests()).as("unwrapped, then the miss").isEqualTo(2);
  }

  @Test
  void aHandlerThatThrowsOnAPartialSeesWhatTheUnwrappedModelShowsIt() throws Exception {
    FailsOnFirstPartial unwrapped = new FailsOnFirstPartial();
    OpenAiClients.streaming(f.server, "gpt-test").chat(ask("stream me"), unwrapped);
    unwrapped.done.get(10, TimeUnit.SECONDS);
    assertThat(unwrapped.events)
        .as("LangChain4j's own client")
        .containsExactly("threw", "error:first partial refused", "complete");

    StreamingChatModel chat = f.ai.wrap(OpenAiClients.streaming(f.server, "gpt-test"));
    FailsOnFirstPartial miss = new FailsOnFirstPartial();
    chat.chat(ask("stream me"), miss);
    miss.done.get(10, TimeUnit.SECONDS);
    assertThat(miss.events).as("a live stream").isEqualTo(unwrapped.events);

    FailsOnFirstPartial hit = new FailsOnFirstPartial();
    assertThatCode(() -> chat.chat(ask("stream me"), hit)).doesNotThrowAnyException();
    hit.done.get(10, TimeUnit.SECONDS);
    assertThat(hit.events).as("a replayed answer").isEqualTo(unwrapped.events);
    assertThat(f.server.chatRequests()).isEqualTo(2);
  }
}
