package dev.optimizer.http.internal.transport.netty;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageDecoder;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.List;
import org.brotli.dec.BrotliInputStream;

/**
 * Decodes a {@code br} body (RFC 7932) after aggregation, with Google's pure-Java decoder, for
 * requests where the transport asked for it. The compressed body is bounded by the aggregator, at
 * {@code maxBodyBytes}. A body that decodes within the same cap is buffered decoded, like any
 * other; one that decodes past it (a brotli bomb too) is handed on, as a gzip body is: the bytes
 * decoded so far are the caller's first item, and the rest is decoded from the compressed body as
 * the caller reads it ({@link PulledBody}), so that the transport holds the compressed body and one
 * item, never the decoded whole. A br body larger than the cap as sent never gets here: it is
 * decoded as it arrives, on a thread of its own, since {@code org.brotli:dec} decodes only from an
 * {@link InputStream} it pulls from and the event loop must not block on more input ({@link
 * StreamedBrotliBody}). Only added to a pipeline when {@link ContentCodings#brotli()} holds.
 */
final class BrotliResponseDecoder extends MessageToMessageDecoder<FullHttpResponse> {
  private static final int CHUNK = 16 * 1024;
  private final long maxBodyBytes;

  BrotliResponseDecoder(long maxBodyBytes) {
    super(FullHttpResponse.class);
    this.maxBodyBytes = maxBodyBytes;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, FullHttpResponse msg, List<Object> out)
      throws IOException {
    Exchange exchange = ctx.channel().attr(Exchange.KEY).get();
    String coding = msg.headers().get(HttpHeaderNames.CONTENT_ENCODING);
    if (exchange == null
        || !exchange.decompress()
        || coding == null
        || !"br".equalsIgnoreCase(coding.trim())
        || msg.decoderResult().isFailure()) {
      out.add(msg.retain());
      return;
    }
    // A copy: the compressed body outlives this message if it is decoded as the caller reads it.
    InputStream in =
        new BrotliInputStream(new ByteArrayInputStream(ByteBufUtil.getBytes(msg.content())));
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    byte[] chunk = new byte[CHUNK];
    try {
      for (int n; (n = in.read(chunk)) != -1; ) {
        body.write(chunk, 0, n);
        if (body.size() > maxBodyBytes) {
          handOn(exchange, msg, body.toByteArray(), in);
          return;
        }
      }
      in.close();
    } catch (IOException | RuntimeException e) {
      throw new IOException("malformed br body: " + e.getMessage(), e);
    }
    byte[] decoded = body.toByteArray();
    FullHttpResponse plain = msg.replace(Unpooled.wrappedBuffer(decoded));
    plain.headers().remove(HttpHeaderNames.CONTENT_ENCODING);
    plain.headers().set(HttpHeaderNames.CONTENT_LENGTH, decoded.length);
    out.add(plain);
  }

  /** Past the cap: what was decoded is the first item, the rest is decoded as the caller reads. */
  private static void handOn(
      Exchange exchange, FullHttpResponse msg, byte[] decoded, InputStream rest)
      throws IOException {
    HttpHeaders headers = msg.headers().copy();
    headers.remove(HttpHeaderNames.CONTENT_ENCODING);
    headers.remove(HttpHeaderNames.CONTENT_LENGTH);
    headers.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
    HttpResponse head = new DefaultHttpResponse(msg.protocolVersion(), msg.status(), headers);
    if (!exchange.handOnDecoded(
        head, List.of(ByteBuffer.wrap(decoded)), sink -> new PulledBody(rest, "br", sink))) {
      rest.close(); // the exchange had ended: nobody reads it
    }
  }
}
