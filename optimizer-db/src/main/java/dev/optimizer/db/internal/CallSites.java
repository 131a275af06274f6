package dev.optimizer.db.internal;

import java.util.Optional;

/**
 * Finds the first stack frame that belongs to the application — not to the JDK, a JDBC driver, the
 * pool, a proxy, or optimizer itself. Walking the stack costs microseconds, so it is done only for
 * slow statements and N+1 findings, never on every call.
 */
final class CallSites {
  private static final String[] INFRASTRUCTURE = {
    "java.",
    "javax.",
    "jdk.",
    "sun.",
    "com.sun.",
    "dev.optimizer.db.internal.",
    "dev.optimizer.runtime.",
    "com.zaxxer.hikari.",
    "org.postgresql.",
    "org.mariadb.",
    "com.mysql.",
    "org.h2.",
    "org.springframework.jdbc.",
    "org.hibernate.",
    "org.jooq.",
    "org.apache.ibatis."
  };

  private CallSites() {}

  static Optional<String> firstApplicationFrame() {
    return StackWalker.getInstance()
        .walk(
            frames ->
                frames
                    .filter(f -> !isInfrastructure(f.getClassName()))
                    .findFirst()
                    .map(
                        f -> f.getClassName() + "." + f.getMethodName() + ":" + f.getLineNumber()));
  }

  private static boolean isInfrastructure(String className) {
    if (className.contains("$Proxy")) {
      return true; // dynamic proxies, whatever package the JDK puts them in
    }
    for (String prefix : INFRASTRUCTURE) {
      if (className.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }
}
