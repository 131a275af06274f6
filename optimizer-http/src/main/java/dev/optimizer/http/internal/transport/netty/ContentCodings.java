package dev.optimizer.http.internal.transport.netty;

/**
 * The content codings the transport decodes, and so advertises in {@code Accept-Encoding}: gzip and
 * deflate always (Netty's zlib), {@code br} only when Google's brotli decoder ({@code
 * org.brotli:dec}) is on the class path. This class must not refer to the decoder itself, so that
 * it loads without it.
 */
final class ContentCodings {
  private static final boolean BROTLI = present("org.brotli.dec.BrotliInputStream");

  private ContentCodings() {}

  /** Whether {@code br} bodies can be decoded. */
  static boolean brotli() {
    return BROTLI;
  }

  /** The Accept-Encoding the transport sends when the application set none. */
  static String acceptEncoding() {
    return BROTLI ? "gzip, deflate, br" : "gzip, deflate";
  }

  /** Whether {@code coding} is gzip or deflate, by either name: decoded as it arrives. */
  static boolean zlib(String coding) {
    String c = coding.trim();
    return c.equalsIgnoreCase("gzip")
        || c.equalsIgnoreCase("x-gzip")
        || c.equalsIgnoreCase("deflate")
        || c.equalsIgnoreCase("x-deflate");
  }

  private static boolean present(String className) {
    try {
      Class.forName(className, false, ContentCodings.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }
}
