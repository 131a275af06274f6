package dev.optimizer.spring.boot.autoconfigure;

import java.util.Map;

/**
 * A module's counters, added to the report that {@code /actuator/optimizer} serves and {@code
 * optimizer.report.file} receives, under {@code "modules": {name: stats}}. The db, http and ai
 * auto-configurations contribute one each; an application may add its own bean.
 */
public interface OptimizerModuleStats {

  /** The key under {@code "modules"}, such as {@code db}. */
  String name();

  /**
   * The counters now: values are strings, numbers, booleans, lists or maps of these. Called on
   * every read of the report; must be cheap and must not throw.
   */
  Map<String, Object> stats();
}
