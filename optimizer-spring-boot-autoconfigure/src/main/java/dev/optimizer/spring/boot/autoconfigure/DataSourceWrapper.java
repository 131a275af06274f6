package dev.optimizer.spring.boot.autoconfigure;

import dev.optimizer.db.DbOptimizer;
import java.util.IdentityHashMap;
import java.util.Map;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.DestructionAwareBeanPostProcessor;
import org.springframework.core.Ordered;

/**
 * Wraps each {@link DataSource} bean with {@link DbOptimizer#wrap}, except those named in {@code
 * optimizer.db.excluded-beans} and those already wrapped. The wrapper behaves like the pool it
 * wraps and {@code unwrap(HikariDataSource.class)} still reaches it; everything that receives the
 * bean (JPA, Flyway, the health indicator) goes through the wrapper, which is the point.
 *
 * <p>When the context destroys a wrapped bean, the pool behind it is closed too, as it would have
 * been without the wrapper; a bean declared with {@code destroyMethod = ""} (a pool whose lifecycle
 * the container or application owns, as Spring Boot's JNDI data source) is left open, as Spring
 * leaves it.
 *
 * <p>A proxy over a wrapped pool (Spring's {@code LazyConnectionDataSourceProxy} or {@code
 * TransactionAwareDataSourceProxy} over the wrapped bean) is not wrapped again: see {@link
 * DbOptimizer#isWrapped}.
 *
 * <p>Runs late ({@link Ordered#LOWEST_PRECEDENCE}), after proxies made by other post-processors.
 */
public class DataSourceWrapper implements DestructionAwareBeanPostProcessor, Ordered {
  private static final System.Logger LOG = System.getLogger(DataSourceWrapper.class.getName());

  /** Wrapper → the bean it replaced, whose lifecycle the context still owns. */
  private final Map<Object, DataSource> delegates = new IdentityHashMap<>();

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
    if (!(bean instanceof DataSource dataSource) || DbOptimizer.isWrapped(dataSource)) {
      return bean;
    }
    if (properties.getObject().getDb().getExcludedBeans().contains(beanName)) {
      return bean;
    }
    DbOptimizer db = dbOptimizer.getIfUnique();
    if (db == null) {
      return bean;
    }
    DataSource wrapped = db.wrap(dataSource);
    synchronized (delegates) {
      delegates.put(wrapped, dataSource);
    }
    return wrapped;
  }

  @Override
  public boolean requiresDestruction(Object bean) {
    synchronized (delegates) {
      return delegates.containsKey(bean);
    }
  }

  /**
   * Closes the pool behind a wrapper when the context destroys the bean. The wrapper's own {@code
   * close()} (the method Spring infers as the bean's destroy method) releases only what the wrapper
   * owns, so without this the application's pool would stay open after the context closed — Spring
   * would have closed it had we not wrapped it.
   */
  @Override
  public void postProcessBeforeDestruction(Object bean, String beanName) {
    DataSource delegate;
    synchronized (delegates) {
      delegate = delegates.remove(bean);
    }
    if (delegate instanceof AutoCloseable closeable) {
      try {
        closeable.close();
      } catch (Exception e) {
        LOG.log(
            System.Logger.Level.WARNING, "closing the DataSource of bean '" + beanName + "'", e);
      }
    }
  }

  @Override
  public int getOrder() {
    return Ordered.LOWEST_PRECEDENCE;
  }
}
