package dev.optimizer.http.internal.transport.netty;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;

/**
 * In a stream's pipeline: turns the server's RST_STREAM, and a GOAWAY that leaves this stream
 * unprocessed, into a clear failure of this stream's exchange only; the connection and its other
 * streams go on (Netty closes the stream itself).
 */
final class Http2StreamErrors extends ChannelInboundHandlerAdapter {
  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    Exchange exchange = ctx.channel().attr(Exchange.KEY).get();
    if (evt instanceof Http2ResetFrame reset) {
      if (exchange != null) {
        exchange.fail(
            new IOException(
                "the server reset HTTP/2 stream "
                    + streamId(ctx)
                    + " ("
                    + name(reset.errorCode())
                    + ") before the response was complete"));
      }
      return;
    }
    if (evt instanceof Http2GoAwayFrame goAway) {
      try {
        if (exchange != null) {
          exchange.fail(
              new IOException(
                  "the server sent GOAWAY ("
                      + name(goAway.errorCode())
                      + ", last stream "
                      + goAway.lastStreamId()
                      + ") without processing HTTP/2 stream "
                      + streamId(ctx)
                      + "; the request was not processed and may be sent again"));
        }
      } finally {
        ReferenceCountUtil.release(goAway);
      }
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }

  private static int streamId(ChannelHandlerContext ctx) {
    return ((Http2StreamChannel) ctx.channel()).stream().id();
  }

  private static String name(long code) {
    Http2Error error = Http2Error.valueOf(code);
    return error != null ? error.name() : "error " + code;
  }
}
