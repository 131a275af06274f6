package dev.optimizer.ai.chat.internal.cache;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.Content;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.request.DefaultChatRequestParameters;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Builds the {@link ChatKey} of an effective request (parameters already merged with the model's
 * defaults), or says why the request must not be cached.
 *
 * <p>The canonical encoding is a sequence of tagged, length-prefixed UTF-8 fields fed straight into
 * SHA-256, so that no two different requests encode alike ("ab"+"c" vs "a"+"bc") and no large
 * intermediate string is built. It covers: the scope, the provider, every common parameter (model,
 * temperature, top_p, top_k, frequency and presence penalties, max output tokens, stop sequences,
 * tool specifications, tool choice, response format), the provider-specific parameter object as it
 * prints itself (seed, logit bias, reasoning effort, ... for OpenAI), and every message with its
 * type, name, text parts, tool calls and tool results. A field the encoding cannot see is a field
 * that could make two different requests share an answer, so anything that is not text (images,
 * audio, video, PDF, custom messages) makes the request uncacheable rather than being skipped.
 */
public final class KeyMaker {
  /** Outcome: the key, or the reason there is none. */
  public record Result(ChatKey key, String uncacheable) {}

  private final long maxPromptBytes;

  /** A key maker that refuses prompts over {@code maxPromptBytes} of UTF-8 text. */
  public KeyMaker(long maxPromptBytes) {
    this.maxPromptBytes = maxPromptBytes;
  }

  /** The key of {@code request} in {@code scope} for {@code provider}, or why not. */
  public Result key(String scope, String provider, ChatRequest request) {
    List<ChatMessage> messages = request.messages();
    if (messages == null || messages.isEmpty()) {
      return new Result(null, "empty");
    }
    Encoder e = new Encoder();
    parameters(e, scope, provider, request.parameters());
    e.field('M', String.valueOf(messages.size()));
    long promptBytes = 0;
    for (ChatMessage m : messages) {
      String reason = message(e, m);
      if (reason != null) {
        return new Result(null, reason);
      }
      promptBytes = e.textBytes;
      if (promptBytes > maxPromptBytes) {
        return new Result(null, "too-large");
      }
    }
    if (promptBytes == 0) {
      return new Result(null, "empty");
    }
    return new Result(
        new ChatKey(scope, provider, HexFormat.of().formatHex(e.digest.digest())), null);
  }

  /**
   * The context of a request's last user turn: the digest of everything but that turn (scope,
   * provider, every parameter, every earlier message), and the turn's text. The semantic tier
   * matches turns by meaning only within one context, so two requests share an entry only when they
   * differ in nothing but the wording of their last question.
   *
   * @param singleTurnOnly when true, only requests whose earlier messages are all system messages
   *     have a context
   * @return empty when the last message is not a user message of text alone, or when {@code
   *     singleTurnOnly} and there is an earlier turn
   */
  public Optional<TurnContext> lastTurn(
      String scope, String provider, ChatRequest request, boolean singleTurnOnly) {
    List<ChatMessage> messages = request.messages();
    if (messages == null || messages.isEmpty()) {
      return Optional.empty();
    }
    if (!(messages.get(messages.size() - 1) instanceof UserMessage last)
        || !last.hasSingleText()
        || last.singleText().isBlank()) {
      return Optional.empty();
    }
    List<ChatMessage> earlier = messages.subList(0, messages.size() - 1);
    if (singleTurnOnly && !earlier.stream().allMatch(m -> m instanceof SystemMessage)) {
      return Optional.empty();
    }
    Encoder e = new Encoder();
    e.field('L', "last-turn-context");
    parameters(e, scope, provider, request.parameters());
    e.field('M', String.valueOf(earlier.size()));
    for (ChatMessage m : earlier) {
      if (message(e, m) != null) {
        return Optional.empty();
      }
    }
    e.field('n', last.name());
    return Optional.of(
        new TurnContext(HexFormat.of().formatHex(e.digest.digest()), last.singleText()));
  }

  /**
   * A last user turn and its context.
   *
   * @param context hex SHA-256 of everything in the request but the last turn's text
   * @param text the last turn's text
   */
  public record TurnContext(String context, String text) {
    @Override
    public String toString() {
      return "TurnContext{" + context.substring(0, 12) + "…}"; // never the prompt
    }
  }

  /** Scope, provider and every output-changing parameter. */
  private static void parameters(
      Encoder e, String scope, String provider, ChatRequestParameters p) {
    e.field('S', scope);
    e.field('P', provider);
    e.field('m', p.modelName());
    e.field('t', str(p.temperature()));
    e.field('p', str(p.topP()));
    e.field('k', str(p.topK()));
    e.field('f', str(p.frequencyPenalty()));
    e.field('r', str(p.presencePenalty()));
    e.field('x', str(p.maxOutputTokens()));
    List<String> stops = p.stopSequences();
    e.field('s', stops == null ? null : String.valueOf(stops.size()));
    if (stops != null) {
      stops.forEach(s -> e.field('.', s));
    }
    List<ToolSpecification> tools = p.toolSpecifications();
    e.field('T', tools == null ? null : String.valueOf(tools.size()));
    if (tools != null) {
      tools.forEach(t -> e.field('.', String.valueOf(t)));
    }
    e.field('c', str(p.toolChoice()));
    e.field('F', str(p.responseFormat()));
    if (p.getClass() != DefaultChatRequestParameters.class) {
      e.field('X', p.getClass().getName());
      e.field('.', p.toString());
    }
  }

  private static String message(Encoder e, ChatMessage m) {
    if (m instanceof SystemMessage s) {
      e.field('y', "system");
      e.text(s.text());
    } else if (m instanceof UserMessage u) {
      e.field('y', "user");
      e.field('n', u.name());
      e.field('#', String.valueOf(u.contents().size()));
      for (Content c : u.contents()) {
        if (!(c instanceof TextContent t)) {
          return "non-text";
        }
        e.text(t.text());
      }
    } else if (m instanceof AiMessage a) {
      e.field('y', "ai");
      e.text(a.text());
      e.field('h', a.thinking());
      List<ToolExecutionRequest> calls =
          a.hasToolExecutionRequests() ? a.toolExecutionRequests() : List.of();
      e.field('#', String.valueOf(calls.size()));
      for (ToolExecutionRequest call : calls) {
        e.field('i', call.id());
        e.field('n', call.name());
        e.text(call.arguments());
      }
      e.field('a', a.attributes().isEmpty() ? null : a.attributes().toString());
    } else if (m instanceof ToolExecutionResultMessage r) {
      e.field('y', "tool");
      e.field('i', r.id());
      e.field('n', r.toolName());
      e.field('e', str(r.isError()));
      e.field('#', String.valueOf(r.contents().size()));
      for (Content c : r.contents()) {
        if (!(c instanceof TextContent t)) {
          return "non-text";
        }
        e.text(t.text());
      }
    } else {
      return "unsupported-message";
    }
    return null;
  }

  private static String str(Object o) {
    return o == null ? null : o.toString();
  }

  private static final class Encoder {
    final MessageDigest digest;
    long textBytes;

    Encoder() {
      try {
        digest = MessageDigest.getInstance("SHA-256");
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("SHA-256 is required of every JVM", e);
      }
    }

    void text(String s) {
      textBytes += field('"', s);
    }

    /** Feeds one field; returns its length in UTF-8 bytes. */
    int field(char tag, String value) {
      digest.update((byte) tag);
      if (value == null) {
        digest.update(new byte[] {-1, -1, -1, -1});
        return 0;
      }
      byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
      int n = bytes.length;
      digest.update(new byte[] {(byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n});
      digest.update(bytes);
      return n;
    }
  }
}
