package dev.optimizer.ai.testserver;

import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/** A streaming handler that records what it is given, for assertions. */
public final class RecordingHandler implements StreamingChatResponseHandler {
  /** Partial responses in arrival order. */
  public final List<String> partials = new CopyOnWriteArrayList<>();

  /** Completes with the first partial response. */
  public final CompletableFuture<String> firstPartial = new CompletableFuture<>();

  /** Completes with the complete response. */
  public final CompletableFuture<ChatResponse> done = new CompletableFuture<>();

  /** Completes with the error. */
  public final CompletableFuture<Throwable> error = new CompletableFuture<>();

  /**
   * The complete response, waiting at most {@code seconds}; the stream's error, if it failed, is
   * thrown (as the cause of an {@link java.util.concurrent.ExecutionException}).
   */
  public ChatResponse await(long seconds) throws Exception {
    CompletableFuture<ChatResponse> outcome = new CompletableFuture<>();
    done.thenAccept(outcome::complete);
    error.thenAccept(outcome::completeExceptionally);
    return outcome.get(seconds, java.util.concurrent.TimeUnit.SECONDS);
  }

  @Override
  public void onPartialResponse(String partialResponse) {
    partials.add(partialResponse);
    firstPartial.complete(partialResponse);
  }

  @Override
  public void onCompleteResponse(ChatResponse completeResponse) {
    done.complete(completeResponse);
  }

  @Override
  public void onError(Throwable e) {
    error.complete(e);
  }
}
