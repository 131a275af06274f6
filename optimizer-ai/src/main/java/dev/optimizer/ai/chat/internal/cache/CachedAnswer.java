package dev.optimizer.ai.chat.internal.cache;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.image.Image;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.model.chat.response.ChatResponse;
import java.util.List;
import java.util.Map;

/**
 * A stored answer: the complete response, and for a streamed answer its parts (text and reasoning)
 * in the order they arrived, so that a hit can be replayed as the same stream: the same partial
 * responses and partial thinking, in the same order, then the complete response with its text,
 * reasoning, finish reason and token usage. Answers with tool calls are never stored ({@code
 * ChatCore.storable}), so there are no tool-call events to keep; the provider's unmapped raw events
 * are wire artifacts, left out like the raw HTTP response. Immutable.
 *
 * @param response the complete response, without the provider's raw HTTP response
 * @param parts the parts of a stream in arrival order; for a blocking answer, its reasoning (if
 *     any) and its text, each as one part
 */
public record CachedAnswer(ChatResponse response, List<Part> parts) {
  /** Copies the list. */
  public CachedAnswer {
    parts = List.copyOf(parts);
  }

  /** What a part of a stream is. */
  public enum Kind {
    /** A partial response: answer text. */
    TEXT,
    /** Partial thinking: the model's reasoning. */
    THINKING
  }

  /** One streamed part. */
  public record Part(Kind kind, String text) {
    /** Checks the part. */
    public Part {
      java.util.Objects.requireNonNull(kind, "kind");
      java.util.Objects.requireNonNull(text, "text");
    }

    /** A partial response. */
    public static Part text(String text) {
      return new Part(Kind.TEXT, text);
    }

    /** A part of the reasoning. */
    public static Part thinking(String text) {
      return new Part(Kind.THINKING, text);
    }
  }

  /**
   * A blocking answer, to be replayed as a stream of its reasoning (when it has any) and then its
   * text, each as one part: what a stream of the same answer would show, at the coarsest grain.
   */
  public static CachedAnswer whole(ChatResponse response) {
    List<Part> parts = new java.util.ArrayList<>(2);
    AiMessage m = response.aiMessage();
    if (m != null && m.thinking() != null && !m.thinking().isEmpty()) {
      parts.add(Part.thinking(m.thinking()));
    }
    if (m != null && m.text() != null) {
      parts.add(Part.text(m.text()));
    }
    return new CachedAnswer(response, parts);
  }

  /** The text parts alone, in order. */
  public List<String> partials() {
    return parts.stream().filter(p -> p.kind() == Kind.TEXT).map(Part::text).toList();
  }

  // Nesting deeper than this in an attribute value is weighed by its printed form.
  private static final int MAX_DEPTH = 8;

  /**
   * Approximate bytes held, for the caches' byte bounds: everything the entry keeps, two bytes a
   * character. The text and the streamed parts; the reasoning ({@code thinking}), which a reasoning
   * model may make many times longer than the answer; tool calls (never stored today, but weighed
   * should that change); the message's attributes (a reasoning signature, generated images) and the
   * metadata (id, model name, token usage, the provider's fields); plus a fixed overhead per
   * object.
   */
  public int weightBytes() {
    long chars = 0;
    AiMessage m = response.aiMessage();
    chars += length(m.text()) + length(m.thinking());
    if (m.hasToolExecutionRequests()) {
      for (ToolExecutionRequest t : m.toolExecutionRequests()) {
        chars += 24 + length(t.id()) + length(t.name()) + length(t.arguments());
      }
    }
    for (Map.Entry<String, Object> a : m.attributes().entrySet()) {
      chars += 24 + length(a.getKey()) + chars(a.getValue(), 0);
    }
    // The metadata as it prints: id, model name, token usage and the provider's own fields.
    chars += String.valueOf(response.metadata()).length();
    for (Part p : parts) {
      chars += p.text().length() + 24;
    }
    return (int) Math.min(Integer.MAX_VALUE, 512 + 2 * chars);
  }

  private static long length(String s) {
    return s == null ? 0 : s.length();
  }

  /** Characters an attribute value holds, by its parts where it has any. */
  private static long chars(Object v, int depth) {
    if (v == null) {
      return 0;
    }
    if (v instanceof CharSequence s) {
      return s.length();
    }
    if (depth < MAX_DEPTH) {
      if (v instanceof Image i) {
        return 24
            + (i.url() == null ? 0 : i.url().toString().length())
            + length(i.base64Data())
            + length(i.mimeType())
            + length(i.revisedPrompt());
      }
      if (v instanceof Iterable<?> it) {
        long n = 0;
        for (Object o : it) {
          n += 8 + chars(o, depth + 1);
        }
        return n;
      }
      if (v instanceof Map<?, ?> map) {
        long n = 0;
        for (Map.Entry<?, ?> e : map.entrySet()) {
          n += 16 + chars(e.getKey(), depth + 1) + chars(e.getValue(), depth + 1);
        }
        return n;
      }
    }
    return String.valueOf(v).length();
  }
}
