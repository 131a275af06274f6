package dev.optimizer.demo.downstream;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/** Named daemon threads, so that the demo's servers never keep the JVM alive. */
public final class DaemonThreads {
  private DaemonThreads() {}

  /** A factory of daemon threads named {@code prefix-N}. */
  public static ThreadFactory named(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
