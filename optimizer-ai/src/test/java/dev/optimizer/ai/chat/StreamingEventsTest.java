package dev.optimizer.ai.chat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.InternalServerException;
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
import dev.langchain4j.model.chat.response.StreamingHandle;
import dev.langchain4j.model.output.FinishReason;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What a wrapped stream passes on besides text, and what cancelling it reaches: reasoning and tool
 * calls arrive as the model sent them, and when every subscriber has cancelled, so has the model.
 */
class StreamingEventsTest {
  private ChatFixture f = new ChatFixture();

  @AfterEach
  void close() {
    f.close();
  }

  private static ChatRequest ask(String text) {
    return ChatRequest.builder().messages(UserMessage.from(text)).temperature(0.0).build();
  }

  /** A model that streams on the caller's thread: reasoning, a tool call, then text tokens. */
  private static final class ScriptedModel implements StreamingChatModel {
    final AtomicInteger calls = new AtomicInteger();
    final AtomicInteger tokensSent = new AtomicInteger();
    final List<Handle> handles = new CopyOnWriteArrayList<>();
    final int tokens;
    final boolean withToolCall;

    ScriptedModel(int tokens, boolean withToolCall) {
      this.tokens = tokens;
      this.withToolCall = withToolCall;
    }

    @Override
    public void doChat(ChatRequest request, StreamingChatResponseHandler h) {
      calls.incrementAndGet();
      Handle handle = new Handle();
      handles.add(handle);
      h.onPartialThinking(new PartialThinking("let me think"), new PartialThinkingContext(handle));
      if (withToolCall) {
        h.onPartialToolCall(
            PartialToolCall.builder()
                .index(0)
                .id("c1")
                .name("lookup")
                .partialArguments("{\"q\":")
                .build(),
            new PartialToolCallContext(handle));
        h.onCompleteToolCall(
            new CompleteToolCall(
                0,
                ToolExecutionRequest.builder()
                    .id("c1")
                    .name("lookup")
                    .arguments("{\"q\":1}")
                    .build()));
      }
      StringBuilder text = new StringBuilder();
      for (int i = 0; i < tokens; i++) {
        if (handle.isCancelled()) {
          return; // a model that honours cancellation stops and never completes
        }
        tokensSent.incrementAndGet();
        text.append("t").append(i);
        h.onPartialResponse(new PartialResponse("t" + i), new PartialResponseContext(handle));
      }
      h.onCompleteResponse(
          ChatResponse.builder()
              .aiMessage(AiMessage.from(text.toString()))
              .finishReason(FinishReason.STOP)
              .build());
    }
  }

  /**
   * A model that streams through the legacy {@code onPartialResponse(String)}, so it gives the
   * decorator no handle to cancel it by, and sends every token whatever its caller does.
   */
  private static final class LegacyModel implements StreamingChatModel {
    final AtomicInteger calls = new AtomicInteger();
    final int tokens;

    LegacyModel(int tokens) {
      this.tokens = tokens;
    }

    @Override
    public void doChat(ChatRequest request, StreamingChatResponseHandler h) {
      calls.incrementAndGet();
      StringBuilder text = new StringBuilder();
      for (int i = 0; i < tokens; i++) {
        text.append("t").append(i);
        h.onPartialResponse("t" + i);
      }
      h.onCompleteResponse(
          ChatResponse.builder()
              .aiMessage(AiMessage.from(text.toString()))
              .finishReason(FinishReason.STOP)
              .build());
    }
  }

  /** A model whose partials do not make up its final text. */
  private static final class SummarizingModel implements StreamingChatModel {
    final AtomicInteger calls = new AtomicInteger();

    @Override
    public void doChat(ChatRequest request, StreamingChatResponseHandler h) {
      calls.incrementAndGet();
      h.onPartialResponse("t0");
      h.onCompleteResponse(
          ChatResponse.builder()
              .aiMessage(AiMessage.from("something else"))
              .finishReason(FinishReason.STOP)
              .build());
    }
  }

  /**
   * A model that fails its first {@code failures} calls with a server error, then streams until
   * cancelled; with {@code errorOnCancel}, its stream then reports the cancel as an error, as a
   * client whose connection was closed under its reader does.
   */
  private static final class BreakerModel implements StreamingChatModel {
    final AtomicInteger calls = new AtomicInteger();
    final AtomicInteger failuresLeft;
    final boolean errorOnCancel;

    BreakerModel(int failures, boolean errorOnCancel) {
      this.failuresLeft = new AtomicInteger(failures);
      this.errorOnCancel = errorOnCancel;
    }

    @Override
    public void doChat(ChatRequest request, StreamingChatResponseHandler h) {
      calls.incrementAndGet();
      if (failuresLeft.getAndDecrement() > 0) {
        h.onError(new InternalServerException("upstream is down"));
        return;
      }
      Handle handle = new Handle();
      StringBuilder text = new StringBuilder();
      for (int i = 0; i < 3; i++) {
        if (handle.isCancelled()) {
          if (errorOnCancel) {
            h.onError(new InternalServerException("stream closed"));
          }
          return;
        }
        text.append("t").append(i);
        h.onPartialResponse(new PartialResponse("t" + i), new PartialResponseContext(handle));
      }
      h.onCompleteResponse(
          ChatResponse.builder()
              .aiMessage(AiMessage.from(text.toString()))
              .finishReason(FinishReason.STOP)
              .build());
    }
  }

  /**
   * A model that answers nothing by itself: it keeps each call's handler and handle for the test to
   * drive, optionally after sending one token.
   */
  private static final class HeldModel implements StreamingChatModel {
    final List<StreamingChatResponseHandler> handlers = new CopyOnWriteArrayList<>();
    final List<Handle> handles = new CopyOnWriteArrayList<>();
    final boolean firstToken;

    HeldModel(boolean firstToken) {
      this.firstToken = firstToken;
    }

    @Override
    public void doChat(ChatRequest request, StreamingChatResponseHandler h) {
      Handle handle = new Handle();
      handles.add(handle);
      handlers.add(h);
      if (firstToken) {
        h.onPartialResponse(new PartialResponse("t0"), new PartialResponseContext(handle));
      }
    }
  }

  /**
   * A model whose first call stays silent past the first-token timeout. The second call (the retry)
   * first lets the first one's late token arrive, as a slow provider's would, then sends one token
   * of its own and leaves its stream open, as a model does between tokens.
   */
  private static final class LateFirstAttempt implements StreamingChatModel {
    final List<Handle> handles = new CopyOnWriteArrayList<>();
    final List<StreamingChatResponseHandler> handlers = new CopyOnWriteArrayList<>();
    final CompletableFuture<Void> retried = new CompletableFuture<>();

    @Override
    public void doChat(ChatRequest request, StreamingChatResponseHandler h) {
      Handle handle = new Handle();
      handles.add(handle);
      handlers.add(h);
      if (handles.size() == 1) {
        return; // nothing before the timeout fires
      }
      handlers
          .get(0)
          .onPartialResponse(
              new PartialResponse("late"), new PartialResponseContext(handles.get(0)));
      h.onPartialResponse(new PartialResponse("t0"), new PartialResponseContext(handle));
      retried.complete(null);
    }
  }

  private static final class Handle implements StreamingHandle {
    volatile boolean cancelled;

    @Override
    public void cancel() {
      cancelled = true;
    }

    @Override
    public boolean isCancelled() {
      return cancelled;
    }
  }

  /** Records every event; cancels its own stream on the first text token when asked to. */
  private static final class Recording implements StreamingChatResponseHandler {
    final List<String> events = new CopyOnWriteArrayList<>();
    final boolean cancelOnFirstToken;

    Recording(boolean cancelOnFirstToken) {
      this.cancelOnFirstToken = cancelOnFirstToken;
    }

    @Override
    public void onPartialResponse(PartialResponse p, PartialResponseContext c) {
      events.add("text:" + p.text());
      if (cancelOnFirstToken) {
        c.streamingHandle().cancel();
      }
    }

    @Override
    public void onPartialThinking(PartialThinking t, PartialThinkingContext c) {
      events.add("thinking:" + t.text());
    }

    @Override
    public void onPartialToolCall(PartialToolCall t, PartialToolCallContext c) {
      events.add("toolCall:" + t.name() + ":" + t.partialArguments());
    }

    @Override
    public void onCompleteToolCall(CompleteToolCall t) {
      events.add("completeToolCall:" + t.toolExecutionRequest().arguments());
    }

    @Override
    public void onCompleteResponse(ChatResponse r) {
      events.add("complete");
    }

    @Override
    public void onError(Throwable e) {
      events.add("error:" + e);
    }
  }

  @Test
  void reasoningAndToolCallsReachTheApplication() {
    ScriptedModel model = new ScriptedModel(2, true);
    Recording h = new Recording(false);

    f.ai.wrap(model).chat(ask("what is 1?"), h);

    assertThat(h.events)
        .containsExactly(
            "thinking:let me think",
            "toolCall:lookup:{\"q\":",
            "completeToolCall:{\"q\":1}",
            "text:t0",
            "text:t1",
            "complete");
    assertThat(model.calls).hasValue(1);
  }

  @Test
  void whenTheOnlySubscriberCancelsTheModelIsCancelledToo() {
    ScriptedModel model = new ScriptedModel(100, false);
    StreamingChatModel chat = f.ai.wrap(model);
    Recording h = new Recording(true);

    chat.chat(ask("a long answer"), h);

    assertThat(model.handles).hasSize(1);
    assertThat(model.handles.get(0).isCancelled()).isTrue();
    assertThat(model.tokensSent).hasValue(1);
    assertThat(h.events).containsExactly("thinking:let me think", "text:t0");

    // The abandoned flight is gone: the same request again starts a stream of its own.
    Recording again = new Recording(false);
    chat.chat(ask("a long answer"), again);
    assertThat(model.calls).hasValue(2);
    assertThat(again.events).endsWith("text:t99", "complete");
  }

  @Test
  void aStreamAbandonedByItsSubscriberIsNotCachedEvenWhenTheModelFinishesIt() {
    LegacyModel model = new LegacyModel(100);
    StreamingChatModel chat = f.ai.wrap(model);
    Recording h = new Recording(true);

    chat.chat(ask("a long answer"), h);
    assertThat(h.events).containsExactly("text:t0");

    // The model could not be cancelled and completed the whole text, but the flight kept only the
    // token its subscriber saw: a replay of it would be cut.
    Recording again = new Recording(false);
    chat.chat(ask("a long answer"), again);
    assertThat(model.calls).hasValue(2);
    assertThat(again.events).hasSize(101).endsWith("text:t99", "complete");
  }

  @Test
  void aStreamWhosePartialsDoNotMakeUpItsTextIsNotCached() {
    SummarizingModel model = new SummarizingModel();
    StreamingChatModel chat = f.ai.wrap(model);

    chat.chat(ask("q"), new Recording(false));
    chat.chat(ask("q"), new Recording(false));

    assertThat(model.calls).hasValue(2);
  }

  @Test
  void streamsCancelledWhileTheBreakerProbesHandBackTheirPermits() {
    f.close();
    f = new ChatFixture(b -> b.maxAttempts(1).breaker(50, 2, Duration.ofSeconds(30)));
    BreakerModel model = new BreakerModel(2, false);
    StreamingChatModel chat = f.ai.wrap(model);
    chat.chat(ask("one"), new Recording(false));
    chat.chat(ask("two"), new Recording(false));
    Recording refused = new Recording(false);
    chat.chat(ask("three"), refused);
    assertThat(model.calls).as("breaker open").hasValue(2);
    assertThat(refused.events).singleElement().asString().startsWith("error:");

    // HALF_OPEN lets two probes through; both are streams whose callers leave at the first token,
    // and the model, honouring the cancel, never reports an outcome.
    f.time.advance(Duration.ofSeconds(31));
    chat.chat(ask("four"), new Recording(true));
    chat.chat(ask("five"), new Recording(true));
    Recording third = new Recording(false);
    chat.chat(ask("six"), third);

    assertThat(model.calls).as("the breaker still lets probes through").hasValue(5);
    assertThat(third.events).endsWith("complete");
  }

  @Test
  void aCallerCancellingIsNotCountedAsTheModelFailing() {
    f.close();
    f = new ChatFixture(b -> b.maxAttempts(1).breaker(50, 2, Duration.ofSeconds(30)));
    BreakerModel model = new BreakerModel(0, true);
    StreamingChatModel chat = f.ai.wrap(model);

    chat.chat(ask("one"), new Recording(true));
    chat.chat(ask("two"), new Recording(true));
    Recording third = new Recording(false);
    chat.chat(ask("three"), third);

    assertThat(model.calls).hasValue(3);
    assertThat(third.events).endsWith("complete");
  }

  @Test
  void closingFailsAStreamThatIsNotCoalesced() {
    HeldModel model = new HeldModel(false);
    Recording h = new Recording(false);
    f.ai
        .wrap(model)
        .chat(ChatRequest.builder().messages(UserMessage.from("hi")).temperature(0.7).build(), h);

    f.ai.close();

    assertThat(h.events).singleElement().asString().contains("closed");
  }

  @Test
  void closingCancelsTheModelsStreamsAndALateErrorStaysInside() {
    HeldModel model = new HeldModel(true);
    StreamingChatModel chat = f.ai.wrap(model);
    Recording coalesced = new Recording(false);
    Recording solo = new Recording(false);
    chat.chat(ask("cached kind"), coalesced);
    chat.chat(
        ChatRequest.builder().messages(UserMessage.from("hi")).temperature(0.7).build(), solo);

    f.ai.close();

    assertThat(model.handles).hasSize(2).allMatch(Handle::isCancelled);
    assertThat(coalesced.events).hasSize(2).last().asString().contains("closed");
    assertThat(solo.events).hasSize(2).last().asString().contains("closed");
    // A retryable error after close reaches nobody twice and does not throw into the client.
    model.handlers.get(1).onError(new InternalServerException("late"));
    assertThat(solo.events).hasSize(2);
  }

  @Test
  void aRetryRefusedByAClosedOptimizerFailsTheStream() {
    HeldModel model = new HeldModel(false);
    Recording h = new Recording(false);
    f.ai
        .wrap(model)
        .chat(ChatRequest.builder().messages(UserMessage.from("hi")).temperature(0.7).build(), h);
    f.ai.close();
    h.events.clear();

    // The stream was failed by close(); an error arriving now must not throw into the client.
    model.handlers.get(0).onError(new InternalServerException("late"));

    assertThat(h.events).isEmpty();
  }

  @Test
  void aReplayedAnswerCancelledOnItsLastTokenIsNotCompleted() {
    ScriptedModel model = new ScriptedModel(1, false);
    StreamingChatModel chat = f.ai.wrap(model);
    chat.chat(ask("short"), new Recording(false));

    Recording h = new Recording(true);
    chat.chat(ask("short"), h);

    assertThat(model.calls).hasValue(1); // served from the cache
    // The reasoning is replayed as the model streamed it; no completion after the cancel.
    assertThat(h.events).containsExactly("thinking:let me think", "text:t0");
  }

  @Test
  void cancellingReachesTheRetryEvenWhenTheTimedOutAttemptSpokeLate() throws Exception {
    f.close();
    // Long enough that the retry, which speaks at once, never times out as well.
    f = new ChatFixture(b -> b.callTimeout(Duration.ofMillis(200)));
    LateFirstAttempt model = new LateFirstAttempt();
    Recording h = new Recording(true);

    f.ai.wrap(model).chat(ask("slow at first"), h);

    // The first attempt times out and is retried. The caller sees the retry's token, not the dead
    // attempt's late one, and cancelling on it reaches the retry's stream at once, not only at an
    // event the retry may never send.
    model.retried.get(10, TimeUnit.SECONDS);
    assertThat(model.handles).hasSize(2);
    assertThat(h.events).containsExactly("text:t0");
    assertThat(model.handles.get(1).isCancelled()).as("the retry's stream").isTrue();
    assertThat(model.handles.get(0).isCancelled()).as("the timed-out attempt's stream").isTrue();
    assertThat(f.sleeps).hasSize(1);
  }
}
