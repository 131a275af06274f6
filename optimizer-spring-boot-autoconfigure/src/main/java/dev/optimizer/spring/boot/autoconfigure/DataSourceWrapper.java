package dev.optimizer.spring.boot.autoconfigure;

import dev.optimizer.db.DbOptimizer;
import java.util.IdentityHashMap;
import java.util.Map;
import javax.sql.DataSource;
import org.springframework.aop.scope.ScopedObject;
import org.springframework.aop.scope.ScopedProxyUtils;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.config.DestructionAwareBeanPostProcessor;
import org.springframework.core.Ordered;

/**
 * Wraps each {@link DataSource} bean with {@link DbOptimizer#wrap}, except those named in {@code
 * optimizer.db.excluded-beans} and those already wrapped. The wrapper behaves like the pool it
 * wraps and {@code unwrap(HikariDataSource.class)} still reaches it; everything that receives the
 * bean (JPA, Flyway, the health indicator) goes through the wrapper, which is the point.
 *
 * <p>The pool's lifecycle stays the context's: Spring registers the bean it created (the pool, not
 * the wrapper) for destruction, so the context closes the pool as it would have without the
 * wrapper, and leaves open one declared with {@code destroyMethod = ""} (a pool whose lifecycle the
 * container or application owns, as Spring Boot's JNDI data source). When the pool's bean is
 * destroyed, its wrapper is closed first, which releases only what the wrapper owns (its
 * pool-sizing knob, its result cache). {@code AutowireCapableBeanFactory.destroyBean(wrapper)},
 * which Spring Cloud's rebinder calls on a refresh, neither closes the pool nor the wrapper, as it
 * does nothing to a bare pool.
 *
 * <p>A scoped DataSource (one behind a scoped proxy, as {@code @RefreshScope} or
 * {@code @Scope(proxyMode = TARGET_CLASS)} make) is not wrapped, neither its target ({@code
 * scopedTarget.NAME}) nor its proxy. The proxy may be a subclass of the pool's class, which a
 * wrapper in the target's place is not; and a wrapper over the proxy would reach the target at
 * start-up and from the optimizer's own threads (pool metrics, pool sizing), where a request,
 * session or thread scope is not the caller's. Such a DataSource is used as it is, unseen by the
 * optimizer; wrap its pool with {@link DbOptimizer#wrap} in the bean method to have it optimized.
 *
 * <p>A proxy over a wrapped pool (Spring's {@code LazyConnectionDataSourceProxy} or {@code
 * TransactionAwareDataSourceProxy} over the wrapped bean) is not wrapped again: see {@link
 * DbOptimizer#isWrapped}.
 *
 * <p>A pool that {@link DbOptimizer#wrap} refuses (a second pool of the same name, whose pool-size
 * knob would take the first one's name) is left unwrapped, with a warning: the application starts
 * as it would without optimizer. A bad {@code optimizer.*} setting still fails start-up (it fails
 * while the first DataSource bean is post-processed); the pool that bean made is then closed by its
 * definition, as the context would have closed it.
 *
 * <p>Runs late ({@link Ordered#LOWEST_PRECEDENCE}), after proxies made by other post-processors.
 */
public class DataSourceWrapper
    implements DestructionAwareBeanPostProcessor, BeanFactoryAware, Ordered {
  private static final System.Logger LOG = System.getLogger(DataSourceWrapper.class.getName());

  /**
   * The bean each wrapper replaced → the wrapper, for the beans the context will destroy (not
   * prototypes, which it never destroys). Keyed by the bean Spring created, since that, not the
   * wrapper, is what it hands to {@link #requiresDestruction} and {@link
   * #postProcessBeforeDestruction}; an entry goes when its bean is destroyed.
   */
  private final Map<Object, DataSource> wrappers = new IdentityHashMap<>();

  private ConfigurableListableBeanFactory beanFactory;

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
    if (ScopedProxyUtils.isScopedTarget(beanName) || bean instanceof ScopedObject) {
      return bean;
    }
    DbOptimizer db;
    try {
      // The first DataSource binds the properties and makes the DbOptimizer: a bad setting fails
      // here, inside this bean's creation.
      if (properties.getObject().getDb().getExcludedBeans().contains(beanName)) {
        return bean;
      }
      db = dbOptimizer.getIfUnique();
    } catch (RuntimeException | Error e) {
      release(dataSource, beanName, e);
      throw e;
    }
    if (db == null) {
      return bean;
    }
    DataSource wrapped;
    try {
      wrapped = db.wrap(dataSource);
    } catch (RuntimeException e) {
      // The application works without the wrapper (two pools of one name, say, whose pool-size
      // knobs would share it): leave this one as it is rather than fail its start.
      LOG.log(
          System.Logger.Level.WARNING,
          "DataSource bean '"
              + beanName
              + "' is left unwrapped, not optimized: "
              + e.getMessage()
              + " (list it in optimizer.db.excluded-beans to leave it alone without this warning)",
          e);
      return bean;
    }
    if (willBeDestroyed(beanName)) {
      synchronized (wrappers) {
        wrappers.put(dataSource, wrapped);
      }
    }
    return wrapped;
  }

  /**
   * Destroys a bean whose creation fails in this post-processor, as the context would have at its
   * close: Spring destroys only beans that were made, so a pool started in its bean method would
   * stay open (connections, threads) after the failed start. By the bean's definition, so a pool
   * declared with {@code destroyMethod = ""} is left open, as it would have been.
   */
  private void release(DataSource bean, String beanName, Throwable failure) {
    if (beanFactory == null
        || !beanFactory.containsBeanDefinition(beanName)
        || beanFactory.isFactoryBean(beanName)) {
      return; // not the context's to destroy (a FactoryBean's product is its factory's)
    }
    try {
      beanFactory.destroyBean(beanName, bean);
    } catch (RuntimeException | Error e) {
      failure.addSuppressed(e);
    }
  }

  @Override
  public void setBeanFactory(BeanFactory beanFactory) {
    if (beanFactory instanceof ConfigurableListableBeanFactory factory) {
      this.beanFactory = factory;
    }
  }

  /**
   * Whether the context will destroy the bean: one it defines and does not create as a prototype
   * (nor as the product of a FactoryBean, of which it destroys the factory). The wrapper of any
   * other bean is released when the DbOptimizer is closed.
   */
  private boolean willBeDestroyed(String beanName) {
    return beanFactory != null
        && beanFactory.containsBeanDefinition(beanName)
        && !beanFactory.getMergedBeanDefinition(beanName).isPrototype()
        && !beanFactory.isFactoryBean(beanName);
  }

  @Override
  public boolean requiresDestruction(Object bean) {
    synchronized (wrappers) {
      return wrappers.containsKey(bean);
    }
  }

  /**
   * Closes the wrapper of a pool whose bean the context destroys, before Spring closes the pool (by
   * the bean's destroy method, as without the wrapper). Closing the wrapper releases only what it
   * owns, so a pool re-created under the same name can be wrapped again.
   */
  @Override
  public void postProcessBeforeDestruction(Object bean, String beanName) {
    DataSource wrapper;
    synchronized (wrappers) {
      wrapper = wrappers.remove(bean);
    }
    if (wrapper instanceof AutoCloseable closeable) {
      try {
        closeable.close();
      } catch (Exception e) {
        LOG.log(
            System.Logger.Level.WARNING,
            "closing the wrapper of DataSource bean '" + beanName + "'",
            e);
      }
    }
  }

  /** How many wrappers wait for their bean's destruction; for tests. */
  int tracked() {
    synchronized (wrappers) {
      return wrappers.size();
    }
  }

  @Override
  public int getOrder() {
    return Ordered.LOWEST_PRECEDENCE;
  }
}
