package dev.optimizer.ai.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ResponseFormat;
import dev.optimizer.ai.AiScope;
import dev.optimizer.ai.testserver.OpenAiClients;
import dev.optimizer.api.Recommendation;
import io.opentelemetry.api.common.AttributeKey;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RoutingAndBudgetTest {
  private ChatFixture f = prices(b -> {});

  private static ChatFixture prices(
      java.util.function.Consumer<dev.optimizer.ai.AiOptimizerBuilder> extra) {
    return new ChatFixture(
        b -> {
          b.price("mini", new ModelPrice(1, 2)).price("big", new ModelPrice(10, 40));
          extra.accept(b);
        });
  }

  @AfterEach
  void close() {
    f.close();
  }

  private OptimizedChatModel routed() {
    return f.ai.route(OpenAiClients.chat(f.server, "mini"), OpenAiClients.chat(f.server, "big"));
  }

  @Test
  void theDefaultRulesSendSimpleRequestsToTheCheapModel() {
    OptimizedChatModel chat = routed();
    assertThat(chat.chat("hi there")).isEqualTo(f.server.answerFor("mini", "hi there"));
    String hard = "Prove step by step why the algorithm is correct and analyze its complexity";
    assertThat(chat.chat(hard)).isEqualTo(f.server.answerFor("big", hard));
    ChatRequest tools =
        ChatRequest.builder()
            .messages(UserMessage.from("hi"))
            .toolSpecifications(ToolSpecification.builder().name("t").build())
            .build();
    chat.chat(tools);
    ChatRequest json =
        ChatRequest.builder()
            .messages(UserMessage.from("hi json"))
            .responseFormat(ResponseFormat.JSON)
            .build();
    chat.chat(json);
    assertThat(
            f.sum(
                "optimizer.ai.routing.decisions",
                a -> "cheap".equals(a.get(AttributeKey.stringKey("optimizer.ai.route")))))
        .isEqualTo(1);
    assertThat(
            f.sum(
                "optimizer.ai.routing.decisions",
                a -> "strong".equals(a.get(AttributeKey.stringKey("optimizer.ai.route")))))
        .isEqualTo(3);
    assertThat(RuleBasedRouter.defaults().route(tools).reason()).isEqualTo("tools");
    assertThat(RuleBasedRouter.defaults().route(json).reason()).isEqualTo("json");
    assertThat(
            RuleBasedRouter.of(5, 1)
                .route(ChatRequest.builder().messages(UserMessage.from("long prompt")).build())
                .reason())
        .isEqualTo("long-prompt");
  }

  @Test
  void accountingComparesWithAlwaysStrongAndTheReportShowsIt() {
    OptimizedChatModel chat = routed();
    chat.chat("hi there");
    chat.chat("hi there");
    ChatAccounting a = f.ai.accounting();
    assertThat(a.perModel()).containsOnlyKeys("mini");
    ChatAccounting.Usage mini = a.perModel().get("mini");
    assertThat(mini.calls()).isEqualTo(1);
    assertThat(mini.costUsd())
        .isEqualTo(new ModelPrice(1, 2).cost(mini.inputTokens(), mini.outputTokens()));
    double strong = new ModelPrice(10, 40).cost(mini.inputTokens(), mini.outputTokens());
    assertThat(a.alwaysStrongCostUsd())
        .isCloseTo(2 * strong, org.assertj.core.data.Offset.offset(1e-12));
    assertThat(a.costSavedUsd())
        .isCloseTo(2 * strong - mini.costUsd(), org.assertj.core.data.Offset.offset(1e-12));
    assertThat(a.cacheHits()).isEqualTo(1);
    assertThat(a.perScope()).containsOnlyKeys(AiScope.DEFAULT);

    f.ai.publishToReport();
    Recommendation r =
        f.optimizer.report().recommendations().stream()
            .filter(x -> x.kind().equals("llm-cost"))
            .findFirst()
            .orElseThrow();
    assertThat(r.evidence()).containsKeys("cost_saved_usd", "tokens_saved_by_cache", "model.mini");
    assertThat(r.evidence().get("cache_hits")).isEqualTo("1");
    assertThat(r.summary()).doesNotContain("hi there");
  }

  @Test
  void streamsAreRoutedToo() throws Exception {
    dev.langchain4j.model.chat.StreamingChatModel chat =
        f.ai.route(
            OpenAiClients.streaming(f.server, "mini"),
            OpenAiClients.streaming(f.server, "big"),
            java.util.List.of());
    dev.optimizer.ai.testserver.RecordingHandler simple =
        new dev.optimizer.ai.testserver.RecordingHandler();
    chat.chat("hi there", simple);
    assertThat(simple.done.get(10, java.util.concurrent.TimeUnit.SECONDS).aiMessage().text())
        .isEqualTo(f.server.answerFor("mini", "hi there"));
    String hard = "Prove step by step why the algorithm is correct and analyze its complexity";
    dev.optimizer.ai.testserver.RecordingHandler difficult =
        new dev.optimizer.ai.testserver.RecordingHandler();
    chat.chat(hard, difficult);
    assertThat(difficult.done.get(10, java.util.concurrent.TimeUnit.SECONDS).aiMessage().text())
        .isEqualTo(f.server.answerFor("big", hard));
    assertThat(f.ai.accounting().costSavedUsd()).isPositive();
  }

  @Test
  void aRequestNamingAnotherModelIsPricedAsThatModel() {
    OptimizedChatModel chat = f.ai.wrap(OpenAiClients.chat(f.server, "big"));
    chat.chat(ChatRequest.builder().messages(UserMessage.from("hi")).modelName("mini").build());
    ChatAccounting a = f.ai.accounting();
    ChatAccounting.Usage u = a.perModel().get("mini");
    assertThat(u.costUsd()).isEqualTo(new ModelPrice(1, 2).cost(u.inputTokens(), u.outputTokens()));
    assertThat(a.costSavedUsd()).as("not routed: nothing saved").isZero();
  }

  @Test
  void aSpentBudgetRefusesWithAClearError() throws Exception {
    f.close();
    f = prices(b -> b.budgetPerScope(1e-9, BudgetAction.REFUSE));
    OptimizedChatModel chat = f.ai.wrap(OpenAiClients.chat(f.server, "big"));
    AiScope.call("tenant-a", () -> chat.chat("first"));
    assertThatThrownBy(() -> AiScope.call("tenant-a", () -> chat.chat("second")))
        .isInstanceOf(BudgetExceededException.class)
        .hasMessageContaining("budgetPerScope")
        .hasMessageContaining("REFUSE");
    assertThat(AiScope.call("tenant-a", () -> chat.chat("first")))
        .as("a cache hit costs nothing and is still served")
        .isEqualTo(f.server.answerFor("big", "first"));
    assertThat(AiScope.call("tenant-b", () -> chat.chat("second")))
        .as("other scopes keep their own budget")
        .isEqualTo(f.server.answerFor("big", "second"));
    assertThat(f.server.chatRequests()).isEqualTo(2);
  }

  @Test
  void aSpentBudgetDowngradesToTheCheapModel() {
    f.close();
    f = prices(b -> b.budgetPerScope(1e-9, BudgetAction.DOWNGRADE));
    OptimizedChatModel chat = routed();
    String hard = "Prove step by step why the algorithm is correct and analyze its complexity";
    assertThat(chat.chat(hard)).isEqualTo(f.server.answerFor("big", hard));
    String hard2 = hard + " again";
    assertThat(chat.chat(hard2)).isEqualTo(f.server.answerFor("mini", hard2));
    assertThat(f.sum("optimizer.ai.budget.actions")).isEqualTo(1);
  }

  @Test
  void aDowngradedScopeDoesNotFallBackToTheStrongModel() throws Exception {
    f.close();
    f = prices(b -> b.budgetPerScope(1e-9, BudgetAction.DOWNGRADE));
    OptimizedChatModel chat = routed();
    String hard = "Prove step by step why the algorithm is correct and analyze its complexity";
    chat.chat(hard); // spends the scope's budget on the strong model
    f.server.takeRequest();
    for (int i = 0; i < 20; i++) {
      f.server.enqueue(dev.optimizer.ai.testserver.LocalOpenAiServer.Fault.status(500));
    }

    assertThatThrownBy(() -> chat.chat(hard + " again"))
        .isInstanceOf(dev.langchain4j.exception.InternalServerException.class);

    int asked = f.server.chatRequests() - 1;
    assertThat(asked).isPositive();
    for (int i = 0; i < asked; i++) {
      assertThat(f.server.takeRequest().body().get("model").asText())
          .as("a scope over its budget is never answered by the model it is over budget for")
          .isEqualTo("mini");
    }
  }
}
