package dev.optimizer.ai.chat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.listener.ChatModelRequestContext;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.optimizer.ai.testserver.LocalOpenAiServer;
import dev.optimizer.ai.testserver.OpenAiClients;
import dev.optimizer.ai.testserver.RecordingHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CoalescingTest {
  private final ChatFixture f = new ChatFixture();
  private final ExecutorService pool = Executors.newFixedThreadPool(8);

  @AfterEach
  void close() {
    pool.shutdownNow();
    f.close();
  }

  /**
   * Holds the upstream call in its listener until {@code joiners} callers have joined it (each
   * joiner fires the model's listeners with served_by=coalesced), so the test needs no sleep.
   */
  private static final class HoldUntilJoined implements ChatModelListener {
    final CountDownLatch joined;

    HoldUntilJoined(int joiners) {
      joined = new CountDownLatch(joiners);
    }

    @Override
    public void onRequest(ChatModelRequestContext c) {
      if ("coalesced".equals(c.attributes().get("optimizer.ai.served_by"))) {
        joined.countDown();
        return;
      }
      try {
        joined.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Test
  void identicalConcurrentRequestsShareOneUpstreamCall() throws Exception {
    int callers = 6;
    HoldUntilJoined hold = new HoldUntilJoined(callers - 1);
    OptimizedChatModel chat = f.ai.wrap(OpenAiClients.chat(f.server, "gpt-test", hold));
    List<Future<ChatResponse>> results = new ArrayList<>();
    for (int i = 0; i < callers; i++) {
      results.add(
          pool.submit(
              () ->
                  chat.chat(
                      ChatRequest.builder().messages(UserMessage.from("hot question")).build())));
    }
    List<ChatResponse> answers = new ArrayList<>();
    for (Future<ChatResponse> r : results) {
      answers.add(r.get(10, TimeUnit.SECONDS));
    }
    assertThat(f.server.chatRequests()).isEqualTo(1);
    assertThat(answers)
        .extracting(r -> r.aiMessage().text())
        .containsOnly(f.server.answerFor("gpt-test", "hot question"));
    java.util.Set<ChatResponse> copies =
        java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    copies.addAll(answers);
    assertThat(copies).as("each caller its own copy").hasSize(callers);
    assertThat(f.sum("optimizer.ai.coalesced")).isEqualTo(callers - 1);
  }

  @Test
  void aCallerThatIsInterruptedDoesNotCancelTheOthers() throws Exception {
    HoldUntilJoined hold = new HoldUntilJoined(2);
    OptimizedChatModel chat = f.ai.wrap(OpenAiClients.chat(f.server, "gpt-test", hold));
    ChatRequest q = ChatRequest.builder().messages(UserMessage.from("shared")).build();
    Future<ChatResponse> leader = pool.submit(() -> chat.chat(q));
    AtomicReference<Thread> quitter = new AtomicReference<>();
    CountDownLatch quitterStarted = new CountDownLatch(1);
    Future<ChatResponse> quitting =
        pool.submit(
            () -> {
              quitter.set(Thread.currentThread());
              quitterStarted.countDown();
              return chat.chat(q);
            });
    quitterStarted.await();
    Future<ChatResponse> stayer = pool.submit(() -> chat.chat(q));
    // The upstream call is held until both have joined; then interrupt one of them.
    assertThat(hold.joined.await(10, TimeUnit.SECONDS)).isTrue();
    quitter.get().interrupt();
    assertThat(leader.get(10, TimeUnit.SECONDS).aiMessage().text())
        .isEqualTo(f.server.answerFor("gpt-test", "shared"));
    assertThat(stayer.get(10, TimeUnit.SECONDS).aiMessage().text())
        .isEqualTo(f.server.answerFor("gpt-test", "shared"));
    assertThat(f.server.chatRequests()).isEqualTo(1);
    try {
      quitting.get(10, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      assertThat(e.getCause()).hasRootCauseInstanceOf(InterruptedException.class);
    }
  }

  @Test
  void streamsFanOutAndLateJoinersGetTheTokensSoFar() throws Exception {
    StreamingChatModel chat = f.ai.wrap(OpenAiClients.streaming(f.server, "gpt-test"));
    String prompt = "tell me a long story";
    String expected = f.server.answerFor("gpt-test", prompt);
    f.server.holdStreams();
    RecordingHandler first = new RecordingHandler();
    chat.chat(prompt, first);
    first.firstPartial.get(10, TimeUnit.SECONDS);

    RecordingHandler late = new RecordingHandler();
    chat.chat(prompt, late);
    assertThat(late.partials).as("replayed at once").containsExactlyElementsOf(first.partials);
    assertThat(late.done).isNotDone();

    f.server.releaseStreams();
    assertThat(first.done.get(10, TimeUnit.SECONDS).aiMessage().text()).isEqualTo(expected);
    assertThat(late.done.get(10, TimeUnit.SECONDS).aiMessage().text()).isEqualTo(expected);
    assertThat(String.join("", late.partials)).isEqualTo(expected);
    assertThat(String.join("", first.partials)).isEqualTo(expected);
    assertThat(f.server.chatRequests()).isEqualTo(1);

    RecordingHandler replay = new RecordingHandler();
    chat.chat(prompt, replay);
    assertThat(replay.done.get(10, TimeUnit.SECONDS).aiMessage().text()).isEqualTo(expected);
    assertThat(replay.partials)
        .as("a hit replays the stream")
        .containsExactlyElementsOf(first.partials);
    assertThat(f.server.chatRequests()).isEqualTo(1);
  }

  @Test
  void aSubscriberThatCancelsDetachesOnlyItself() throws Exception {
    StreamingChatModel chat = f.ai.wrap(OpenAiClients.streaming(f.server, "gpt-test"));
    f.server.holdStreams();
    RecordingHandler stays = new RecordingHandler();
    chat.chat("cancel test prompt", stays);
    stays.firstPartial.get(10, TimeUnit.SECONDS);
    CancellingHandler leaves = new CancellingHandler();
    chat.chat("cancel test prompt", leaves);
    f.server.releaseStreams();
    assertThat(stays.done.get(10, TimeUnit.SECONDS).aiMessage().text())
        .isEqualTo(f.server.answerFor("gpt-test", "cancel test prompt"));
    assertThat(leaves.partials).hasSize(1);
    assertThat(leaves.completed).isFalse();
  }

  @Test
  void anAbortedStreamFailsEverySubscriberAndIsNotCached() throws Exception {
    StreamingChatModel chat = f.ai.wrap(OpenAiClients.streaming(f.server, "gpt-test"));
    f.server.enqueue(LocalOpenAiServer.Fault.cutStream());
    RecordingHandler cut = new RecordingHandler();
    chat.chat("fragile", cut);
    assertThat(cut.error.get(10, TimeUnit.SECONDS)).isNotNull();
    RecordingHandler again = new RecordingHandler();
    chat.chat("fragile", again);
    assertThat(again.done.get(10, TimeUnit.SECONDS).aiMessage().text())
        .isEqualTo(f.server.answerFor("gpt-test", "fragile"));
    assertThat(f.server.chatRequests()).isEqualTo(2);
  }

  @Test
  void aBlockingAnswerIsReplayedToAStreamingCaller() throws Exception {
    f.ai.wrap(OpenAiClients.chat(f.server, "gpt-test")).chat("shared cache");
    StreamingChatModel stream = f.ai.wrap(OpenAiClients.streaming(f.server, "gpt-test"));
    RecordingHandler h = new RecordingHandler();
    stream.chat("shared cache", h);
    assertThat(h.done.get(10, TimeUnit.SECONDS).aiMessage().text())
        .isEqualTo(f.server.answerFor("gpt-test", "shared cache"));
    assertThat(f.server.chatRequests()).isEqualTo(1);
  }

  private static final class CancellingHandler
      implements dev.langchain4j.model.chat.response.StreamingChatResponseHandler {
    final List<String> partials = new java.util.concurrent.CopyOnWriteArrayList<>();
    volatile boolean completed;

    @Override
    public void onPartialResponse(
        dev.langchain4j.model.chat.response.PartialResponse p,
        dev.langchain4j.model.chat.response.PartialResponseContext c) {
      partials.add(p.text());
      c.streamingHandle().cancel();
    }

    @Override
    public void onCompleteResponse(ChatResponse r) {
      completed = true;
    }

    @Override
    public void onError(Throwable e) {}
  }
}
