package dev.optimizer.spring.boot.autoconfigure;

import java.util.Map;
import java.util.function.Function;
import org.springframework.beans.factory.ObjectProvider;

/**
 * A module's report entry, read from the one bean of its kind. With several (an application that
 * defines two {@code HttpOptimizer}s, say) it reports none rather than pick one or fail the
 * context.
 */
final class UniqueBeanStats {
  private UniqueBeanStats() {}

  static <T> OptimizerModuleStats of(
      String name, ObjectProvider<T> beans, Function<T, Map<String, Object>> stats) {
    return new OptimizerModuleStats() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public Map<String, Object> stats() {
        T bean = beans.getIfUnique();
        return bean == null ? Map.of("reported", false) : stats.apply(bean);
      }
    };
  }
}
