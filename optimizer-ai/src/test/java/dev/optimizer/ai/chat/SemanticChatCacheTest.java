package dev.optimizer.ai.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.optimizer.ai.AiOptimizer;
import dev.optimizer.ai.AiScope;
import dev.optimizer.ai.inference.MiniLm;
import dev.optimizer.ai.semantic.SemanticCache;
import dev.optimizer.ai.testserver.OpenAiClients;
import io.opentelemetry.api.common.AttributeKey;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The semantic tier behind the exact one, through LangChain4j's real OpenAI client. */
class SemanticChatCacheTest {
  private static final String QUESTION = "What is the best way to learn Java?";
  private static final String PARAPHRASE = "What's the best way to learn Java?";

  private ChatFixture f;

  private ChatFixture fixture(Consumer<dev.optimizer.ai.AiOptimizerBuilder> more) {
    f =
        new ChatFixture(
            b -> {
              b.semanticCache(SemanticCache.builder(MiniLm.langchain4j()));
              more.accept(b);
            });
    return f;
  }

  @AfterEach
  void close() {
    if (f != null) {
      f.close();
    }
  }

  private static ChatRequest ask(String system, String text) {
    return system == null
        ? ChatRequest.builder().messages(UserMessage.from(text)).build()
        : ChatRequest.builder()
            .messages(SystemMessage.from(system), UserMessage.from(text))
            .build();
  }

  private long semanticHits() {
    return f.sum(
        "optimizer.ai.cache.hits",
        a -> "semantic".equals(a.get(AttributeKey.stringKey("optimizer.ai.cache.tier"))));
  }

  @Test
  void aParaphraseIsServedTheAnswerOfTheOriginalQuestion() {
    ChatFixture.Recorder listener = new ChatFixture.Recorder();
    OptimizedChatModel chat =
        fixture(b -> {}).ai.wrap(OpenAiClients.chat(f.server, "gpt-test", listener));

    ChatResponse first = chat.chat(ask("Be brief.", QUESTION));
    ChatResponse second = chat.chat(ask("Be brief.", PARAPHRASE));

    assertThat(f.server.chatRequests()).isEqualTo(1);
    assertThat(second.aiMessage().text()).isEqualTo(first.aiMessage().text());
    assertThat(semanticHits()).isEqualTo(1);
    assertThat(listener.events)
        .containsExactly(
            "request:model", "response:model", "request:cache:semantic", "response:cache:semantic");
  }

  @Test
  void theSystemPromptParametersAndScopeBoundTheSearch() {
    OptimizedChatModel chat = fixture(b -> {}).ai.wrap(OpenAiClients.chat(f.server, "gpt-test"));
    chat.chat(ask("Be brief.", QUESTION));

    chat.chat(ask("Answer at length.", PARAPHRASE)); // another system prompt
    chat.chat(ChatRequest.builder().messages(UserMessage.from(PARAPHRASE)).topP(0.5).build());
    AiScope.run("tenant-b", () -> chat.chat(ask("Be brief.", PARAPHRASE)));

    assertThat(f.server.chatRequests()).isEqualTo(4);
    assertThat(semanticHits()).isZero();
  }

  @Test
  void anotherEndpointServingTheSameModelNameIsNotServedAParaphrasesAnswer() {
    OptimizedChatModel hosted = fixture(b -> {}).ai.wrap(OpenAiClients.chat(f.server, "gpt-test"));
    try (dev.optimizer.ai.testserver.LocalOpenAiServer fineTune =
        dev.optimizer.ai.testserver.LocalOpenAiServer.start()) {
      OptimizedChatModel local = f.ai.wrap(OpenAiClients.chat(fineTune, "gpt-test"));
      hosted.chat(ask("Be brief.", QUESTION));
      assertThat(local.chat(ask("Be brief.", PARAPHRASE)).aiMessage().text())
          .isEqualTo(fineTune.answerFor("gpt-test", PARAPHRASE));
      assertThat(fineTune.chatRequests()).isEqualTo(1);
      assertThat(semanticHits()).isZero();
    }
  }

  @Test
  void aModelOfTheSameEndpointBuiltWithOtherAnswerChangingSettingsIsNotServedAParaphrasesAnswer() {
    OptimizedChatModel plain = fixture(b -> {}).ai.wrap(OpenAiClients.chat(f.server, "gpt-test"));
    OptimizedChatModel thinking =
        f.ai.wrap(
            dev.langchain4j.model.openai.OpenAiChatModel.builder()
                .baseUrl(f.server.baseUrl())
                .apiKey("test-key")
                .modelName("gpt-test")
                .temperature(0.0)
                .maxRetries(0)
                .returnThinking(true)
                .build());
    plain.chat(ask("Be brief.", QUESTION));

    thinking.chat(ask("Be brief.", PARAPHRASE));

    assertThat(f.server.chatRequests()).isEqualTo(2);
    assertThat(semanticHits()).isZero();
  }

  @Test
  void conversationsTakePartOnlyWhenLastTurnMatchingIsOn() {
    ChatRequest history =
        ChatRequest.builder()
            .messages(
                UserMessage.from("I know Python."),
                AiMessage.from("Good."),
                UserMessage.from(QUESTION))
            .build();
    ChatRequest paraphrased =
        ChatRequest.builder()
            .messages(
                UserMessage.from("I know Python."),
                AiMessage.from("Good."),
                UserMessage.from(PARAPHRASE))
            .build();

    OptimizedChatModel singleTurn =
        fixture(b -> {}).ai.wrap(OpenAiClients.chat(f.server, "gpt-test"));
    singleTurn.chat(history);
    singleTurn.chat(paraphrased);
    assertThat(f.server.chatRequests()).isEqualTo(2);
    f.close();

    OptimizedChatModel lastTurn =
        fixture(b -> b.semanticLastTurn(true)).ai.wrap(OpenAiClients.chat(f.server, "gpt-test"));
    lastTurn.chat(history);
    lastTurn.chat(paraphrased);
    assertThat(f.server.chatRequests()).isEqualTo(1);
    assertThat(semanticHits()).isEqualTo(1);
  }

  @Test
  void theGuardRefusesAQuestionThatDiffersInANumber() {
    OptimizedChatModel chat = fixture(b -> {}).ai.wrap(OpenAiClients.chat(f.server, "gpt-test"));
    chat.chat(ask(null, "What was the population of India in 2011?"));
    ChatResponse other = chat.chat(ask(null, "What was the population of India in 2001?"));

    assertThat(f.server.chatRequests()).isEqualTo(2);
    assertThat(other.aiMessage().text()).contains("2001");
    assertThat(f.sum("optimizer.ai.cache.guard_rejections")).isEqualTo(1);
  }

  @Test
  void evictAndCorrectReachTheSemanticTier() {
    OptimizedChatModel chat = fixture(b -> {}).ai.wrap(OpenAiClients.chat(f.server, "gpt-test"));
    chat.chat(ask(null, QUESTION));
    assertThat(chat.evict(ask(null, QUESTION))).isTrue();
    chat.chat(ask(null, PARAPHRASE));
    assertThat(f.server.chatRequests()).as("the evicted entry is not served").isEqualTo(2);

    chat.correct(
        ask(null, PARAPHRASE),
        ChatResponse.builder().aiMessage(AiMessage.from("corrected")).build());
    assertThat(chat.chat(ask(null, QUESTION)).aiMessage().text()).isEqualTo("corrected");
    assertThat(f.server.chatRequests()).isEqualTo(2);
  }

  @Test
  void aWrongSemanticAnswerIsNotServedAgainForThatWording() {
    OptimizedChatModel chat = fixture(b -> {}).ai.wrap(OpenAiClients.chat(f.server, "gpt-test"));
    chat.chat(ask(null, QUESTION));
    chat.chat(ask(null, PARAPHRASE));
    assertThat(f.server.chatRequests()).isEqualTo(1);

    assertThat(chat.feedback(ask(null, PARAPHRASE), false)).isTrue();
    chat.chat(ask(null, PARAPHRASE));
    assertThat(f.server.chatRequests()).as("the paraphrase goes upstream").isEqualTo(2);
    chat.chat(ask(null, QUESTION));
    assertThat(f.server.chatRequests()).as("the original is still served").isEqualTo(2);
  }

  @Test
  void aWrongExactAnswerIsRemovedFromBothTiers() {
    OptimizedChatModel chat = fixture(b -> {}).ai.wrap(OpenAiClients.chat(f.server, "gpt-test"));
    chat.chat(ask(null, QUESTION));
    assertThat(chat.feedback(ask(null, QUESTION), true)).isTrue();
    chat.chat(ask(null, QUESTION));
    assertThat(f.server.chatRequests()).isEqualTo(1);

    assertThat(chat.feedback(ask(null, QUESTION), false)).isTrue();
    chat.chat(ask(null, QUESTION));
    assertThat(f.server.chatRequests()).isEqualTo(2);
    assertThat(chat.feedback(ask(null, "never asked"), false)).isFalse();
  }

  @Test
  void theDefaultModelIsLoadedFromTheClassPath() {
    f = new ChatFixture(b -> b.semanticCache(true));
    OptimizedChatModel chat = f.ai.wrap(OpenAiClients.chat(f.server, "gpt-test"));
    // The quantized model's defaults sit at cosine 0.995: a near-identical wording.
    chat.chat(ask(null, "How do I learn Java?"));
    chat.chat(ask(null, "How do I learn Java ?"));
    assertThat(f.server.chatRequests()).isEqualTo(1);
    assertThat(semanticHits()).isEqualTo(1);
  }

  @Test
  void theSemanticCacheIsSetOnce() {
    f = new ChatFixture();
    assertThatThrownBy(
            () ->
                AiOptimizer.builder(f.optimizer)
                    .semanticCache(true)
                    .semanticCache(SemanticCache.builder(MiniLm.langchain4j())))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("semanticCache");
  }

  /** An embedding model that is down: every call fails. */
  private static final class DownEmbeddingModel
      implements dev.langchain4j.model.embedding.EmbeddingModel {
    @Override
    public dev.langchain4j.model.output.Response<
            java.util.List<dev.langchain4j.data.embedding.Embedding>>
        embedAll(java.util.List<dev.langchain4j.data.segment.TextSegment> segments) {
      throw new IllegalStateException("embedding service unavailable");
    }

    @Override
    public int dimension() {
      return 384;
    }
  }

  @Test
  void aFailingEmbeddingModelCostsTheCacheNotTheAnswer() throws Exception {
    f = new ChatFixture(b -> b.semanticCache(SemanticCache.builder(new DownEmbeddingModel())));
    OptimizedChatModel chat = f.ai.wrap(OpenAiClients.chat(f.server, "gpt-test"));

    ChatResponse blocking = chat.chat(ask(null, QUESTION));
    assertThat(blocking.aiMessage().text()).isNotBlank();
    // The exact tier still stored it: the second ask is served without the model.
    assertThat(chat.chat(ask(null, QUESTION)).aiMessage().text())
        .isEqualTo(blocking.aiMessage().text());
    assertThat(f.server.chatRequests()).isEqualTo(1);

    dev.langchain4j.model.chat.StreamingChatModel streaming =
        f.ai.wrap(OpenAiClients.streaming(f.server, "gpt-test"));
    for (int i = 0; i < 2; i++) {
      // A stream whose answer could not be stored in every tier must still end (and the second
      // is served by the exact tier).
      dev.optimizer.ai.testserver.RecordingHandler h =
          new dev.optimizer.ai.testserver.RecordingHandler();
      streaming.chat(ask(null, PARAPHRASE), h);
      assertThat(h.done.get(10, java.util.concurrent.TimeUnit.SECONDS).aiMessage().text())
          .isNotBlank();
      assertThat(h.error).isNotDone();
    }
  }
}
