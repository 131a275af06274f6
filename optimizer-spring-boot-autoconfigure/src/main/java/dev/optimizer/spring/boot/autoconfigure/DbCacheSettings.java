package dev.optimizer.spring.boot.autoconfigure;

import dev.optimizer.db.cache.RemoteCacheSettings;
import dev.optimizer.db.cache.ResultCacheSettings;
import dev.optimizer.db.cache.ResultCacheTrialSettings;

/**
 * The optimizer-db cache settings made from {@code optimizer.db.result-cache.*} and {@code
 * optimizer.db.result-cache-trials.*}; the properties have been validated ({@link
 * DbProperties#validate()}) before.
 */
final class DbCacheSettings {
  private DbCacheSettings() {}

  /** The rule-based cache with its optional Redis tier, or null when it is off. */
  static ResultCacheSettings resultCache(DbProperties.ResultCache rc) {
    if (!rc.isEnabled()) {
      return null;
    }
    ResultCacheSettings.Builder cache =
        ResultCacheSettings.builder()
            .maximumBytes(rc.getMaxBytes().toBytes())
            .maximumEntryBytes(rc.effectiveMaxEntryBytes())
            .timeToLive(rc.getTtl());
    if (!rc.getTables().isEmpty()) {
      cache.cacheTables(rc.getTables().toArray(String[]::new));
    }
    rc.getPatterns().forEach(cache::cacheStatementsMatching);
    if (rc.isAllReads()) {
      cache.cacheAllReads();
    }
    ResultCacheRemoteProperties remote = rc.getRemote();
    if (remote.isConfigured()) {
      cache.remote(
          RemoteCacheSettings.builder(remote.getUri())
              .keyPrefix(remote.getKeyPrefix())
              .commandTimeout(remote.getCommandTimeout())
              .build());
    }
    return cache.build();
  }

  /** The trials, or null when they are off. */
  static ResultCacheTrialSettings trials(ResultCacheTrialProperties t) {
    if (!t.isEnabled()) {
      return null;
    }
    ResultCacheTrialSettings.Builder b =
        ResultCacheTrialSettings.builder()
            .minHitRate(t.getMinHitRate())
            .minReads(t.getMinReads())
            .maxConcurrentTrials(t.getMaxConcurrentTrials())
            .maxTrials(t.getMaxTrials())
            .maximumBytes(t.getMaxBytes().toBytes())
            .maximumEntryBytes(t.effectiveMaxEntryBytes())
            .timeToLive(t.getTtl());
    if (!t.getExcludeTables().isEmpty()) {
      b.excludeTables(t.getExcludeTables().toArray(String[]::new));
    }
    t.getExcludePatterns().forEach(b::excludeStatementsMatching);
    return b.build();
  }
}
