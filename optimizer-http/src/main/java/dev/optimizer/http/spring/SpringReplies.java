package dev.optimizer.http.spring;

import dev.optimizer.http.internal.Reply;
import dev.optimizer.http.internal.ResponseBodies;
import java.net.URI;
import java.net.http.HttpClient;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;

/**
 * What the Spring adapters share in turning a Spring response into the pipeline's {@link Reply}.
 */
final class SpringReplies {
  private SpringReplies() {}

  /**
   * An answer from the network. Spring's response types do not say which protocol version carried
   * them; HTTP/1.1 is what the cache's rules then assume.
   */
  static Reply network(
      int status,
      HttpHeaders headers,
      byte[] body,
      URI uri,
      long requestTimeMillis,
      long responseTimeMillis) {
    return new Reply(
        status,
        SpringHeaders.toJdk(headers),
        body,
        HttpClient.Version.HTTP_1_1,
        uri,
        requestTimeMillis,
        responseTimeMillis,
        Reply.Source.NETWORK);
  }

  /** The body length a response declares; -1 where it has none whatever its header says. */
  static long declaredLength(String method, int status, HttpHeaders headers) {
    return ResponseBodies.none(method, status) ? -1 : headers.getContentLength();
  }

  /** The readable bytes of {@code buffer}, which is released. */
  static byte[] bytes(DataBuffer buffer) {
    try {
      byte[] out = new byte[buffer.readableByteCount()];
      buffer.read(out);
      return out;
    } finally {
      DataBufferUtils.release(buffer);
    }
  }
}
