package dev.optimizer.samples;

import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.optimizer.ai.AiOptimizer;
import dev.optimizer.ai.chat.ChatAccounting;
import dev.optimizer.ai.chat.ModelPrice;
import dev.optimizer.ai.testserver.LocalOpenAiServer;
import dev.optimizer.runtime.Optimizer;
import io.opentelemetry.api.OpenTelemetry;
import java.time.Duration;
import java.util.List;

/**
 * optimizer-ai in front of LangChain4j's real {@link OpenAiChatModel}, talking to a local
 * OpenAI-compatible server (optimizer-ai's test server, answering after 300 ms) in place of a
 * hosted LLM, with the exact and the semantic cache (over the in-process quantized
 * all-MiniLM-L6-v2) on. The server counts the calls that reach it; a cached answer still names the
 * question it answered.
 *
 * <p>Run: {@code ./mvnw -q -pl samples/plain-java -am package -DskipTests && java -cp
 * "samples/plain-java/target/classes:$(cat samples/plain-java/target/classpath.txt)"
 * dev.optimizer.samples.ChatSample}
 */
public final class ChatSample {
  private ChatSample() {}

  /**
   * The questions, in order: a question; the same again (exact tier); another casing, which the
   * uncased model embeds identically (semantic tier); a paraphrase at cosine 0.984, below the
   * default guard's 0.995, so it goes to the LLM: the guard prefers a miss to a wrong answer.
   */
  public static final List<String> QUESTIONS =
      List.of(
          "How do I learn Java?",
          "How do I learn Java?",
          "how do I learn java?",
          "How can I learn Java?");

  /** Questions asked, calls the LLM server saw, and the accounting. */
  public record Result(int asked, int serverCalls, ChatAccounting accounting) {}

  /** Asks the questions and prints what reached the LLM. */
  public static void main(String[] args) {
    Result r = run();
    System.out.printf(
        "%nasked %d questions, the LLM server saw %d%n%s%n",
        r.asked(), r.serverCalls(), r.accounting());
  }

  /** Asks {@link #QUESTIONS} through the optimized model. */
  public static Result run() {
    Offline.djl();
    try (LocalOpenAiServer llm = LocalOpenAiServer.start().latency(Duration.ofMillis(300));
        Optimizer optimizer = Optimizer.builder().openTelemetry(OpenTelemetry.noop()).build();
        AiOptimizer ai =
            AiOptimizer.builder(optimizer)
                .semanticCache(true)
                .price("gpt-4o-mini", new ModelPrice(0.15, 0.60))
                .build()) {
      ChatModel openAi =
          OpenAiChatModel.builder()
              .baseUrl(llm.baseUrl())
              .apiKey("local")
              .modelName("gpt-4o-mini")
              .temperature(0.0) // deterministic requests only are cached
              .build();
      ChatModel chat = ai.wrap(openAi);

      for (String question : QUESTIONS) {
        long start = System.nanoTime();
        String answer = chat.chat(question);
        System.out.printf(
            "%-24s %4d ms  server calls so far: %d  -> %s%n",
            question, (System.nanoTime() - start) / 1_000_000, llm.chatRequests(), answer);
      }
      return new Result(QUESTIONS.size(), llm.chatRequests(), ai.accounting());
    }
  }
}
