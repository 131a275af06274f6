package dev.optimizer.http.internal.transport.netty;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpContentDecompressor;

/**
 * Decodes gzip and deflate bodies only for requests where the transport asked for them (the
 * application set no Accept-Encoding of its own); an application that asked for an encoding gets
 * the bytes as sent. Other codings pass untouched: {@code br} is left to {@link
 * BrotliResponseDecoder} (Netty's own would use brotli4j without our cap when that happens to be on
 * the class path), and codings never advertised (snappy, zstd) are not decoded.
 */
final class SelectiveDecompressor extends HttpContentDecompressor {
  /**
   * Without a limit on one decoded buffer: Netty then forwards what it decodes in pieces of 64 KiB
   * at most, whereas with a limit it grows one buffer for all that a piece read from the connection
   * decodes to and fails past the limit, which would fail an honest, highly compressible body
   * handed on to a caller that reads it as it arrives. What is buffered is bounded where it is
   * buffered ({@link BodyRoute} and the aggregator, at {@code maxBodyBytes}).
   */
  SelectiveDecompressor() {
    super(false, 0);
  }

  @Override
  protected EmbeddedChannel newContentDecoder(String contentEncoding) throws Exception {
    Exchange exchange = ctx.channel().attr(Exchange.KEY).get();
    if (exchange == null || !exchange.decompress() || !zlib(contentEncoding)) {
      return null;
    }
    return super.newContentDecoder(contentEncoding);
  }

  /** Whether {@code coding} is one this decoder decodes (gzip or deflate, by either name). */
  static boolean zlib(String coding) {
    String c = coding.trim();
    return c.equalsIgnoreCase("gzip")
        || c.equalsIgnoreCase("x-gzip")
        || c.equalsIgnoreCase("deflate")
        || c.equalsIgnoreCase("x-deflate");
  }
}
