package dev.optimizer.ai.chat.internal.cache;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.image.Image;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.model.chat.response.ChatResponse;
import java.util.List;
import java.util.Map;

/**
 * A stored answer: the complete response, and for a streamed answer the partial responses in the
 * order they arrived, so that a hit can be replayed as a stream. Immutable.
 *
 * @param response the complete response, without the provider's raw HTTP response
 * @param partials the partial texts of a stream; for a blocking answer, the text as one part
 */
public record CachedAnswer(ChatResponse response, List<String> partials) {
  /** Copies the list. */
  public CachedAnswer {
    partials = List.copyOf(partials);
  }

  // Nesting deeper than this in an attribute value is weighed by its printed form.
  private static final int MAX_DEPTH = 8;

  /**
   * Approximate bytes held, for the caches' byte bounds: everything the entry keeps, two bytes a
   * character. The text and the streamed parts; the reasoning ({@code thinking}), which a reasoning
   * model may make many times longer than the answer; tool calls (never stored today, but weighed
   * should that change); the message's attributes (a reasoning signature, generated images) and the
   * metadata (id, model name); plus a fixed overhead per object.
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
    chars += length(response.id()) + length(response.modelName());
    for (String p : partials) {
      chars += p.length() + 24;
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
