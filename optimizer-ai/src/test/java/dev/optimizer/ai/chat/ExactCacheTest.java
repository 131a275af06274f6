package dev.optimizer.ai.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ImageContent;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.InternalServerException;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ResponseFormat;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiChatRequestParameters;
import dev.langchain4j.model.openai.OpenAiChatResponseMetadata;
import dev.langchain4j.model.output.FinishReason;
import dev.optimizer.ai.AiScope;
import dev.optimizer.ai.testserver.LocalOpenAiServer;
import dev.optimizer.ai.testserver.OpenAiClients;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ExactCacheTest {
  private ChatFixture f = new ChatFixture();

  @AfterEach
  void close() {
    f.close();
  }

  private static ChatRequest ask(String text) {
    return ChatRequest.builder().messages(UserMessage.from(text)).build();
  }

  @Test
  void aRepeatedRequestIsServedFromCacheAndListenersStillFire() {
    ChatFixture.Recorder listener = new ChatFixture.Recorder();
    OptimizedChatModel chat = f.ai.wrap(OpenAiClients.chat(f.server, "gpt-test", listener));

    ChatResponse first = chat.chat(ask("What is the capital of France?"));
    ChatResponse second = chat.chat(ask("What is the capital of France?"));

    assertThat(f.server.chatRequests()).isEqualTo(1);
    assertThat(second.aiMessage().text()).isEqualTo(first.aiMessage().text());
    assertThat(second.tokenUsage()).isEqualTo(first.tokenUsage());
    assertThat(second).isNotSameAs(first);
    assertThat(listener.events)
        .containsExactly(
            "request:model", "response:model", "request:cache:exact", "response:cache:exact");
    assertThat(
            f.sum(
                "optimizer.ai.cache.hits",
                a ->
                    "exact"
                        .equals(
                            a.get(
                                io.opentelemetry.api.common.AttributeKey.stringKey(
                                    "optimizer.ai.cache.tier")))))
        .isEqualTo(1);
    assertThat(f.ai.accounting().tokensSavedByCache())
        .isEqualTo((long) first.tokenUsage().totalTokenCount());
  }

  @Test
  void everyOutputChangingParameterIsPartOfTheKey() {
    OptimizedChatModel chat = f.ai.wrap(OpenAiClients.chat(f.server, "gpt-test"));
    UserMessage q = UserMessage.from("same question");
    List<ChatRequest> variants =
        List.of(
            ChatRequest.builder().messages(q).build(),
            ChatRequest.builder().messages(q).modelName("gpt-other").build(),
            ChatRequest.builder().messages(q).topP(0.5).build(),
            ChatRequest.builder().messages(q).maxOutputTokens(50).build(),
            ChatRequest.builder().messages(q).stopSequences(List.of("END")).build(),
            ChatRequest.builder().messages(q).frequencyPenalty(0.5).build(),
            ChatRequest.builder().messages(q).presencePenalty(0.5).build(),
            ChatRequest.builder().messages(q).responseFormat(ResponseFormat.JSON).build(),
            ChatRequest.builder()
                .messages(q)
                .toolSpecifications(ToolSpecification.builder().name("lookup").build())
                .build(),
            ChatRequest.builder()
                .messages(q)
                .parameters(OpenAiChatRequestParameters.builder().seed(42).build())
                .build(),
            ChatRequest.builder().messages(SystemMessage.from("be brief"), q).build(),
            ChatRequest.builder().messages(UserMessage.from("alice", "same question")).build(),
            ChatRequest.builder()
                .messages(UserMessage.from("earlier"), AiMessage.from("reply"), q)
                .build());
    for (ChatRequest r : variants) {
      chat.chat(r);
    }
    assertThat(f.server.chatRequests()).isEqualTo(variants.size());
    for (ChatRequest r : variants) {
      chat.chat(r);
    }
    assertThat(f.server.chatRequests()).as("each variant is then a hit").isEqualTo(variants.size());
  }

  /**
   * An OpenAI model on the fixture's server, as {@link OpenAiClients#chat} builds it, then more.
   */
  private OpenAiChatModel openAi(
      java.util.function.Consumer<OpenAiChatModel.OpenAiChatModelBuilder> more) {
    OpenAiChatModel.OpenAiChatModelBuilder b =
        OpenAiChatModel.builder()
            .baseUrl(f.server.baseUrl())
            .apiKey("test-key")
            .modelName("gpt-test")
            .temperature(0.0)
            .maxRetries(0)
            .timeout(Duration.ofSeconds(10));
    more.accept(b);
    return b.build();
  }

  @Test
  void everyAnswerChangingSettingOfTheModelIsPartOfTheKey() throws Exception {
    ChatRequest q = ask("same question, other settings");
    List<java.util.function.Consumer<OpenAiChatModel.OpenAiChatModelBuilder>> variants =
        List.of(
            b -> {},
            b -> b.returnThinking(true),
            b -> b.strictTools(true),
            b -> b.strictJsonSchema(true),
            b -> b.sendThinking(true),
            b -> b.sendThinking(true, "reasoning"),
            b -> b.responseFormat("json_object"),
            b -> b.customQueryParams(java.util.Map.of("api-version", "2")),
            // Builder-level defaults of request parameters: merged into the effective request.
            b -> b.seed(42),
            b -> b.serviceTier("flex"),
            b -> b.customParameters(java.util.Map.of("reasoning", "high")));
    for (var v : variants) {
      f.ai.wrap(openAi(v)).chat(q);
    }
    assertThat(f.server.chatRequests())
        .as("no variant is served another's answer")
        .isEqualTo(variants.size());
    for (var v : variants) {
      f.ai.wrap(openAi(v)).chat(q);
    }
    assertThat(f.server.chatRequests())
        .as("each variant is then a hit for a model built alike")
        .isEqualTo(variants.size());

    // Settings that do not change the answer still share it: retries, credentials, listeners.
    f.ai.wrap(openAi(b -> b.maxRetries(3).apiKey("another-key").logRequests(true))).chat(q);
    assertThat(f.server.chatRequests()).isEqualTo(variants.size());

    // A blocking and a streaming model of one endpoint built alike share answers; built with
    // other answer-changing settings, they do not.
    dev.optimizer.ai.testserver.RecordingHandler same =
        new dev.optimizer.ai.testserver.RecordingHandler();
    f.ai.wrap(OpenAiClients.streaming(f.server, "gpt-test")).chat(q, same);
    assertThat(same.done.get(10, java.util.concurrent.TimeUnit.SECONDS).aiMessage().text())
        .isEqualTo(f.server.answerFor("gpt-test", "same question, other settings"));
    assertThat(f.server.chatRequests()).isEqualTo(variants.size());
    for (boolean alsoThinking : new boolean[] {false, true}) {
      dev.optimizer.ai.testserver.RecordingHandler h =
          new dev.optimizer.ai.testserver.RecordingHandler();
      f.ai
          .wrap(
              dev.langchain4j.model.openai.OpenAiStreamingChatModel.builder()
                  .baseUrl(f.server.baseUrl())
                  .apiKey("test-key")
                  .modelName("gpt-test")
                  .temperature(0.0)
                  .strictTools(true)
                  .returnThinking(alsoThinking)
                  .timeout(Duration.ofSeconds(10))
                  .build())
          .chat(q, h);
      h.done.get(10, java.util.concurrent.TimeUnit.SECONDS);
    }
    // strictTools alone: the blocking variant's answer; with returnThinking too, no variant's.
    assertThat(f.server.chatRequests()).isEqualTo(variants.size() + 1);
  }

  @Test
  void aNonCredentialHeaderOfTheModelIsPartOfTheKeyACredentialIsNot() {
    ChatRequest q = ask("same question, other headers");
    java.util.function.Function<java.util.Map<String, String>, OptimizedChatModel> model =
        headers -> f.ai.wrap(openAi(b -> b.customHeaders(headers)));

    model.apply(java.util.Map.of("OpenAI-Beta", "assistants=v2")).chat(q);
    model.apply(java.util.Map.of("OpenAI-Beta", "assistants=v1")).chat(q);
    model.apply(java.util.Map.of("OpenAI-Beta", "assistants=v2", "X-Route", "eu")).chat(q);
    assertThat(f.server.chatRequests())
        .as("a header that can change the answer keeps models apart")
        .isEqualTo(3);

    // Names are case-insensitive; credentials and who is calling are never key material, so
    // models that differ only there share answers within one scope, as two API keys do.
    model.apply(java.util.Map.of("openai-beta", "assistants=v2")).chat(q);
    model
        .apply(
            java.util.Map.of(
                "OpenAI-Beta", "assistants=v2",
                "Authorization", "Bearer another-token",
                "X-Api-Key", "k2",
                "User-Agent", "other-agent",
                "X-Session-Token", "t2"))
        .chat(q);
    assertThat(f.server.chatRequests()).isEqualTo(3);
  }

  @Test
  void modelsDifferingOnlyInAuthorizationShareAnswersWithinAScope() {
    ChatRequest q = ask("same question, other tokens");
    f.ai.wrap(openAi(b -> b.customHeaders(java.util.Map.of("Authorization", "Bearer a")))).chat(q);
    f.ai.wrap(openAi(b -> b.customHeaders(java.util.Map.of("Authorization", "Bearer b")))).chat(q);
    assertThat(f.server.chatRequests()).isEqualTo(1);
  }

  @Test
  void onlyDeterministicRequestsAreCached() {
    OptimizedChatModel chat = f.ai.wrap(OpenAiClients.chat(f.server, "gpt-test"));
    ChatRequest warm =
        ChatRequest.builder().messages(UserMessage.from("poem")).temperature(0.7).build();
    chat.chat(warm);
    chat.chat(warm);
    assertThat(f.server.chatRequests()).isEqualTo(2);

    OpenAiChatModel noTemperature =
        OpenAiChatModel.builder()
            .baseUrl(f.server.baseUrl())
            .apiKey("k")
            .modelName("gpt-test")
            .maxRetries(0)
            .build();
    OptimizedChatModel unset = f.ai.wrap(noTemperature);
    unset.chat(ask("poem"));
    unset.chat(ask("poem"));
    assertThat(f.server.chatRequests())
        .as("no temperature: provider default, not cached")
        .isEqualTo(4);
  }

  @Test
  void aConfiguredMaximumTemperatureAndMissingTemperatureCanBeAllowed() {
    f.close();
    f = new ChatFixture(b -> b.maxCacheableTemperature(0.3).cacheWithoutTemperature(true));
    OptimizedChatModel chat = f.ai.wrap(OpenAiClients.chat(f.server, "gpt-test"));
    ChatRequest r = ChatRequest.builder().messages(UserMessage.from("x")).temperature(0.3).build();
    chat.chat(r);
    chat.chat(r);
    assertThat(f.server.chatRequests()).isEqualTo(1);
  }

  @Test
  void truncatedAnswersToolCallsAndErrorsAreNeverCached() {
    OptimizedChatModel chat = f.ai.wrap(OpenAiClients.chat(f.server, "gpt-test"));
    ChatRequest cut =
        ChatRequest.builder().messages(UserMessage.from("a b c d e")).maxOutputTokens(2).build();
    assertThat(chat.chat(cut).finishReason()).isEqualTo(FinishReason.LENGTH);
    chat.chat(cut);
    assertThat(f.server.chatRequests()).isEqualTo(2);

    ChatRequest tool =
        ChatRequest.builder()
            .messages(UserMessage.from("weather " + LocalOpenAiServer.CALL_TOOL))
            .toolSpecifications(ToolSpecification.builder().name("weather").build())
            .build();
    assertThat(chat.chat(tool).aiMessage().hasToolExecutionRequests()).isTrue();
    chat.chat(tool);
    assertThat(f.server.chatRequests()).isEqualTo(4);

    f.server.enqueue(LocalOpenAiServer.Fault.status(400));
    assertThatThrownBy(() -> chat.chat(ask("fails once"))).isNotNull();
    assertThat(chat.chat(ask("fails once")).aiMessage().text())
        .isEqualTo(f.server.answerFor("gpt-test", "fails once"));
    assertThat(f.server.chatRequests()).isEqualTo(6);
  }

  @Test
  void nonTextContentAndHugePromptsPassThroughUncached() {
    f.close();
    f = new ChatFixture(b -> b.maxPromptBytes(64));
    OptimizedChatModel chat = f.ai.wrap(OpenAiClients.chat(f.server, "gpt-test"));
    ChatRequest image =
        ChatRequest.builder()
            .messages(
                UserMessage.from(
                    TextContent.from("what is this"),
                    ImageContent.from("https://example.invalid/cat.png")))
            .build();
    chat.chat(image);
    chat.chat(image);
    assertThat(f.server.chatRequests()).isEqualTo(2);

    ChatRequest huge = ask("word ".repeat(100));
    chat.chat(huge);
    chat.chat(huge);
    assertThat(f.server.chatRequests()).isEqualTo(4);

    chat.chat(ask("short"));
    chat.chat(ask("short"));
    assertThat(f.server.chatRequests()).isEqualTo(5);
  }

  @Test
  void scopesNeverShareAnEntry() throws Exception {
    OptimizedChatModel chat = f.ai.wrap(OpenAiClients.chat(f.server, "gpt-test"));
    AiScope.call("tenant-a", () -> chat.chat(ask("our refund policy?")));
    AiScope.call("tenant-b", () -> chat.chat(ask("our refund policy?")));
    assertThat(f.server.chatRequests()).isEqualTo(2);
    AiScope.call("tenant-a", () -> chat.chat(ask("our refund policy?")));
    chat.chat(ask("our refund policy?"));
    assertThat(f.server.chatRequests()).as("default scope is a scope of its own").isEqualTo(3);
  }

  @Test
  void aScopeResolverTakesPrecedence() throws Exception {
    f.close();
    f = new ChatFixture(b -> b.scopeResolver(r -> r.messages().size() > 1 ? "two" : "one"));
    OptimizedChatModel chat = f.ai.wrap(OpenAiClients.chat(f.server, "gpt-test"));
    AiScope.call("ignored-a", () -> chat.chat(ask("q")));
    AiScope.call("ignored-b", () -> chat.chat(ask("q")));
    assertThat(f.server.chatRequests()).isEqualTo(1);
  }

  @Test
  void entriesCanBeCorrectedEvictedAndExpire() {
    OptimizedChatModel chat = f.ai.wrap(OpenAiClients.chat(f.server, "gpt-test"));
    ChatRequest q = ask("2+2?");
    chat.chat(q);
    chat.correct(q, ChatResponse.builder().aiMessage(AiMessage.from("4")).build());
    assertThat(chat.chat(q).aiMessage().text()).isEqualTo("4");
    assertThat(f.server.chatRequests()).isEqualTo(1);

    assertThat(chat.evict(q)).isTrue();
    assertThat(chat.evict(q)).isFalse();
    chat.chat(q);
    assertThat(f.server.chatRequests()).isEqualTo(2);

    f.time.advance(Duration.ofHours(1).plusSeconds(1));
    chat.chat(q);
    assertThat(f.server.chatRequests()).as("expired after the default TTL").isEqualTo(3);

    assertThatThrownBy(
            () ->
                chat.correct(
                    q,
                    ChatResponse.builder()
                        .aiMessage(AiMessage.from("cut"))
                        .finishReason(FinishReason.LENGTH)
                        .build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("LENGTH");
  }

  @Test
  void theCacheCanBeTurnedOff() {
    f.close();
    f = new ChatFixture(b -> b.cache(false));
    ChatModel chat = f.ai.wrap(OpenAiClients.chat(f.server, "gpt-test"));
    chat.chat("same");
    chat.chat("same");
    assertThat(f.server.chatRequests()).isEqualTo(2);
  }

  @Test
  void badSettingsAreRefusedWithTheirNameRangeAndValue() {
    assertThatThrownBy(() -> dev.optimizer.ai.AiOptimizer.builder(f.optimizer).maxAttempts(0))
        .hasMessage("maxAttempts must be in [1, 10], but was 0");
    assertThatThrownBy(
            () -> dev.optimizer.ai.AiOptimizer.builder(f.optimizer).maxCacheableTemperature(3))
        .hasMessageContaining("maxCacheableTemperature")
        .hasMessageContaining("3.0");
    assertThatThrownBy(
            () ->
                dev.optimizer.ai.AiOptimizer.builder(f.optimizer)
                    .retryBaseDelay(Duration.ofSeconds(5))
                    .retryMaxDelay(Duration.ofSeconds(1))
                    .build())
        .hasMessageContaining("retryMaxDelay");
    assertThatThrownBy(() -> new ModelPrice(-1, 0)).hasMessageContaining("inputPerMillion");
  }

  @Test
  void anUpstreamErrorReachesTheCaller() {
    f.close();
    f = new ChatFixture(b -> b.maxAttempts(1));
    OptimizedChatModel one = f.ai.wrap(OpenAiClients.chat(f.server, "gpt-test"));
    f.server.enqueue(LocalOpenAiServer.Fault.status(500));
    assertThatThrownBy(() -> one.chat("boom")).isInstanceOf(InternalServerException.class);
    assertThat(f.server.chatRequests()).isEqualTo(1);
  }

  /**
   * A model of the application's own, without a default model name, that always says {@code
   * answer}.
   */
  private static ChatModel unnamed(String answer) {
    return new ChatModel() {
      @Override
      public ChatResponse doChat(ChatRequest request) {
        return ChatResponse.builder()
            .aiMessage(AiMessage.from(answer))
            .finishReason(FinishReason.STOP)
            .build();
      }
    };
  }

  @Test
  void twoModelsWithoutNamesNeverShareAnswers() {
    ChatRequest q =
        ChatRequest.builder().messages(UserMessage.from("which model?")).temperature(0.0).build();
    OptimizedChatModel a = f.ai.wrap(unnamed("A"));
    OptimizedChatModel b = f.ai.wrap(unnamed("B"));

    assertThat(a.chat(q).aiMessage().text()).isEqualTo("A");
    assertThat(b.chat(q).aiMessage().text()).isEqualTo("B");
    assertThat(a.chat(q).aiMessage().text()).isEqualTo("A"); // still cached for its own model
  }

  @Test
  void twoEndpointsServingTheSameModelNameNeverShareAnswers() throws Exception {
    try (LocalOpenAiServer fineTune = LocalOpenAiServer.start()) {
      fineTune.answerer(prompt -> "the fine-tune's answer to " + prompt);
      OptimizedChatModel hosted = f.ai.wrap(OpenAiClients.chat(f.server, "gpt-test"));
      OptimizedChatModel local = f.ai.wrap(OpenAiClients.chat(fineTune, "gpt-test"));
      ChatRequest q = ask("what is our refund policy?");

      assertThat(hosted.chat(q).aiMessage().text())
          .isEqualTo(f.server.answerFor("gpt-test", "what is our refund policy?"));
      assertThat(local.chat(q).aiMessage().text())
          .isEqualTo("the fine-tune's answer to what is our refund policy?");
      assertThat(hosted.chat(q).aiMessage().text())
          .isEqualTo(f.server.answerFor("gpt-test", "what is our refund policy?"));
      assertThat(local.chat(q).aiMessage().text())
          .isEqualTo("the fine-tune's answer to what is our refund policy?");
      assertThat(f.server.chatRequests()).as("each cached for its own endpoint").isEqualTo(1);
      assertThat(fineTune.chatRequests()).isEqualTo(1);

      dev.langchain4j.model.chat.StreamingChatModel hostedStream =
          f.ai.wrap(OpenAiClients.streaming(f.server, "gpt-test"));
      dev.langchain4j.model.chat.StreamingChatModel localStream =
          f.ai.wrap(OpenAiClients.streaming(fineTune, "gpt-test"));
      for (int i = 0; i < 2; i++) {
        dev.optimizer.ai.testserver.RecordingHandler h =
            new dev.optimizer.ai.testserver.RecordingHandler();
        hostedStream.chat(ask("streamed"), h);
        assertThat(h.done.get(10, java.util.concurrent.TimeUnit.SECONDS).aiMessage().text())
            .isEqualTo(f.server.answerFor("gpt-test", "streamed"));
        dev.optimizer.ai.testserver.RecordingHandler l =
            new dev.optimizer.ai.testserver.RecordingHandler();
        localStream.chat(ask("streamed"), l);
        assertThat(l.done.get(10, java.util.concurrent.TimeUnit.SECONDS).aiMessage().text())
            .isEqualTo("the fine-tune's answer to streamed");
      }
      assertThat(f.server.chatRequests()).isEqualTo(2);
      assertThat(fineTune.chatRequests()).isEqualTo(2);
    }
  }

  @Test
  void modelsWhoseEndpointCannotBeReadShareOnlyWithinTheirInstance() {
    ChatRequest q = ChatRequest.builder().messages(UserMessage.from("which one?")).build();
    ChatModel first = named("custom-model", "first");
    OptimizedChatModel a = f.ai.wrap(first);
    OptimizedChatModel again = f.ai.wrap(first);
    OptimizedChatModel b = f.ai.wrap(named("custom-model", "second"));

    assertThat(a.chat(q).aiMessage().text()).isEqualTo("first");
    assertThat(b.chat(q).aiMessage().text()).isEqualTo("second");
    assertThat(again.chat(q).aiMessage().text()).isEqualTo("first");
  }

  /** An application's own model with a default name and temperature, answering {@code answer}. */
  private static ChatModel named(String name, String answer) {
    return new ChatModel() {
      @Override
      public dev.langchain4j.model.chat.request.ChatRequestParameters defaultRequestParameters() {
        return dev.langchain4j.model.chat.request.ChatRequestParameters.builder()
            .modelName(name)
            .temperature(0.0)
            .build();
      }

      @Override
      public ChatResponse doChat(ChatRequest request) {
        return ChatResponse.builder()
            .aiMessage(AiMessage.from(answer))
            .finishReason(FinishReason.STOP)
            .build();
      }
    };
  }

  @Test
  void oneModelWrappedTwiceSharesItsAnswers() {
    ChatModel model = OpenAiClients.chat(f.server, "gpt-test");
    OptimizedChatModel a = f.ai.wrap(model);
    OptimizedChatModel b = f.ai.wrap(model);
    a.chat(ask("shared?"));
    assertThat(b.chat(ask("shared?")).aiMessage().text())
        .isEqualTo(f.server.answerFor("gpt-test", "shared?"));
    assertThat(f.server.chatRequests()).isEqualTo(1);
  }

  @Test
  void correctingRefusesWithTheSettingItsRangeAndTheValue() {
    OptimizedChatModel chat = f.ai.wrap(OpenAiClients.chat(f.server, "gpt-test"));
    ChatResponse four = ChatResponse.builder().aiMessage(AiMessage.from("4")).build();

    assertThatThrownBy(
            () ->
                chat.correct(
                    ChatRequest.builder()
                        .messages(UserMessage.from("2+2?"))
                        .temperature(0.7)
                        .build(),
                    four))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("request")
        .hasMessageContaining("maxCacheableTemperature")
        .hasMessageContaining("[0.0, 2.0]")
        .hasMessageContaining("0.7");
    assertThatThrownBy(
            () ->
                f.ai
                    .wrap(
                        OpenAiChatModel.builder()
                            .baseUrl(f.server.baseUrl())
                            .apiKey("k")
                            .modelName("gpt-test")
                            .build())
                    .correct(ask("2+2?"), four))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("temperature")
        .hasMessageContaining("cacheWithoutTemperature");
    assertThatThrownBy(
            () ->
                chat.correct(
                    ChatRequest.builder()
                        .messages(
                            UserMessage.from(
                                TextContent.from("what is this"),
                                ImageContent.from("https://example.invalid/cat.png")))
                        .build(),
                    four))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("request")
        .hasMessageContaining("ImageContent");
    assertThatThrownBy(
            () ->
                chat.correct(
                    ask("2+2?"),
                    ChatResponse.builder()
                        .aiMessage(
                            AiMessage.from(
                                dev.langchain4j.agent.tool.ToolExecutionRequest.builder()
                                    .name("calc")
                                    .arguments("{}")
                                    .build()))
                        .build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("response")
        .hasMessageContaining("text")
        .hasMessageContaining("tool execution request");
    assertThat(f.server.chatRequests()).isZero();
  }

  @Test
  void correctingAPromptOverTheLimitNamesTheLimitAndTheSize() {
    f.close();
    f = new ChatFixture(b -> b.maxPromptBytes(64));
    OptimizedChatModel chat = f.ai.wrap(OpenAiClients.chat(f.server, "gpt-test"));
    assertThatThrownBy(
            () ->
                chat.correct(
                    ask("x".repeat(100)),
                    ChatResponse.builder().aiMessage(AiMessage.from("y")).build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxPromptBytes")
        .hasMessageContaining("64")
        .hasMessageContaining("100");

    f.close();
    f = new ChatFixture(b -> b.cache(false));
    OptimizedChatModel off = f.ai.wrap(OpenAiClients.chat(f.server, "gpt-test"));
    assertThatThrownBy(
            () ->
                off.correct(
                    ask("q"), ChatResponse.builder().aiMessage(AiMessage.from("y")).build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cache")
        .hasMessageContaining("off");
  }

  @Test
  void aMissingRequestIsReportedAsSuchBeforeTheScopeResolverSeesIt() {
    f.close();
    f = new ChatFixture(b -> b.scopeResolver(r -> r.messages().size() > 1 ? "two" : "one"));
    OptimizedChatModel chat = f.ai.wrap(OpenAiClients.chat(f.server, "gpt-test"));
    ChatResponse four = ChatResponse.builder().aiMessage(AiMessage.from("4")).build();
    assertThatThrownBy(() -> chat.evict(null)).hasMessage("request must not be null");
    assertThatThrownBy(() -> chat.correct(null, four)).hasMessage("request must not be null");
    assertThatThrownBy(() -> chat.feedback(null, true)).hasMessage("request must not be null");
    assertThatThrownBy(() -> chat.correct(ask("q"), null)).hasMessage("response must not be null");
  }

  @Test
  void anAnswersReasoningCountsTowardsTheCachesByteBound() {
    f.close();
    f = new ChatFixture(b -> b.cacheMaximumBytes(64 * 1024));
    java.util.concurrent.atomic.AtomicInteger calls =
        new java.util.concurrent.atomic.AtomicInteger();
    String reasoning = "step ".repeat(20_000); // 100,000 chars: more than the whole cache
    OptimizedChatModel chat =
        f.ai.wrap(
            new ChatModel() {
              @Override
              public ChatResponse doChat(ChatRequest request) {
                calls.incrementAndGet();
                return ChatResponse.builder()
                    .aiMessage(AiMessage.builder().text("42").thinking(reasoning).build())
                    .finishReason(FinishReason.STOP)
                    .build();
              }
            });
    ChatRequest q =
        ChatRequest.builder().messages(UserMessage.from("the answer?")).temperature(0.0).build();
    assertThat(chat.chat(q).aiMessage().thinking()).isEqualTo(reasoning);
    chat.chat(q);
    assertThat(calls).as("an entry heavier than the cache is not kept").hasValue(2);
  }

  @Test
  void aCachedAnswerKeepsTheProvidersMetadataTypeAndFieldsButNotTheRawHttpResponse() {
    OptimizedChatModel chat = f.ai.wrap(OpenAiClients.chat(f.server, "gpt-test"));
    ChatResponse first = chat.chat(ask("What is the capital of Peru?"));
    ChatResponse hit = chat.chat(ask("What is the capital of Peru?"));

    assertThat(f.server.chatRequests()).isEqualTo(1);
    // Code written against the unwrapped client casts to the provider's metadata type.
    assertThat(first.metadata()).isInstanceOf(OpenAiChatResponseMetadata.class);
    assertThat(hit.metadata()).isInstanceOf(OpenAiChatResponseMetadata.class);
    OpenAiChatResponseMetadata live = (OpenAiChatResponseMetadata) first.metadata();
    OpenAiChatResponseMetadata cached = (OpenAiChatResponseMetadata) hit.metadata();
    assertThat(cached.created()).isEqualTo(live.created()).isNotNull();
    assertThat(cached.tokenUsage()).isEqualTo(live.tokenUsage());
    assertThat(cached.finishReason()).isEqualTo(live.finishReason());
    assertThat(cached.id()).isEqualTo(live.id());
    assertThat(live.rawHttpResponse()).isNotNull();
    assertThat(cached.rawHttpResponse()).as("a wire artifact, not kept in the cache").isNull();
  }

  @Test
  void aReplayedStreamKeepsTheProvidersMetadataTypeButNotTheRawEvents() throws Exception {
    var streaming =
        f.ai.wrap(dev.optimizer.ai.testserver.OpenAiClients.streaming(f.server, "gpt-test"));
    List<ChatResponse> answers = new java.util.ArrayList<>();
    for (int i = 0; i < 2; i++) {
      var handler = new dev.optimizer.ai.testserver.RecordingHandler();
      streaming.chat(ask("What is the capital of Chile?"), handler);
      answers.add(handler.await(10));
    }

    assertThat(f.server.chatRequests()).isEqualTo(1);
    assertThat(answers.get(1).metadata()).isInstanceOf(OpenAiChatResponseMetadata.class);
    OpenAiChatResponseMetadata live = (OpenAiChatResponseMetadata) answers.get(0).metadata();
    OpenAiChatResponseMetadata cached = (OpenAiChatResponseMetadata) answers.get(1).metadata();
    assertThat(cached.created()).isEqualTo(live.created()).isNotNull();
    assertThat(live.rawServerSentEvents()).isNotEmpty();
    assertThat(cached.rawServerSentEvents()).as("wire artifacts").isNullOrEmpty();
  }
}
