package dev.optimizer.ai.chat;

import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.Content;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ResponseFormat;
import dev.langchain4j.model.chat.request.ResponseFormatType;
import dev.optimizer.api.internal.Checks;
import java.util.List;
import java.util.Locale;

/**
 * The default {@link ModelRouter}: plain rules, checked in this order.
 *
 * <ol>
 *   <li>Required capabilities: a request that offers tools or asks for a JSON response goes to the
 *       strong model (reason {@code tools}, {@code json}); cheap models are the ones that get these
 *       wrong.
 *   <li>Length: a prompt (all message text) longer than {@code maxCheapPromptChars} goes to the
 *       strong model ({@code long-prompt}).
 *   <li>Difficulty: a score in [0, 1] from the last user message and the conversation, {@code 0.25
 *       × (words that signal reasoning: prove, derive, step by step, analyze, compare, debug, why,
 *       ...) + 0.25 × (contains code) + 0.15 × (more than one question) + 0.15 × (more than 6
 *       messages) + 0.2 × (last message over 600 characters)}, capped at 1; at or over {@code
 *       difficultyThreshold} goes to the strong model ({@code difficult}).
 *   <li>Otherwise the cheap model ({@code simple}).
 * </ol>
 *
 * <p>The score is deliberately simple and legible; replace the router when a learned one is
 * available. Immutable and thread-safe.
 */
public final class RuleBasedRouter implements ModelRouter {
  private static final List<String> REASONING =
      List.of(
          "prove",
          "derive",
          "step by step",
          "analy",
          "compare",
          "debug",
          "why",
          "explain",
          "optimi",
          "algorithm",
          "calculate",
          "reason");

  private final int maxCheapPromptChars;
  private final double difficultyThreshold;

  private RuleBasedRouter(int maxCheapPromptChars, double difficultyThreshold) {
    this.maxCheapPromptChars =
        Checks.inRange("maxCheapPromptChars", maxCheapPromptChars, 1, 10_000_000);
    this.difficultyThreshold = Checks.inRange("difficultyThreshold", difficultyThreshold, 0.0, 1.0);
  }

  /** Rules with {@code maxCheapPromptChars} 4000 and {@code difficultyThreshold} 0.5. */
  public static RuleBasedRouter defaults() {
    return new RuleBasedRouter(4000, 0.5);
  }

  /**
   * Rules with the given limits.
   *
   * @param maxCheapPromptChars longest prompt (characters of all messages) for the cheap model, in
   *     [1, 10^7]
   * @param difficultyThreshold difficulty score at which the strong model is chosen, in [0, 1]
   */
  public static RuleBasedRouter of(int maxCheapPromptChars, double difficultyThreshold) {
    return new RuleBasedRouter(maxCheapPromptChars, difficultyThreshold);
  }

  @Override
  public Route route(ChatRequest request) {
    if (request.toolSpecifications() != null && !request.toolSpecifications().isEmpty()) {
      return new Route(ModelTier.STRONG, "tools");
    }
    ResponseFormat format = request.responseFormat();
    if (format != null && format.type() == ResponseFormatType.JSON) {
      return new Route(ModelTier.STRONG, "json");
    }
    int chars = 0;
    for (ChatMessage m : request.messages()) {
      chars += text(m).length();
    }
    if (chars > maxCheapPromptChars) {
      return new Route(ModelTier.STRONG, "long-prompt");
    }
    if (difficulty(request.messages()) >= difficultyThreshold) {
      return new Route(ModelTier.STRONG, "difficult");
    }
    return new Route(ModelTier.CHEAP, "simple");
  }

  /** The difficulty score of a conversation, in [0, 1] (see the class comment). */
  public static double difficulty(List<ChatMessage> messages) {
    String last = "";
    for (ChatMessage m : messages) {
      if (m instanceof UserMessage) {
        last = text(m);
      }
    }
    String lower = last.toLowerCase(Locale.ROOT);
    double score = 0;
    for (String word : REASONING) {
      if (lower.contains(word)) {
        score += 0.25;
      }
    }
    if (last.contains("```") || lower.matches("(?s).*\\b(class|def|function|select)\\b.*[;{(].*")) {
      score += 0.25;
    }
    if (last.chars().filter(c -> c == '?').count() > 1) {
      score += 0.15;
    }
    if (messages.size() > 6) {
      score += 0.15;
    }
    if (last.length() > 600) {
      score += 0.2;
    }
    return Math.min(1.0, score);
  }

  private static String text(ChatMessage m) {
    if (m instanceof SystemMessage s) {
      return s.text();
    }
    if (m instanceof UserMessage u) {
      StringBuilder sb = new StringBuilder();
      for (Content c : u.contents()) {
        if (c instanceof TextContent t) {
          sb.append(t.text());
        }
      }
      return sb.toString();
    }
    if (m instanceof dev.langchain4j.data.message.AiMessage a) {
      return a.text() == null ? "" : a.text();
    }
    if (m instanceof dev.langchain4j.data.message.ToolExecutionResultMessage t) {
      return t.text() == null ? "" : t.text();
    }
    return "";
  }

  @Override
  public String toString() {
    return "RuleBasedRouter{maxCheapPromptChars="
        + maxCheapPromptChars
        + ", difficultyThreshold="
        + difficultyThreshold
        + '}';
  }
}
