package dev.optimizer.http.internal.transport.netty;

import dev.optimizer.http.internal.ResponseTooLargeException;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.codec.http2.Http2Exception;
import java.io.IOException;

/**
 * The last handler of a pooled connection: hands each complete response, failure or closed
 * connection to the exchange the connection is carrying. A response nobody asked for closes the
 * connection. Interim responses (1xx other than 101, such as 103 Early Hints) are skipped: the
 * exchange waits for the final one. Netty's codecs hand them on as complete responses of their own
 * (an informational HEADERS frame on HTTP/2, a head without a body on HTTP/1.1). A body handed on
 * unread never gets here ({@link BodyRoute} takes it), but its failures do: they end its exchange's
 * {@link ChannelBody}.
 */
final class ExchangeHandler extends SimpleChannelInboundHandler<FullHttpResponse> {
  private final long maxBodyBytes;

  ExchangeHandler(long maxBodyBytes) {
    this.maxBodyBytes = maxBodyBytes;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
    Exchange exchange = ctx.channel().attr(Exchange.KEY).get();
    if (exchange == null) {
      ctx.close();
      return;
    }
    if (response.decoderResult().isFailure()) {
      exchange.fail(translate(response.decoderResult().cause(), exchange));
      return;
    }
    if (isInterim(response.status().code())) {
      return; // not the answer: the final response follows on the same stream or connection
    }
    exchange.succeed(response);
  }

  /** 1xx other than 101 Switching Protocols (RFC 9110 §15.2). */
  static boolean isInterim(int status) {
    return status >= 100 && status < 200 && status != 101;
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    Exchange exchange = ctx.channel().attr(Exchange.KEY).get();
    if (exchange != null) {
      exchange.fail(translate(cause, exchange));
    } else {
      ctx.close();
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    Exchange exchange = ctx.channel().attr(Exchange.KEY).get();
    if (exchange != null) {
      exchange.fail(closedError(ctx.channel(), maxBodyBytes));
    }
    super.channelInactive(ctx);
  }

  /** The failure of a response whose channel (a connection, an HTTP/2 stream) closed before it. */
  static IOException closedError(io.netty.channel.Channel channel, long maxBodyBytes) {
    if (NettyTransport.closedByTransport(channel)) {
      return NettyTransport.closedError();
    }
    Throwable connectionError = Http2Connection.connectionError(channel);
    return connectionError != null
        ? closedBy(connectionError, maxBodyBytes)
        : new IOException("connection closed before the response was complete");
  }

  private IOException translate(Throwable cause, Exchange exchange) {
    return translate(cause, maxBodyBytes);
  }

  /**
   * The failure of a response as the caller sees it: the body cap's error, a clear malformed one.
   */
  static IOException translate(Throwable cause, long maxBodyBytes) {
    for (Throwable t = cause; t != null; t = t.getCause()) {
      // Both are TooLongFrameExceptions too, but raising maxResponseBodyBytes would not help.
      if (t instanceof TooLongHttpHeaderException
          || t instanceof TooLongHttpLineException
          || isHttp2HeaderListTooLarge(t)) {
        return new IOException(
            "malformed response: its status line or header fields are too long for the"
                + " transport ("
                + t.getMessage()
                + ")",
            t);
      }
      if (t instanceof TooLongFrameException) { // the aggregator's cap
        return ResponseTooLargeException.of(maxBodyBytes, maxBodyBytes + 1);
      }
      if (t instanceof IOException io) {
        return io;
      }
    }
    return new IOException("malformed response: " + cause.getMessage(), cause);
  }

  /** The failure of a stream whose HTTP/2 connection ended on {@code cause}. */
  private static IOException closedBy(Throwable cause, long maxBodyBytes) {
    for (Throwable t = cause; t != null; t = t.getCause()) {
      if (isHttp2HeaderListTooLarge(t)) {
        return translate(t, maxBodyBytes);
      }
    }
    return new IOException(
        "connection closed before the response was complete (" + cause.getMessage() + ")", cause);
  }

  /**
   * Netty's HTTP/2 decoder refusing a header block past its header list limit: a stream error
   * ({@link Http2Exception.HeaderListSizeException}) or, far past it, a connection error with the
   * same text.
   */
  private static boolean isHttp2HeaderListTooLarge(Throwable t) {
    return t instanceof Http2Exception.HeaderListSizeException
        || t instanceof Http2Exception
            && String.valueOf(t.getMessage()).startsWith("Header size exceeded");
  }
}
