package dev.optimizer.ai.chat.internal;

import dev.langchain4j.model.chat.ChatRequestOptions;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.CompleteToolCall;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.PartialThinking;
import dev.langchain4j.model.chat.response.PartialThinkingContext;
import dev.langchain4j.model.chat.response.PartialToolCall;
import dev.langchain4j.model.chat.response.PartialToolCallContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.chat.response.StreamingHandle;
import dev.optimizer.ai.chat.ModelPrice;
import dev.optimizer.ai.chat.internal.cache.CachedAnswer;
import dev.optimizer.ai.chat.internal.cache.ChatKey;
import dev.optimizer.ai.chat.internal.coalesce.StreamFlights;
import dev.optimizer.ai.chat.internal.resilience.AttemptTimeoutException;
import dev.optimizer.ai.chat.internal.resilience.Failures;
import dev.optimizer.ai.chat.internal.resilience.ModelUnavailableException;
import dev.optimizer.api.Ticker;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.opentelemetry.context.Context;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs the upstream streams of an {@link OptimizedStreamingChat}: each request's attempts on its
 * chain of models, feeding one flight (its subscribers), and the recording of the answer. An
 * attempt holds a circuit breaker's permit and a first-token timer; it is retried, or the next
 * model is tried, only while it has sent no event, since events already delivered cannot be taken
 * back. A completed stream is recorded (metrics, the ledger) and cached when the rules allow.
 *
 * <p>Thread-safe: it holds no state of its own beyond the decorator's collaborators. An attempt's
 * state lives in atomics that its stream's callbacks, its first-token timer and the flight's
 * abandonment share, since each of these may run on a thread of its own (their rules are in the
 * comments of the attempt's start).
 */
final class UpstreamStreams {
  private final ChatCore core;
  private final Ticker ticker;
  // A routed pair: what an answer would have cost on the strong model is then Run.strong, never
  // the answering model's own price.
  private final boolean routed;

  UpstreamStreams(ChatCore core, Ticker ticker, boolean routed) {
    this.core = core;
    this.ticker = ticker;
    this.routed = routed;
  }

  /**
   * One request's upstream stream: the flight it feeds and what it needs to retry or store, with
   * the OpenTelemetry context of the caller that started it, in which retries and fallbacks on the
   * core's threads call the model.
   */
  record Run(
      StreamFlights.Flight flight,
      List<StreamingChatModel> chain,
      ModelPrice strong,
      ChatRequest request,
      ChatRequestOptions options,
      String scope,
      ChatKey key,
      ChatRequest effective,
      Context context) {}

  /** Starts {@code run}'s stream: the first attempt on the first model of its chain. */
  void start(Run run) {
    start(run, 0, 1);
  }

  /** Starts attempt {@code attempt} on candidate {@code index}. */
  private void start(Run run, int index, int attempt) {
    if (run.flight().ended()) {
      return; // every subscriber cancelled while this attempt waited: nobody wants it
    }
    List<StreamingChatModel> chain = run.chain();
    StreamingChatModel m = chain.get(index);
    ModelRef ref = OptimizedStreamingChat.ref(core, m, run.request());
    CircuitBreaker breaker = core.resilience().breaker(ref.id());
    if (attempt == 1) {
      core.resilience().budget().onRequest();
    }
    if (!breaker.tryAcquirePermission()) {
      moveOn(
          run, index, ref, "circuit-open", ModelUnavailableException.open(ref.id(), breaker, null));
      return;
    }
    long startNanos = ticker.read();
    // The breaker's permit is settled once: by the outcome recorded, or, when every subscriber
    // has cancelled, by handing it back. A model that honours the cancel never reports an outcome,
    // and in HALF_OPEN a permit never settled keeps the breaker waiting for an outcome for good.
    AtomicBoolean permit = new AtomicBoolean(true);
    // 0: waiting for the first event, 1: streaming, 2: ended (completed, failed or timed out).
    // LangChain4j's OpenAI client may report a cut stream both as an error and as complete; only
    // the first ending counts, and an attempt that timed out is ignored from then on.
    AtomicInteger state = new AtomicInteger();
    AtomicReference<ScheduledFuture<?>> timer = new AtomicReference<>();
    StreamingChatResponseHandler upstream =
        new StreamingChatResponseHandler() {
          /**
           * Whether an event of this attempt is still wanted. The first one (of any kind: text,
           * reasoning, a tool call) commits the attempt and stops its first-token timer; once the
           * attempt has ended, or the timer got there first, its events are dropped, so a retry's
           * stream is never preceded by a token of the attempt it replaced.
           */
          private boolean live() {
            if (state.compareAndSet(0, 1)) {
              cancel(timer);
            }
            return state.get() == 1;
          }

          private boolean handleGiven; // events of one stream arrive one after another

          /**
           * Gives the flight this attempt's stream handle, once, while the attempt is live (the
           * flight keeps the first handle it gets, so a dead attempt's must not be first); cancels
           * the stream of an attempt that ended, whose tokens nobody will read.
           */
          private boolean live(StreamingHandle handle) {
            if (!live()) {
              if (!handle.isCancelled()) {
                handle.cancel();
              }
              return false;
            }
            if (!handleGiven) {
              handleGiven = true;
              run.flight().upstream(handle);
            }
            return true;
          }

          @Override
          public void onPartialResponse(String text) {
            if (live()) {
              run.flight().partial(text);
            }
          }

          @Override
          public void onPartialResponse(PartialResponse p, PartialResponseContext c) {
            if (live(c.streamingHandle())) {
              run.flight().partial(p.text());
            }
          }

          @Override
          public void onPartialThinking(PartialThinking t) {
            if (live()) {
              run.flight().thinking(t);
            }
          }

          @Override
          public void onPartialThinking(PartialThinking t, PartialThinkingContext c) {
            if (live(c.streamingHandle())) {
              run.flight().thinking(t);
            }
          }

          @Override
          public void onPartialToolCall(PartialToolCall t) {
            if (live()) {
              run.flight().toolCall(t);
            }
          }

          @Override
          public void onPartialToolCall(PartialToolCall t, PartialToolCallContext c) {
            if (live(c.streamingHandle())) {
              run.flight().toolCall(t);
            }
          }

          @Override
          public void onCompleteToolCall(CompleteToolCall t) {
            if (live()) {
              run.flight().completeToolCall(t);
            }
          }

          @Override
          public void onUnmappedRawEvent(Object raw) {
            if (live()) {
              run.flight().rawEvent(raw);
            }
          }

          @Override
          public void onCompleteResponse(ChatResponse r) {
            if (state.getAndSet(2) == 2) {
              return;
            }
            cancel(timer);
            try {
              long took = ticker.read() - startNanos;
              if (permit.compareAndSet(true, false)) {
                breaker.onSuccess(took, TimeUnit.NANOSECONDS);
              }
              long[] t = ChatCore.tokens(r);
              core.metrics().call(ref.attributes(), took, null, (int) t[0], (int) t[1]);
              String name = r.modelName() != null ? r.modelName() : ref.name();
              core.ledger()
                  .call(
                      name,
                      run.scope(),
                      t[0],
                      t[1],
                      paid(r, ref),
                      !routed && index == 0 ? paid(r, ref) : run.strong());
              // A flight that ended before its answer (abandoned, or failed by close()) is not
              // stored: its partials may be cut, and a closed optimizer's tiers are gone.
              // A stream with tool calls is never stored (ChatCore.storable refuses its answer);
              // checked here too, so that a replay never lacks an event the stream had.
              if (run.key() != null
                  && index == 0
                  && !run.flight().ended()
                  && !run.flight().sentToolCalls()) {
                List<CachedAnswer.Part> parts = run.flight().parts();
                if (joinsTo(parts, r)) {
                  core.store(run.key(), run.effective(), r, parts);
                }
              }
            } finally {
              // Whatever the bookkeeping did, the answer reaches the callers and the flight ends:
              // a flight left open would hold every later identical request forever.
              run.flight().complete(r);
            }
          }

          @Override
          public void onError(Throwable e) {
            int before = state.getAndSet(2);
            cancel(timer);
            if (before != 2) {
              failed(run, index, attempt, ref, breaker, permit, startNanos, e, before == 1);
            }
          }
        };
    run.flight()
        .onAbandoned(
            () -> {
              cancel(timer);
              if (permit.compareAndSet(true, false)) {
                breaker.releasePermission();
              }
            });
    Duration timeout = core.settings().callTimeout();
    ScheduledFuture<?> firstTokenTimer;
    try {
      firstTokenTimer =
          core.timer()
              .schedule(
                  () -> {
                    if (state.compareAndSet(0, 2)) {
                      failed(
                          run,
                          index,
                          attempt,
                          ref,
                          breaker,
                          permit,
                          startNanos,
                          new AttemptTimeoutException(
                              "stream from "
                                  + ref.id()
                                  + " sent no token within "
                                  + timeout
                                  + " (setting callTimeout)"),
                          false);
                    }
                  },
                  timeout.toNanos(),
                  TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      // Closed under this attempt: without its timer it could wait forever.
      if (permit.compareAndSet(true, false)) {
        breaker.releasePermission();
      }
      run.flight().fail(StreamFlights.closedError(e));
      return;
    }
    timer.set(firstTokenTimer);
    if (state.get() != 0) {
      cancel(timer);
    }
    try {
      m.chat(run.request(), run.options(), upstream);
    } catch (RuntimeException e) {
      upstream.onError(e);
    }
  }

  /**
   * Whether the partials of a stream make up its final text. A replay streams the stored partials
   * and then completes with the stored text; when the two disagree (a stream whose partials were
   * cut, or a model that sends its text only with the completion) a replay would show the
   * application something the model never streamed, so such an answer is not stored.
   */
  private static boolean joinsTo(List<CachedAnswer.Part> parts, ChatResponse r) {
    String text = r.aiMessage() == null ? null : r.aiMessage().text();
    StringBuilder streamed = new StringBuilder();
    for (CachedAnswer.Part p : parts) {
      if (p.kind() == CachedAnswer.Kind.TEXT) {
        streamed.append(p.text());
      }
    }
    return text != null && streamed.toString().equals(text);
  }

  /** The price of the answering model: the name it answered with, else the one asked of it. */
  private ModelPrice paid(ChatResponse r, ModelRef ref) {
    return core.settings().price(r.modelName(), ref.name(), null);
  }

  private static void cancel(AtomicReference<ScheduledFuture<?>> timer) {
    ScheduledFuture<?> t = timer.get();
    if (t != null) {
      t.cancel(false);
    }
  }

  /**
   * An attempt failed: retry it, move on to the next model, or fail the flight. An error after
   * every subscriber cancelled is most likely the cancel itself (a client whose connection was
   * closed under its reader reports it as an I/O error): it is not the model's failure, so it
   * neither counts against the breaker nor is recorded as a failed call.
   */
  private void failed(
      Run run,
      int index,
      int attempt,
      ModelRef ref,
      CircuitBreaker breaker,
      AtomicBoolean permit,
      long startNanos,
      Throwable e,
      boolean committed) {
    if (run.flight().abandoned()) {
      if (permit.compareAndSet(true, false)) {
        breaker.releasePermission();
      }
      return;
    }
    long took = ticker.read() - startNanos;
    if (permit.compareAndSet(true, false)) {
      breaker.onError(took, TimeUnit.NANOSECONDS, e);
    }
    core.metrics().call(ref.attributes(), took, e, null, null);
    if (committed || !Failures.retryable(e)) {
      run.flight().fail(e);
      return;
    }
    Duration wait = core.resilience().nextWait(attempt, e);
    if (wait != null) {
      core.metrics().retry(ref.attributes(), e);
      execute(
          run,
          () -> {
            try {
              core.settings().sleeper().sleep(wait);
            } catch (InterruptedException ie) {
              Thread.currentThread().interrupt();
              run.flight().fail(e);
              return;
            }
            start(run, index, attempt + 1);
          });
      return;
    }
    moveOn(run, index, ref, "retries-exhausted", e);
  }

  private void moveOn(Run run, int index, ModelRef ref, String reason, Throwable last) {
    if (index + 1 < run.chain().size()) {
      core.metrics().fallback(ref.attributes(), reason);
      execute(run, () -> start(run, index + 1, 1));
    } else {
      run.flight().fail(last);
    }
  }

  /**
   * Runs the next step of a flight on the core's threads. Once the optimizer has closed they refuse
   * work; the flight then fails with that reason rather than the refusal escaping into the model
   * client's error path, where it would be logged and the subscriber left waiting.
   */
  private void execute(Run run, Runnable step) {
    try {
      core.executor().execute(run.context().wrap(step));
    } catch (RejectedExecutionException e) {
      run.flight().fail(StreamFlights.closedError(e));
    }
  }
}
