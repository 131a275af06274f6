/**
 * The index advisor: recommendations from the application's own workload, evaluated with HypoPG or
 * a rolled-back sandbox build, applied only when allowed as judged trials, and a check for the
 * user's own tests ({@link dev.optimizer.db.advisor.IndexCheck}).
 */
package dev.optimizer.db.advisor;
