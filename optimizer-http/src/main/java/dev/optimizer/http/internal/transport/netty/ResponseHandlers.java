package dev.optimizer.http.internal.transport.netty;

import io.netty.channel.ChannelPipeline;

/**
 * The response side of a pipeline, the same over an HTTP/1.1 connection and an HTTP/2 stream (both
 * carry Netty's HTTP/1 objects there): the choice between buffering a body and handing it on unread
 * and the decoding of gzip and deflate ({@link BodyRoute}), aggregation bounded by {@code
 * maxBodyBytes}, decoding of br when available, and the handler that ends the exchange. So the caps
 * on the body, compressed or decoded, and the choice are one and the same for both protocols.
 */
final class ResponseHandlers {
  private ResponseHandlers() {}

  static void addLast(ChannelPipeline p, long maxBodyBytes) {
    int maxAggregated = (int) Math.min(Integer.MAX_VALUE - 8, maxBodyBytes);
    p.addLast("route", new BodyRoute(maxBodyBytes))
        .addLast("aggregate", new ResponseAggregator(maxAggregated));
    if (ContentCodings.brotli()) {
      p.addLast("brotli", new BrotliResponseDecoder(maxBodyBytes));
    }
    p.addLast("exchange", new ExchangeHandler(maxBodyBytes));
  }
}
