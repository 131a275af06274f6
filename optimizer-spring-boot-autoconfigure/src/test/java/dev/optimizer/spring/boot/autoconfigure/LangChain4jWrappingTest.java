package dev.optimizer.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.Response;
import dev.optimizer.ai.AiOptimizer;
import dev.optimizer.ai.chat.OptimizedChatModel;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** LangChain4j model beans are wrapped by the AiOptimizer, except those excluded by name. */
class LangChain4jWrappingTest {
  private final ApplicationContextRunner runner = Runners.runner();

  /** A model answering every question the same way, counting the calls that reach it. */
  static final class EchoModel implements ChatModel {
    final AtomicInteger calls = new AtomicInteger();

    @Override
    public ChatResponse doChat(ChatRequest request) {
      calls.incrementAndGet();
      return ChatResponse.builder()
          .aiMessage(AiMessage.from("42"))
          .finishReason(FinishReason.STOP)
          .build();
    }
  }

  /** A streaming model (never called here). */
  static final class Streaming implements StreamingChatModel {
    @Override
    public void doChat(ChatRequest request, StreamingChatResponseHandler handler) {
      handler.onCompleteResponse(
          ChatResponse.builder()
              .aiMessage(AiMessage.from("42"))
              .finishReason(FinishReason.STOP)
              .build());
    }
  }

  /** An embedding model counting the texts it embeds. */
  static final class CountingEmbeddings implements EmbeddingModel {
    final AtomicInteger texts = new AtomicInteger();

    @Override
    public Response<List<Embedding>> embedAll(List<TextSegment> segments) {
      texts.addAndGet(segments.size());
      return Response.from(
          segments.stream().map(s -> Embedding.from(new float[] {s.text().length(), 1f})).toList());
    }
  }

  private static ChatRequest question() {
    return ChatRequest.builder()
        .messages(UserMessage.from("What is the answer?"))
        .temperature(0.0)
        .build();
  }

  @Test
  void chatStreamingAndEmbeddingModelsAreWrapped() {
    EchoModel echo = new EchoModel();
    CountingEmbeddings embeddings = new CountingEmbeddings();
    runner
        .withBean("chat", ChatModel.class, () -> echo)
        .withBean("streaming", StreamingChatModel.class, Streaming::new)
        .withBean("embeddings", EmbeddingModel.class, () -> embeddings)
        .run(
            ctx -> {
              ChatModel chat = ctx.getBean(ChatModel.class);
              assertThat(chat).isInstanceOf(OptimizedChatModel.class);
              assertThat(chat.chat(question()).aiMessage().text()).isEqualTo("42");
              assertThat(chat.chat(question()).aiMessage().text()).isEqualTo("42");
              assertThat(echo.calls).as("the second answer came from the cache").hasValue(1);
              assertThat(ctx.getBean(AiOptimizer.class).accounting().cacheHits()).isEqualTo(1);

              assertThat(ctx.getBean(StreamingChatModel.class)).isNotInstanceOf(Streaming.class);

              EmbeddingModel e = ctx.getBean(EmbeddingModel.class);
              assertThat(e).isNotSameAs(embeddings);
              e.embed("hello");
              e.embed("hello");
              assertThat(embeddings.texts).as("the second embedding was cached").hasValue(1);
            });
  }

  @Test
  void excludedModelsAreLeftAlone() {
    EchoModel echo = new EchoModel();
    runner
        .withBean("chat", ChatModel.class, () -> echo)
        .withPropertyValues("optimizer.ai.excluded-beans=chat")
        .run(ctx -> assertThat(ctx.getBean(ChatModel.class)).isSameAs(echo));
  }

  @Test
  void theOptimizersOwnDecoratorsAreNotWrappedAgain() {
    runner
        .withBean(
            "chat",
            ChatModel.class,
            () ->
                AiOptimizer.create(dev.optimizer.runtime.Optimizer.builder().manualTuning().build())
                    .wrap(new EchoModel()))
        .run(
            ctx -> {
              ChatModel chat = ctx.getBean(ChatModel.class);
              chat.chat(question());
              assertThat(ctx.getBean(AiOptimizer.class).accounting().perModel())
                  .as("the context's AiOptimizer never saw the call")
                  .isEmpty();
            });
  }

  @Test
  void theSemanticCacheLoadsTheInProcessModel() {
    runner
        .withPropertyValues("optimizer.ai.semantic-cache.enabled=true")
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed();
              assertThat(ctx).hasSingleBean(AiOptimizer.class);
            });
  }
}
