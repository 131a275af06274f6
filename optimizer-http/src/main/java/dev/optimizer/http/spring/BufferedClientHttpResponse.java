package dev.optimizer.http.spring;

import dev.optimizer.http.internal.Reply;
import dev.optimizer.http.internal.ResponseTooLargeException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.client.ClientHttpResponse;

/**
 * A {@link ClientHttpResponse} over a buffered {@link Reply}: the bytes are the same whether the
 * origin, the cache or a coalesced request supplied them. Closing it releases nothing (there is no
 * connection behind it); the body can be read once per instance, as Spring expects.
 */
final class BufferedClientHttpResponse implements ClientHttpResponse {
  private final Reply reply;
  private final HttpHeaders headers;
  private final InputStream body;

  BufferedClientHttpResponse(Reply reply) {
    this.reply = reply;
    this.headers = SpringHeaders.toSpring(reply.headers());
    this.body = new ByteArrayInputStream(reply.body());
  }

  @Override
  public HttpStatusCode getStatusCode() {
    return HttpStatusCode.valueOf(reply.status());
  }

  @Override
  public String getStatusText() {
    HttpStatus known = HttpStatus.resolve(reply.status());
    return known == null ? "" : known.getReasonPhrase();
  }

  @Override
  public HttpHeaders getHeaders() {
    return headers;
  }

  @Override
  public InputStream getBody() {
    return body;
  }

  @Override
  public void close() {
    // nothing to release: the body is in memory
  }

  /**
   * Reads a whole body, refusing one over {@code max} bytes (a declared length over it is refused
   * before reading).
   */
  static byte[] read(InputStream in, long declaredLength, long max) throws IOException {
    if (declaredLength > max) {
      throw ResponseTooLargeException.of(max, declaredLength);
    }
    if (in == null) {
      return new byte[0];
    }
    ByteArrayOutputStream out =
        new ByteArrayOutputStream((int) Math.max(32, Math.min(declaredLength, 1 << 16)));
    byte[] chunk = new byte[8192];
    long total = 0;
    for (int n; (n = in.read(chunk)) != -1; ) {
      total += n;
      if (total > max) {
        throw ResponseTooLargeException.of(max, total);
      }
      out.write(chunk, 0, n);
    }
    return out.toByteArray();
  }
}
