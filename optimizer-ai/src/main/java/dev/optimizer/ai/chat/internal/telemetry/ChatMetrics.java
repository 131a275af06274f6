package dev.optimizer.ai.chat.internal.telemetry;

import dev.optimizer.ai.chat.internal.resilience.AttemptTimeoutException;
import dev.optimizer.ai.internal.ErrorTypes;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleCounter;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.LongHistogram;
import io.opentelemetry.api.metrics.Meter;
import java.util.List;
import java.util.Locale;

/**
 * The OpenTelemetry instruments of the chat decorators. Semantic conventions for each upstream
 * call: {@code gen_ai.client.operation.duration} (s) and {@code gen_ai.client.token.usage}
 * ({token}, with {@code gen_ai.token.type} input/output), attributes {@code gen_ai.operation.name}
 * = chat, {@code gen_ai.provider.name}, {@code gen_ai.request.model} (the model the request named,
 * else the wrapped model's default), {@code error.type} on failure (see {@link #errorType}). Our
 * own counters under {@code optimizer.ai.*}: cache hits (by tier: exact, semantic) and misses,
 * coalesced calls, retries, fallbacks, routing decisions (by tier and reason), budget refusals and
 * downgrades, tokens and cost saved. Prompts, answers and scopes are never recorded.
 */
public final class ChatMetrics {
  private static final AttributeKey<String> OPERATION =
      AttributeKey.stringKey("gen_ai.operation.name");
  private static final AttributeKey<String> PROVIDER =
      AttributeKey.stringKey("gen_ai.provider.name");
  private static final AttributeKey<String> MODEL = AttributeKey.stringKey("gen_ai.request.model");
  private static final AttributeKey<String> TOKEN_TYPE =
      AttributeKey.stringKey("gen_ai.token.type");
  private static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
  private static final AttributeKey<String> TIER =
      AttributeKey.stringKey("optimizer.ai.cache.tier");
  private static final AttributeKey<String> ROUTE = AttributeKey.stringKey("optimizer.ai.route");
  private static final AttributeKey<String> REASON = AttributeKey.stringKey("optimizer.ai.reason");
  private static final AttributeKey<String> MODE = AttributeKey.stringKey("optimizer.ai.mode");

  private static final List<Double> SECONDS =
      List.of(
          0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92);
  private static final List<Long> TOKENS =
      List.of(1L, 4L, 16L, 64L, 256L, 1024L, 4096L, 16384L, 65536L, 262144L, 1048576L);

  private final DoubleHistogram duration;
  private final LongHistogram tokenUsage;
  private final LongCounter hits;
  private final LongCounter misses;
  private final LongCounter coalesced;
  private final LongCounter retries;
  private final LongCounter fallbacks;
  private final LongCounter routing;
  private final LongCounter budget;
  private final LongCounter tokensSaved;
  private final DoubleCounter costSaved;

  /** Instruments on {@code meter}. */
  public ChatMetrics(Meter meter) {
    duration =
        meter
            .histogramBuilder("gen_ai.client.operation.duration")
            .setUnit("s")
            .setDescription("GenAI operation duration.")
            .setExplicitBucketBoundariesAdvice(SECONDS)
            .build();
    tokenUsage =
        meter
            .histogramBuilder("gen_ai.client.token.usage")
            .ofLongs()
            .setUnit("{token}")
            .setDescription("Number of input and output tokens used.")
            .setExplicitBucketBoundariesAdvice(TOKENS)
            .build();
    hits = counter(meter, "optimizer.ai.cache.hits", "{hit}", "Chat requests answered from cache.");
    misses =
        counter(meter, "optimizer.ai.cache.misses", "{miss}", "Cacheable chat requests not found.");
    coalesced =
        counter(
            meter,
            "optimizer.ai.coalesced",
            "{call}",
            "Chat requests that joined an identical request in flight.");
    retries = counter(meter, "optimizer.ai.retries", "{retry}", "Chat calls retried.");
    fallbacks =
        counter(meter, "optimizer.ai.fallbacks", "{fallback}", "Chat calls sent to a fallback.");
    routing =
        counter(meter, "optimizer.ai.routing.decisions", "{decision}", "Routing decisions made.");
    budget =
        counter(
            meter,
            "optimizer.ai.budget.actions",
            "{request}",
            "Requests refused or downgraded by a budget.");
    tokensSaved =
        counter(
            meter, "optimizer.ai.tokens.saved", "{token}", "Tokens not spent thanks to the cache.");
    costSaved =
        meter
            .counterBuilder("optimizer.ai.cost.saved")
            .ofDoubles()
            .setUnit("USD")
            .setDescription("Dollars not spent, against always calling the strong model.")
            .build();
  }

  private static LongCounter counter(Meter meter, String name, String unit, String description) {
    return meter.counterBuilder(name).setUnit(unit).setDescription(description).build();
  }

  /** Attributes of calls to one model ({@code provider}: a LangChain4j {@code ModelProvider}). */
  public static Attributes model(String provider, String model) {
    var b = Attributes.builder().put(OPERATION, "chat").put(PROVIDER, providerName(provider));
    if (model != null) {
      b.put(MODEL, model);
    }
    return b.build();
  }

  /**
   * The {@code gen_ai.provider.name} of a LangChain4j {@code ModelProvider}: the semantic
   * conventions' well-known value where there is one, else the lower-cased enum name.
   */
  static String providerName(String provider) {
    return switch (provider) {
      case "OPEN_AI" -> "openai";
      case "ANTHROPIC" -> "anthropic";
      case "AMAZON_BEDROCK" -> "aws.bedrock";
      case "AZURE_OPEN_AI" -> "azure.ai.openai";
      case "GOOGLE_AI_GEMINI", "GOOGLE_GENAI" -> "gcp.gemini";
      case "GOOGLE_VERTEX_AI_GEMINI", "GOOGLE_VERTEX_AI_ANTHROPIC" -> "gcp.vertex_ai";
      case "MISTRAL_AI" -> "mistral_ai";
      case "WATSONX" -> "ibm.watsonx.ai";
      case "COHERE" -> "cohere";
      case "MICROSOFT_FOUNDRY" -> "azure.ai.inference";
      default -> provider.toLowerCase(Locale.ROOT);
    };
  }

  /** Records one upstream call. */
  public void call(Attributes model, long nanos, Throwable error, Integer input, Integer output) {
    Attributes a =
        error == null ? model : model.toBuilder().put(ERROR_TYPE, errorType(error)).build();
    duration.record(nanos / 1e9, a);
    if (input != null) {
      tokenUsage.record(input, model.toBuilder().put(TOKEN_TYPE, "input").build());
    }
    if (output != null) {
      tokenUsage.record(output, model.toBuilder().put(TOKEN_TYPE, "output").build());
    }
  }

  /** Records a cache hit in {@code tier} and the tokens it saved. */
  public void hit(String tier, Attributes model, long tokens) {
    hits.add(1, model.toBuilder().put(TIER, tier).build());
    if (tokens > 0) {
      tokensSaved.add(tokens, model);
    }
  }

  /** Records a cacheable request not found in any tier. */
  public void miss(Attributes model) {
    misses.add(1, model);
  }

  /** Records a request that joined one in flight. */
  public void coalesced(Attributes model, String mode) {
    coalesced.add(1, model.toBuilder().put(MODE, mode).build());
  }

  /** Records a retry. */
  public void retry(Attributes model, Throwable cause) {
    retries.add(1, model.toBuilder().put(ERROR_TYPE, errorType(cause)).build());
  }

  /** Records a fallback away from {@code model}. */
  public void fallback(Attributes model, String reason) {
    fallbacks.add(1, model.toBuilder().put(REASON, reason).build());
  }

  /** Records a routing decision. */
  public void routed(String tier, String reason) {
    routing.add(1, Attributes.of(ROUTE, tier, REASON, reason));
  }

  /** Records a budget refusal or downgrade. */
  public void budget(String action) {
    budget.add(1, Attributes.of(MODE, action));
  }

  /** Records dollars saved. */
  public void costSaved(double usd, String reason) {
    if (usd > 0) {
      costSaved.add(usd, Attributes.of(REASON, reason));
    }
  }

  /**
   * The {@code error.type} of {@code error}, by the module's one rule ({@link ErrorTypes}): the
   * HTTP status code when a LangChain4j {@code HttpException} is in the cause chain, {@code
   * "timeout"} for an attempt this decorator abandoned after {@code callTimeout} (also when it
   * reaches us inside a bare wrapper), else the class name of the first exception in the chain that
   * is not a bare wrapper.
   */
  public static String errorType(Throwable error) {
    return ERROR_TYPES.of(error);
  }

  private static final ErrorTypes ERROR_TYPES = new ErrorTypes(AttemptTimeoutException.class);
}
