package dev.optimizer.spring.boot.autoconfigure;

import dev.optimizer.db.DbOptimizer;
import dev.optimizer.db.StatementStats;
import dev.optimizer.db.cache.ResultCacheSettings;
import dev.optimizer.db.cache.ResultCacheStats;
import dev.optimizer.db.cache.ResultCacheTrialSettings;
import dev.optimizer.runtime.Optimizer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.context.annotation.Bean;
import org.springframework.core.io.ResourceLoader;

/**
 * optimizer-db for Spring Boot: a {@link DbOptimizer} from {@code optimizer.db.*}, and every {@code
 * DataSource} bean wrapped by it (see {@link DataSourceWrapper}). On when optimizer-db is on the
 * class path and {@code optimizer.enabled} and {@code optimizer.db.enabled} are not false.
 */
@AutoConfiguration(after = OptimizerAutoConfiguration.class)
@ConditionalOnClass(name = {"dev.optimizer.db.DbOptimizer", "javax.sql.DataSource"})
@ConditionalOnProperty(
    prefix = "optimizer",
    name = {"enabled", "db.enabled"},
    havingValue = "true",
    matchIfMissing = true)
@ConditionalOnSingleCandidate(Optimizer.class)
public class OptimizerDbAutoConfiguration {

  /**
   * The DbOptimizer, with {@code optimizer.db.*}. A Redis URI is checked here, not when it binds,
   * so that no failure report shows it; Lettuce is looked up through the application's class
   * loader.
   */
  @Bean
  @ConditionalOnMissingBean
  public DbOptimizer dbOptimizer(
      Optimizer optimizer, OptimizerProperties properties, ResourceLoader resourceLoader) {
    DbProperties p = properties.getDb();
    p.validate();
    if (p.getResultCache().getRemote().isConfigured()) {
      RedisUris.requireClient(
          "optimizer.db.result-cache.remote.uri", resourceLoader.getClassLoader());
    }
    DbOptimizer.Builder b =
        DbOptimizer.builder(optimizer)
            .slowStatementThreshold(p.getSlowStatementThreshold())
            .nPlusOneThreshold(p.getNPlusOneThreshold())
            .maxFingerprints(p.getMaxFingerprints())
            .maxStatementLength(p.getMaxStatementLength())
            .operationCardinalityLimit(p.getOperationCardinalityLimit())
            .poolSizing(p.isPoolSizing())
            .poolBudget(p.getPoolBudget())
            .minPoolSize(p.getMinPoolSize())
            .batchRewrite(p.isBatchRewrite());
    ResultCacheSettings cache = DbCacheSettings.resultCache(p.getResultCache());
    if (cache != null) {
      b.resultCache(cache);
    }
    ResultCacheTrialSettings trials = DbCacheSettings.trials(p.getResultCacheTrials());
    if (trials != null) {
      b.resultCacheTrials(trials);
    }
    return b.build();
  }

  /**
   * Wraps DataSource beans. Static, and looking its collaborators up only when the first DataSource
   * arrives, so that registering it creates nothing early.
   */
  @Bean
  public static DataSourceWrapper optimizerDataSourceWrapper(
      ObjectProvider<DbOptimizer> dbOptimizer, ObjectProvider<OptimizerProperties> properties) {
    return new DataSourceWrapper(dbOptimizer, properties);
  }

  /** The db counters in the report: top statements, N+1 loops, write loops, result cache. */
  @Bean
  public OptimizerModuleStats optimizerDbStats(ObjectProvider<DbOptimizer> dbs) {
    return UniqueBeanStats.of("db", dbs, OptimizerDbAutoConfiguration::dbStats);
  }

  private static Map<String, Object> dbStats(DbOptimizer db) {
    Map<String, Object> m = new LinkedHashMap<>();
    List<Map<String, Object>> top = new ArrayList<>();
    for (StatementStats s : db.insight().topByTotalTime(10)) {
      Map<String, Object> st = new LinkedHashMap<>();
      st.put("summary", s.summary());
      st.put("text", s.text());
      st.put("calls", s.calls());
      st.put("errors", s.errors());
      st.put("rows", s.rows());
      st.put("totalMillis", s.totalNanos() / 1e6);
      st.put("p50Millis", s.p50Nanos() / 1e6);
      st.put("p99Millis", s.p99Nanos() / 1e6);
      st.put("maxMillis", s.maxNanos() / 1e6);
      top.add(st);
    }
    m.put("topStatements", top);
    m.put("nPlusOneLoops", db.insight().nPlusOnes().size());
    m.put("writeLoops", db.writeLoops().size());
    ResultCacheStats c = db.resultCacheStats();
    Map<String, Object> cache = new LinkedHashMap<>();
    cache.put("hits", c.hits());
    cache.put("misses", c.misses());
    cache.put("hitRate", c.hitRate());
    cache.put("bypasses", c.bypasses());
    cache.put("stores", c.stores());
    cache.put("invalidations", c.invalidations());
    cache.put("evictions", c.evictions());
    cache.put("bytes", c.bytes());
    cache.put("remoteHits", c.remoteHits());
    cache.put("remoteErrors", c.remoteErrors());
    m.put("resultCache", cache);
    return m;
  }
}
