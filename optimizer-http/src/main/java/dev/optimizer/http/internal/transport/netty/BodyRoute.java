package dev.optimizer.http.internal.transport.netty;

import dev.optimizer.http.internal.ResponseBodies;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.compression.ZlibCodecFactory;
import io.netty.handler.codec.compression.ZlibWrapper;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;

/**
 * Decides, from a response's head and before any of its body is read, whether the transport buffers
 * the body or hands it on unread, as the JDK transport and the Spring adapters decide ({@link
 * ResponseBodies#unbuffered}), decodes the gzip and deflate bodies the transport asked for, and
 * holds the pieces of a body handed on back while its caller has not taken what came before them.
 * One per channel, before the aggregator; the ways:
 *
 * <ul>
 *   <li>buffered by Netty's aggregator, capped as before: a body that never exists (HEAD, 1xx, 204,
 *       304) and a declared length within the cap that arrives as sent, a br body the transport
 *       decodes too (decoded from the whole body, after aggregation; decoding past the cap, it is
 *       handed on: {@link BrotliResponseDecoder}). Everything of such a response passes with a
 *       field read per message.
 *   <li>handed on from its head: a stream ({@link ResponseBodies#isStream}) and a declared length
 *       over the cap (decoded as it arrives when gzip or deflate, and when br, except a br stream,
 *       which is handed on as sent, with its Content-Encoding: its decoder would wait for 4 KiB of
 *       input before it hands on a message);
 *   <li>buffered here while it fits, handed on once it does not: any other body of undeclared
 *       length (chunked, or ended by the connection's close), and every gzip or deflate body the
 *       transport decodes, whose decoded length is undeclared whatever the server declared. A br
 *       body of undeclared length is buffered as sent: if it ends within the cap it goes on to be
 *       decoded whole, and if it outgrows it, it is handed on decoded by a {@link
 *       StreamedBrotliBody}, the compressed bytes so far first. The bytes read (and decoded) so far
 *       are the caller's first item, the rest of the same body follows. So the cap bounds what the
 *       transport buffers, never what the caller reads: a body decoding past it reaches the caller
 *       as the same resource sent as identity would, and a compression bomb is buffered no further
 *       than any other body, nor cached or shared.
 * </ul>
 *
 * <p>A body handed on is read only as its caller asks ({@link ChannelBody}), but one read from the
 * connection brings many pieces, and a gzip or deflate piece may decode to a thousand times its
 * size. So once the body is handed on, a piece that arrives while the caller has not taken what was
 * read before it ({@link ChannelBody#wantsMore}) is held back here undecoded, costing what it
 * weighs on the wire, and no further read is asked for; the pieces held are decoded one at a time,
 * each once the caller took what the one before decoded to ({@link #feed}). What the transport
 * holds of such a body is then what one piece decodes to (a piece is 8 KiB at most on HTTP/1.1, a
 * DATA frame 16 KiB on HTTP/2) and the pieces of one read, however slowly the caller reads.
 *
 * <p>That is why the decoding is done here rather than by Netty's content decompressor in the
 * pipeline: the decoder of a body belongs to the body, not to the pipeline, so pieces held when the
 * connection closes (a server that closes after the last one; an HTTP/2 stream, whose channel
 * closes once its last frame is read) are still decoded at the caller's pace after the pipeline is
 * gone, and the close reaches the caller behind them: as the end of the body when they held it, as
 * a failure when they did not.
 */
final class BodyRoute extends ChannelInboundHandlerAdapter {
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
  private ChannelHandlerContext ctx;
  private Way way = Way.AGGREGATE;
  private HttpResponse head; // SPILL, while buffering
  private CompositeByteBuf buffered; // SPILL, while buffering
  private ChannelBody body; // STREAM and SPILL, once handed on
  private EmbeddedChannel decoder; // of the body's gzip or deflate, when the transport decodes it
  private boolean brotli; // a br body the transport decodes; handed on, it is decoded downstream

  // Pieces of the body handed on, held back undecoded while its caller has not taken what was read
  // before them; and the close of the channel, held behind them (the error it means if they turn
  // out not to end the body).
  private final ArrayDeque<HttpContent> held = new ArrayDeque<>();
  private long heldBytes;
  private Throwable closedBehind;
  private boolean feedScheduled;
  private final ChannelBody.Upstream upstream =
      new ChannelBody.Upstream() {
        @Override
        public boolean holds() {
          return !held.isEmpty() || closedBehind != null;
        }

        @Override
        public void feedLater() {
          if (feedScheduled) {
            return;
          }
          feedScheduled = true;
          try {
            ctx.executor().execute(BodyRoute.this::feed);
          } catch (RejectedExecutionException e) {
            feedScheduled = false; // the transport is closed: its channels and their bodies too
          }
        }
      };

  BodyRoute(long maxBodyBytes) {
    this.maxBodyBytes = maxBodyBytes;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  private Way decide(ChannelHandlerContext ctx, HttpResponse response) {
    brotli = false;
    int status = response.status().code();
    if (response instanceof FullHttpMessage
        || status < 200
        || response.decoderResult().isFailure()) {
      return Way.AGGREGATE; // complete already (an HTTP/2 head ending its stream), interim, broken
    }
    Exchange exchange = ctx.channel().attr(Exchange.KEY).get();
    if (exchange == null) {
      return Way.AGGREGATE; // unasked for: the exchange handler closes the connection
    }
    HttpHeaders headers = response.headers();
    String coding = exchange.decompress() ? headers.get(HttpHeaderNames.CONTENT_ENCODING) : null;
    boolean zlib = coding != null && ContentCodings.zlib(coding);
    if (ResponseBodies.none(exchange.method(), status)) {
      if (zlib) {
        headers.remove(HttpHeaderNames.CONTENT_ENCODING); // what a GET would get: decoded
      }
      return Way.AGGREGATE; // bodiless
    }
    long declared;
    try {
      declared = HttpUtil.getContentLength(response, -1L);
    } catch (NumberFormatException e) {
      return Way.AGGREGATE; // the codec reports a bad length itself
    }
    boolean unbuffered =
        ResponseBodies.unbuffered(
            exchange.method(),
            status,
            headers.get(HttpHeaderNames.CONTENT_TYPE),
            declared,
            maxBodyBytes);
    if (zlib) {
      decoder = decoderFor(coding);
      // The decoded body is what the caller sees: its length is unknown whatever was declared
      headers.remove(HttpHeaderNames.CONTENT_ENCODING);
      headers.remove(HttpHeaderNames.CONTENT_LENGTH);
      headers.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
      // The cap bounds what is buffered here, and a body decoding past it (a compression bomb
      // too) is handed on.
      return unbuffered ? Way.STREAM : Way.SPILL;
    }
    if (coding != null
        && brotli(coding)
        && !ResponseBodies.isStream(headers.get(HttpHeaderNames.CONTENT_TYPE))) {
      // Decoded from the whole body, after aggregation, when it fits the cap as sent; one that
      // does not is handed on and decoded as it arrives and as the caller reads it.
      brotli = true;
      if (declared > maxBodyBytes) {
        return Way.STREAM;
      }
      return declared >= 0 ? Way.AGGREGATE : Way.SPILL;
    }
    if (unbuffered) {
      return Way.STREAM;
    }
    if (declared >= 0) {
      return Way.AGGREGATE;
    }
    return Way.SPILL;
  }

  /**
   * Netty's decoder for {@code coding}, as its HttpContentDecompressor makes it (gzip; deflate with
   * or without the zlib wrapper, as servers send it), forwarding its output in pieces with no cap
   * of its own: what is held is bounded where it is held (the buffer here, the relay's pieces).
   */
  private static EmbeddedChannel decoderFor(String coding) {
    String c = coding.trim();
    ZlibWrapper wrapper =
        c.equalsIgnoreCase("gzip") || c.equalsIgnoreCase("x-gzip")
            ? ZlibWrapper.GZIP
            : ZlibWrapper.ZLIB_OR_NONE;
    return new EmbeddedChannel(ZlibCodecFactory.newZlibDecoder(wrapper, 0));
  }

  /** Whether the transport decodes a body of this coding after aggregation. */
  private static boolean brotli(String coding) {
    return coding.trim().equalsIgnoreCase("br") && ContentCodings.brotli();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HttpResponse response) {
      releaseDecoder(); // a new response: nothing of the last one is decoded any more
      way = decide(ctx, response);
    }
    if (way == Way.AGGREGATE) {
      ctx.fireChannelRead(msg); // the buffered path: nothing else on it
      return;
    }
    if (msg instanceof HttpContent content
        && !(msg instanceof HttpResponse)
        && holdsBack(content)) {
      held.add(content); // ours now, released when handed on or dropped
      int n = content.content().readableBytes();
      heldBytes += n;
      HeldBytes.add(n);
      return;
    }
    try {
      if (msg instanceof HttpResponse response) {
        head(ctx, response);
      }
      if (msg instanceof HttpContent content) {
        piece(content);
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  /**
   * Whether a piece arriving now waits: its body is handed on and its caller has not caught up. An
   * empty last piece, nothing held before it, does not: it only ends the body, and the connection
   * then goes back to the pool without waiting for the caller to ask for more.
   */
  private boolean holdsBack(HttpContent content) {
    ChannelBody b = body;
    if (b == null || b.isDone()) {
      return false;
    }
    if (!held.isEmpty()) {
      return true;
    }
    return !b.wantsMore() && !endsOnly(content);
  }

  /** An empty last piece: it carries no bytes, only the end of the body (and its trailers). */
  private static boolean endsOnly(HttpContent content) {
    return content instanceof LastHttpContent && !content.content().isReadable();
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    ChannelBody b = body;
    if (b != null) {
      b.readComplete(); // reads on while the caller wants more and nothing is held back
    }
    ctx.fireChannelReadComplete();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    ChannelBody b = body;
    // Closed with the transport, whose event loops stop next: nothing could hand the pieces on
    // later, nor release them, so they go now and the body fails at once.
    if (!held.isEmpty()
        && b != null
        && !b.isDone()
        && !NettyTransport.closedByTransport(ctx.channel())) {
      // The pieces held may end the body: the close waits behind them, and so the exchange
      // handler, which would fail the body now, does not hear of it.
      closedBehind = ExchangeHandler.closedError(ctx.channel(), maxBodyBytes);
      return;
    }
    reset(); // the exchange handler fails the exchange, and with it the body
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    if (closedBehind == null) {
      reset();
    } // else the body's pieces and decoder outlive the pipeline, until its caller is done
  }

  /**
   * Hands the pieces held back on, one at a time while the caller wants more (one may decode to
   * nothing, or end the body; an empty last one goes on regardless), then the close held behind
   * them. A task of its own on the event loop, never run inside the caller's request() or onNext(),
   * which may come while a piece is being decoded: re-entered there, the decoder would break.
   */
  private void feed() {
    feedScheduled = false;
    ChannelBody b;
    while ((b = body) != null
        && !held.isEmpty()
        && (b.wantsMore() || !b.isDone() && endsOnly(held.peek()))) {
      HttpContent next = held.poll();
      int n = next.content().readableBytes();
      heldBytes -= n;
      HeldBytes.add(-n);
      try {
        piece(next);
      } finally {
        next.release();
      }
    }
    b = body;
    if (b == null) {
      return; // the body ended (and what was held with it); a next response may be buffering
    }
    if (!b.isDone() && !held.isEmpty()) {
      return; // the caller has not taken what that decoded to: its next request() feeds on
    }
    Throwable closed = closedBehind;
    closedBehind = null;
    if (!b.isDone() && closed != null) {
      b.fail(closed); // the connection closed before the body ended
    }
    if (b.isDone()) {
      reset(); // its caller is done with it (cancelled, failed): what is held goes
    } else {
      b.readComplete(); // nothing held back: read on if the caller wants more
    }
  }

  private void head(ChannelHandlerContext ctx, HttpResponse response) {
    Exchange exchange = ctx.channel().attr(Exchange.KEY).get();
    if (exchange == null) {
      way = Way.DROP;
      return;
    }
    if (way == Way.STREAM) {
      body =
          brotli
              ? exchange.streamBrotli(decoded(response), null, upstream)
              : exchange.stream(response, null, upstream);
      if (body == null) {
        way = Way.DROP;
      }
      return;
    }
    head = response; // SPILL: buffer while it fits
    buffered = ctx.alloc().compositeBuffer(1024);
  }

  /** A piece of the body, decoded here when the transport decodes it. */
  private void piece(HttpContent content) {
    LastHttpContent last = content instanceof LastHttpContent l ? l : null;
    if (content.decoderResult().isFailure()) {
      fail(content.decoderResult().cause());
      return;
    }
    if (way == Way.DROP || decoder == null) {
      deliver(content.content(), last);
      return;
    }
    EmbeddedChannel d = decoder;
    try {
      if (content.content().isReadable()) {
        d.writeInbound(content.content().retain());
      }
      if (last != null) {
        d.finish();
      }
    } catch (RuntimeException e) {
      fail(e); // a malformed gzip or deflate body
      return;
    }
    for (ByteBuf decoded; (decoded = d.readInbound()) != null; ) {
      try {
        deliver(decoded, null);
      } finally {
        decoded.release();
      }
    }
    if (last != null) {
      deliver(Unpooled.EMPTY_BUFFER, last);
    }
  }

  /** The body failed to arrive or decode: its exchange fails, the rest is dropped. */
  private void fail(Throwable cause) {
    Exchange exchange = ctx.channel().attr(Exchange.KEY).get();
    ChannelBody b = body;
    reset();
    way = Way.DROP;
    java.io.IOException error = ExchangeHandler.translate(cause, maxBodyBytes);
    if (exchange != null) {
      exchange.fail(error);
    } else if (b != null) {
      b.fail(error); // its channel closed already: the exchange is no longer named on it
    }
  }

  /** Bytes of the body ({@code last}: the end of it, with its trailers); the caller keeps them. */
  private void deliver(ByteBuf bytes, LastHttpContent last) {
    boolean isLast = last != null;
    ChannelBody b = body;
    if (b == null && way == Way.SPILL && head != null) {
      if (buffered.readableBytes() + (long) bytes.readableBytes() <= maxBodyBytes) {
        if (bytes.isReadable()) {
          buffered.addComponent(true, bytes.retain());
        }
        if (isLast) {
          FullHttpResponse whole = whole(last);
          reset();
          ctx.fireChannelRead(whole); // on through the aggregator (which passes it) to the exchange
        }
        return;
      }
      b = spill();
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
      b.content(bytes, isLast);
    }
  }

  /** The body outgrew the cap: what was buffered becomes the first item of a body handed on. */
  private ChannelBody spill() {
    List<ByteBuffer> prefix = null;
    if (buffered.isReadable()) {
      prefix = new ArrayList<>(2);
      prefix.add(ByteBuffer.wrap(ByteBufUtil.getBytes(buffered)));
    }
    HttpResponse response = head;
    head = null;
    buffered.release();
    buffered = null;
    Exchange exchange = ctx.channel().attr(Exchange.KEY).get();
    if (exchange == null) {
      body = null;
    } else if (brotli) {
      body = exchange.streamBrotli(decoded(response), prefix, upstream); // prefix: compressed
    } else {
      body = exchange.stream(response, prefix, upstream);
    }
    if (body == null) {
      way = Way.DROP;
    }
    return body;
  }

  /** The head of a br body handed on decoded: its decoded length is unknown. */
  private static HttpResponse decoded(HttpResponse head) {
    head.headers().remove(HttpHeaderNames.CONTENT_ENCODING);
    head.headers().remove(HttpHeaderNames.CONTENT_LENGTH);
    head.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
    return head;
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
    brotli = false;
    head = null;
    body = null;
    closedBehind = null;
    if (buffered != null) {
      buffered.release();
      buffered = null;
    }
    releaseDecoder();
    for (HttpContent c; (c = held.poll()) != null; ) {
      c.release();
    }
    HeldBytes.add(-heldBytes);
    heldBytes = 0;
  }

  private void releaseDecoder() {
    EmbeddedChannel d = decoder;
    if (d != null) {
      decoder = null;
      d.finishAndReleaseAll();
    }
  }
}
