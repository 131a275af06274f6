package dev.optimizer.http.internal.transport.netty;

import dev.optimizer.http.internal.ResponseTooLargeException;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageDecoder;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import org.brotli.dec.BrotliInputStream;

/**
 * Decodes a {@code br} body (RFC 7932) after aggregation, with Google's pure-Java decoder, for
 * requests where the transport asked for it. The compressed body is already bounded by the
 * aggregator; the decoded one is bounded here by the same {@code maxBodyBytes}, so a br body larger
 * than the cap once decoded (a brotli bomb too) fails with {@link ResponseTooLargeException},
 * having buffered at most one chunk past the cap. Unlike gzip and deflate, which are decoded as
 * they arrive and handed on past the cap, br is decoded only whole. Only added to a pipeline when
 * {@link ContentCodings#brotli()} holds.
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
    byte[] decoded = decode(msg);
    FullHttpResponse plain = msg.replace(Unpooled.wrappedBuffer(decoded));
    plain.headers().remove(HttpHeaderNames.CONTENT_ENCODING);
    plain.headers().set(HttpHeaderNames.CONTENT_LENGTH, decoded.length);
    out.add(plain);
  }

  private byte[] decode(FullHttpResponse msg) throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    byte[] chunk = new byte[CHUNK];
    try (InputStream in =
        new BrotliInputStream(new ByteBufInputStream(msg.content().duplicate(), false))) {
      for (int n; (n = in.read(chunk)) != -1; ) {
        if (body.size() + (long) n > maxBodyBytes) {
          throw ResponseTooLargeException.decoding(maxBodyBytes, body.size() + (long) n, "br");
        }
        body.write(chunk, 0, n);
      }
    } catch (ResponseTooLargeException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw new IOException("malformed br body: " + e.getMessage(), e);
    }
    return body.toByteArray();
  }
}
