package dev.optimizer.demo.app;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.embedding.EmbeddingModel;
import java.util.List;
import org.springframework.stereotype.Service;

/**
 * Answers a shopper's question: embeds it, finds the nearest products, and asks the chat model with
 * those products as context (temperature 0: the same question gets the same answer).
 */
@Service
public class AskService {
  /** The answer with the products it was based on. */
  public record Answer(String answer, List<Integer> productIds) {}

  private static final int CONTEXT_PRODUCTS = 3;

  private final EmbeddingModel embeddings;
  private final ChatModel chat;
  private final ProductIndex index;

  /** Answers with these models over {@code index}. */
  public AskService(EmbeddingModel embeddings, ChatModel chat, ProductIndex index) {
    this.embeddings = embeddings;
    this.chat = chat;
    this.index = index;
  }

  /** Answers {@code question}. */
  public Answer ask(String question) {
    Embedding q = embeddings.embed(question).content();
    List<CatalogRepository.ProductText> products = index.nearest(q, CONTEXT_PRODUCTS);
    StringBuilder context =
        new StringBuilder(
            "You are the shop's assistant. Recommend only from these products and say why:\n");
    for (CatalogRepository.ProductText p : products) {
      context.append("- ").append(p.name()).append(": ").append(p.description()).append('\n');
    }
    ChatRequest request =
        ChatRequest.builder()
            .messages(SystemMessage.from(context.toString()), UserMessage.from(question))
            .temperature(0.0)
            .build();
    String answer = chat.chat(request).aiMessage().text();
    return new Answer(answer, products.stream().map(CatalogRepository.ProductText::id).toList());
  }
}
