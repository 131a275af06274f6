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
   * @param maxBodyBytes the cap on a decoded body: no single decoded buffer may grow past it
   *     (Netty's limit is per buffer, so a smaller one would refuse honest, highly compressible
   *     bodies); the aggregator bounds the whole
   */
  SelectiveDecompressor(int maxBodyBytes) {
    super(false, maxBodyBytes);
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
