package dev.optimizer.spring.boot.autoconfigure;

import dev.optimizer.db.DbOptimizer;
import dev.optimizer.db.internal.InstrumentedDataSource;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.core.Ordered;

/**
 * Wraps each {@link DataSource} bean with {@link DbOptimizer#wrap}, except those named in {@code
 * optimizer.db.excluded-beans} and those already wrapped. The wrapper behaves like the pool it
 * wraps and {@code unwrap(HikariDataSource.class)} still reaches it; everything that receives the
 * bean (JPA, Flyway, the health indicator) goes through the wrapper, which is the point.
 *
 * <p>Runs late ({@link Ordered#LOWEST_PRECEDENCE}), after proxies made by other post-processors.
 */
public class DataSourceWrapper implements BeanPostProcessor, Ordered {
  private final ObjectProvider<DbOptimizer> dbOptimizer;
  private final ObjectProvider<OptimizerProperties> properties;

  /** Looks both up when the first DataSource arrives. */
  public DataSourceWrapper(
      ObjectProvider<DbOptimizer> dbOptimizer, ObjectProvider<OptimizerProperties> properties) {
    this.dbOptimizer = dbOptimizer;
    this.properties = properties;
  }

  @Override
  public Object postProcessAfterInitialization(Object bean, String beanName) {
    if (!(bean instanceof DataSource dataSource) || bean instanceof InstrumentedDataSource) {
      return bean;
    }
    if (properties.getObject().getDb().getExcludedBeans().contains(beanName)) {
      return bean;
    }
    DbOptimizer db = dbOptimizer.getIfUnique();
    return db == null ? bean : db.wrap(dataSource);
  }

  @Override
  public int getOrder() {
    return Ordered.LOWEST_PRECEDENCE;
  }
}
