package dev.optimizer.ai.chat.internal.cache;

import dev.langchain4j.model.chat.response.ChatResponse;
import java.util.List;

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

  /** Approximate bytes held, for the cache's weigher. */
  public int weightBytes() {
    long chars = 0;
    String text = response.aiMessage().text();
    if (text != null) {
      chars += text.length();
    }
    for (String p : partials) {
      chars += p.length() + 24;
    }
    return (int) Math.min(Integer.MAX_VALUE, 512 + 2 * chars);
  }
}
