package dev.optimizer.samples;

import java.nio.file.Path;

/** Keeps DJL (LangChain4j's tokenizer) offline, as optimizer-ai's tests do: nothing downloads. */
final class Offline {
  private Offline() {}

  static void djl() {
    System.setProperty("ai.djl.offline", "true");
    System.setProperty("OPT_OUT_TRACKING", "true");
    if (System.getProperty("DJL_CACHE_DIR") == null && System.getenv("DJL_CACHE_DIR") == null) {
      // Where the tokenizer's native library is unpacked from its jar.
      Path dir = Path.of(System.getProperty("java.io.tmpdir"), "optimizer-samples-djl");
      System.setProperty("DJL_CACHE_DIR", dir.toString());
    }
  }
}
