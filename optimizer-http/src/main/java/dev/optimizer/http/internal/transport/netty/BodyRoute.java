package dev.optimizer.http.internal.transport.netty;

import dev.optimizer.http.internal.ResponseBodies;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Decides, from a response's head and before any of its body is read, whether the transport buffers
 * the body or hands it on unread, as the JDK transport and the Spring adapters decide ({@link
 * ResponseBodies#unbuffered}); one per channel, in two handlers around the gzip/deflate decoder:
 *
 * <ul>
 *   <li>{@link #inspector()}, before the decoder, reads the head as the server sent it (the decoder
 *       drops its Content-Length) and picks the way:
 *       <ul>
 *         <li>buffered by Netty's aggregator, capped as before: a body that never exists (HEAD,
 *             1xx, 204, 304), a declared length within the cap that arrives as sent, and a br body
 *             the transport decodes (decoded only whole, so one past the cap when decoded fails as
 *             too large);
 *         <li>handed on from its head: a stream ({@link ResponseBodies#isStream}) and a declared
 *             length over the cap, decoded as they arrive (gzip and deflate; a br body, which is
 *             decoded only whole, is handed on as sent, with its Content-Encoding);
 *         <li>buffered here while it fits, handed on once it does not: any other body of undeclared
 *             length (chunked, or ended by the connection's close), and every gzip or deflate body
 *             the transport decodes, whose decoded length is undeclared whatever the server
 *             declared. The bytes read (and decoded) so far are the caller's first item, the rest
 *             of the same body follows. So the cap bounds what the transport buffers, never what
 *             the caller reads: a body decoding past it reaches the caller as the same resource
 *             sent as identity would, and a compression bomb is buffered no further than any other
 *             body, nor cached or shared; the caller reads it at its own pace.
 *       </ul>
 *   <li>{@link #router()}, after the decoder and before the aggregator, carries out the choice:
 *       everything of a buffered response passes untouched (the one cost on that path is a field
 *       read per message), the rest goes to the exchange's {@link ChannelBody}.
 * </ul>
 */
final class BodyRoute {
  private enum Way {
    /** Netty's aggregator reads the body whole (or it has none). */
    AGGREGATE,
    /** Handed on from the head. */
    STREAM,
    /** Buffered here while it fits in the cap, handed on once it does not. */
    SPILL,
    /** Its exchange ended before the body did (failed, cancelled): the rest is dropped. */
    DROP
  }

  private final long maxBodyBytes;
  private Way way = Way.AGGREGATE;
  private HttpResponse head; // SPILL, while buffering
  private CompositeByteBuf buffered; // SPILL, while buffering
  private ChannelBody body; // STREAM and SPILL, once handed on

  BodyRoute(long maxBodyBytes) {
    this.maxBodyBytes = maxBodyBytes;
  }

  /** The handler that goes before the content decoder. */
  ChannelHandler inspector() {
    return new Inspector();
  }

  /** The handler that goes after the content decoder, before the aggregator. */
  ChannelHandler router() {
    return new Router();
  }

  private Way decide(ChannelHandlerContext ctx, HttpResponse response) {
    int status = response.status().code();
    if (response instanceof FullHttpMessage
        || status < 200
        || response.decoderResult().isFailure()) {
      return Way.AGGREGATE; // complete already (an HTTP/2 head ending its stream), interim, broken
    }
    Exchange exchange = ctx.channel().attr(Exchange.KEY).get();
    if (exchange == null || ResponseBodies.none(exchange.method(), status)) {
      return Way.AGGREGATE; // unasked for (the exchange handler closes the connection), bodiless
    }
    HttpHeaders headers = response.headers();
    long declared;
    try {
      declared = HttpUtil.getContentLength(response, -1L);
    } catch (NumberFormatException e) {
      return Way.AGGREGATE; // the codec reports a bad length itself
    }
    if (ResponseBodies.unbuffered(
        exchange.method(),
        status,
        headers.get(HttpHeaderNames.CONTENT_TYPE),
        declared,
        maxBodyBytes)) {
      return Way.STREAM;
    }
    String coding = exchange.decompress() ? headers.get(HttpHeaderNames.CONTENT_ENCODING) : null;
    if (coding != null && SelectiveDecompressor.zlib(coding)) {
      // Decoded as it arrives, so its length is unknown whatever was declared: the cap bounds what
      // is buffered here, and a body decoding past it (a compression bomb too) is handed on.
      return Way.SPILL;
    }
    if (coding != null && brotli(coding)) {
      exchange.decodeWhole("br"); // so that its failure past the cap names the workaround
      return Way.AGGREGATE; // br is decoded only whole, after aggregation, and capped there
    }
    if (declared >= 0) {
      return Way.AGGREGATE;
    }
    return Way.SPILL;
  }

  /** Whether the transport decodes a body of this coding after aggregation. */
  private static boolean brotli(String coding) {
    return coding.trim().equalsIgnoreCase("br") && ContentCodings.brotli();
  }

  private final class Inspector extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof HttpResponse response) {
        way = decide(ctx, response);
      }
      ctx.fireChannelRead(msg);
    }
  }

  private final class Router extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (way == Way.AGGREGATE) {
        ctx.fireChannelRead(msg); // the buffered path: nothing else on it
        return;
      }
      try {
        if (msg instanceof HttpResponse response) {
          head(ctx, response);
        }
        if (msg instanceof HttpContent content) {
          content(ctx, content);
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      ChannelBody b = body;
      if (b != null) {
        b.readComplete();
      }
      ctx.fireChannelReadComplete();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      reset(); // the exchange handler fails the exchange, and with it the body
      ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
      reset();
    }
  }

  private void head(ChannelHandlerContext ctx, HttpResponse response) {
    Exchange exchange = ctx.channel().attr(Exchange.KEY).get();
    if (exchange == null) {
      way = Way.DROP;
      return;
    }
    if (way == Way.STREAM) {
      body = exchange.stream(response, null);
      if (body == null) {
        way = Way.DROP;
      }
      return;
    }
    head = response; // SPILL: buffer while it fits
    buffered = ctx.alloc().compositeBuffer(1024);
  }

  private void content(ChannelHandlerContext ctx, HttpContent content) {
    boolean isLast = content instanceof LastHttpContent;
    if (content.decoderResult().isFailure()) {
      Exchange exchange = ctx.channel().attr(Exchange.KEY).get();
      reset();
      way = Way.DROP;
      if (exchange != null) {
        exchange.fail(
            ExchangeHandler.translate(
                content.decoderResult().cause(), maxBodyBytes, exchange.wholeCoding()));
      }
      return;
    }
    ChannelBody b = body;
    if (b == null && way == Way.SPILL && head != null) {
      ByteBuf bytes = content.content();
      if (buffered.readableBytes() + (long) bytes.readableBytes() <= maxBodyBytes) {
        buffered.addComponent(true, bytes.retain());
        if (isLast) {
          FullHttpResponse whole = whole((LastHttpContent) content);
          reset();
          ctx.fireChannelRead(whole); // on through the aggregator (which passes it) to the exchange
        }
        return;
      }
      b = spill(ctx);
      if (b == null) {
        if (isLast) {
          reset();
        }
        return;
      }
    }
    if (isLast) {
      reset(); // before the channel goes back to the pool with the last bytes
    }
    if (b != null) {
      b.content(content.content(), isLast);
    }
  }

  /** The body outgrew the cap: what was buffered becomes the first item of a body handed on. */
  private ChannelBody spill(ChannelHandlerContext ctx) {
    List<ByteBuffer> prefix = null;
    if (buffered.isReadable()) {
      prefix = new ArrayList<>(2);
      prefix.add(ByteBuffer.wrap(io.netty.buffer.ByteBufUtil.getBytes(buffered)));
    }
    HttpResponse response = head;
    head = null;
    buffered.release();
    buffered = null;
    Exchange exchange = ctx.channel().attr(Exchange.KEY).get();
    body = exchange == null ? null : exchange.stream(response, prefix);
    if (body == null) {
      way = Way.DROP;
    }
    return body;
  }

  /** A body that fit, as the aggregator would have made it. */
  private FullHttpResponse whole(LastHttpContent last) {
    FullHttpResponse whole =
        new DefaultFullHttpResponse(
            head.protocolVersion(),
            head.status(),
            buffered,
            head.headers(),
            last.trailingHeaders());
    buffered = null; // now the response's
    HttpUtil.setTransferEncodingChunked(whole, false);
    whole.headers().set(HttpHeaderNames.CONTENT_LENGTH, whole.content().readableBytes());
    return whole;
  }

  /** Back to the buffered path for the next response, releasing what this one held. */
  private void reset() {
    way = Way.AGGREGATE;
    head = null;
    body = null;
    if (buffered != null) {
      buffered.release();
      buffered = null;
    }
  }
}
