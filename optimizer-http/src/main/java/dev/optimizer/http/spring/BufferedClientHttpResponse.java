package dev.optimizer.http.spring;

import dev.optimizer.http.internal.Reply;
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
   * Reads a body up to one chunk past {@code max} bytes: all of it when it fits (the result holds
   * at most {@code max} bytes), else what was read once it passed the limit, the rest left in
   * {@code in} (the result holds more than {@code max} bytes).
   */
  static ByteArrayOutputStream readUpTo(InputStream in, long declaredLength, long max)
      throws IOException {
    ByteArrayOutputStream out =
        new ByteArrayOutputStream((int) Math.max(32, Math.min(declaredLength, 1 << 16)));
    if (in == null) {
      return out;
    }
    byte[] chunk = new byte[8192];
    for (int n; (n = in.read(chunk)) != -1; ) {
      out.write(chunk, 0, n);
      if (out.size() > max) {
        break;
      }
    }
    return out;
  }

  /**
   * The wrapped client's response, its body what the adapter read of it followed by the rest:
   * closing it closes the wrapped response.
   */
  static final class Continued implements ClientHttpResponse {
    private final ClientHttpResponse response;
    private final InputStream body;

    Continued(ClientHttpResponse response, InputStream body) {
      this.response = response;
      this.body = body;
    }

    @Override
    public HttpStatusCode getStatusCode() throws IOException {
      return response.getStatusCode();
    }

    @Override
    public String getStatusText() throws IOException {
      return response.getStatusText();
    }

    @Override
    public HttpHeaders getHeaders() {
      return response.getHeaders();
    }

    @Override
    public InputStream getBody() {
      return body;
    }

    @Override
    public void close() {
      response.close();
    }
  }
}
