package dev.optimizer.db.internal;

/** What a connection pool can tell about itself, read when metrics are collected. */
interface PoolView {
  long idle();

  long used();

  long max();

  long pending();
}
