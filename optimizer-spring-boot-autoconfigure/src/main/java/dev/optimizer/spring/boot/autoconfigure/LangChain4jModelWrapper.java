package dev.optimizer.spring.boot.autoconfigure;

import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.optimizer.ai.AiOptimizer;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.core.Ordered;

/**
 * Wraps LangChain4j model beans with {@link AiOptimizer#wrap}: {@link ChatModel}, {@link
 * StreamingChatModel} and {@link EmbeddingModel}, except those named in {@code
 * optimizer.ai.excluded-beans} and optimizer's own decorators. A bean is then seen as the interface
 * (a ChatModel, say), no longer as its concrete class.
 */
public class LangChain4jModelWrapper implements BeanPostProcessor, Ordered {
  private final ObjectProvider<AiOptimizer> aiOptimizer;
  private final ObjectProvider<OptimizerProperties> properties;

  /** Looks both up when the first model arrives. */
  public LangChain4jModelWrapper(
      ObjectProvider<AiOptimizer> aiOptimizer, ObjectProvider<OptimizerProperties> properties) {
    this.aiOptimizer = aiOptimizer;
    this.properties = properties;
  }

  @Override
  public Object postProcessAfterInitialization(Object bean, String beanName) {
    boolean chat = bean instanceof ChatModel;
    boolean streaming = bean instanceof StreamingChatModel;
    boolean embedding = bean instanceof EmbeddingModel;
    if (!(chat || streaming || embedding)
        || AiOptimizer.isWrapped(bean)
        || properties.getObject().getAi().getExcludedBeans().contains(beanName)) {
      return bean;
    }
    AiOptimizer ai = aiOptimizer.getIfUnique();
    if (ai == null) {
      return bean;
    }
    if (chat) {
      return ai.wrap((ChatModel) bean);
    }
    if (streaming) {
      return ai.wrap((StreamingChatModel) bean);
    }
    return ai.wrap((EmbeddingModel) bean);
  }

  @Override
  public int getOrder() {
    return Ordered.LOWEST_PRECEDENCE;
  }
}
