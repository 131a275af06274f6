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
    // Spring Data JPA runs a repository call through AOP, transactions, ORM and Data's query
    // execution: without these every site would be SharedEntityManagerCreator or
    // JpaQueryExecution, and one statement's loops at different sites would read as one.
    "org.springframework.orm.",
    "org.springframework.data.",
    "org.springframework.aop.",
    "org.springframework.transaction.",
    "org.springframework.dao.",
    "org.springframework.cglib.",
    "jakarta.",
    "org.hibernate.",
    "net.bytebuddy.",
    "io.micrometer.",
    "io.opentelemetry.",
    "net.ttddyy.",
    "com.p6spy.",
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

  /**
   * Generated classes in the application's own package: JDK dynamic proxies, Spring's CGLIB
   * subclasses of a repository or service, Hibernate's and ByteBuddy's proxies. Their frame sits
   * between the caller and the framework and names no line of the application.
   */
  private static final String[] PROXY_MARKERS = {
    "$Proxy", "$$SpringCGLIB$$", "$$EnhancerBySpringCGLIB$$", "$HibernateProxy$", "$ByteBuddy$"
  };

  private static boolean isInfrastructure(String className) {
    for (String marker : PROXY_MARKERS) {
      if (className.contains(marker)) {
        return true;
      }
    }
    for (String prefix : INFRASTRUCTURE) {
      if (className.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }
}
