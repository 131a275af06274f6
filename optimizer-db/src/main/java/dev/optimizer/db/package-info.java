/**
 * optimizer for JDBC and HikariCP: statement insight and N+1 detection, a self-sizing connection
 * pool, an index advisor validated on the live database, and a result cache that never serves the
 * application's own stale writes. Built on the runtime's tuning engine, judge, cache and coalescer.
 * This module is filled by the optimizer-db issues; it builds empty until then.
 */
package dev.optimizer.db;
