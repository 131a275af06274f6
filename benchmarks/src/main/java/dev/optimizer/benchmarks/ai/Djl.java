package dev.optimizer.benchmarks.ai;

import java.nio.file.Path;

/** Keeps DJL offline and its native-library cache under the build directory. */
final class Djl {
  private Djl() {}

  static void offline() {
    System.setProperty("ai.djl.offline", "true");
    System.setProperty("OPT_OUT_TRACKING", "true");
    if (System.getProperty("DJL_CACHE_DIR") == null && System.getenv("DJL_CACHE_DIR") == null) {
      System.setProperty(
          "DJL_CACHE_DIR", Path.of("target", "djl-cache").toAbsolutePath().toString());
    }
  }
}
