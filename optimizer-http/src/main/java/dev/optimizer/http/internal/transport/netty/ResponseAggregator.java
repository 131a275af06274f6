package dev.optimizer.http.internal.transport.netty;

import dev.optimizer.http.internal.ResponseBodies;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponse;

/**
 * Netty's aggregator, except that a response which never has a body (to HEAD; 1xx, 204, 304) is not
 * refused for a Content-Length over the cap: that length describes what a GET would have sent. One
 * per channel; the request's method is the exchange's the channel carries.
 */
final class ResponseAggregator extends HttpObjectAggregator {
  private Channel channel;

  ResponseAggregator(int maxContentLength) {
    super(maxContentLength);
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
    this.channel = ctx.channel();
    super.handlerAdded(ctx);
  }

  @Override
  protected boolean isContentLengthInvalid(HttpMessage start, int maxContentLength) {
    if (start instanceof HttpResponse response) {
      Exchange exchange = channel == null ? null : channel.attr(Exchange.KEY).get();
      String method = exchange == null ? "" : exchange.method();
      if (ResponseBodies.none(method, response.status().code())) {
        return false;
      }
    }
    return super.isContentLengthInvalid(start, maxContentLength);
  }
}
