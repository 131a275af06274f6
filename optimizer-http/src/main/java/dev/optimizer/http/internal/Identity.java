package dev.optimizer.http.internal;

import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/**
 * Who a request is made for: a SHA-256 digest of its credentials (Authorization,
 * Proxy-Authorization, Cookie, and any configured field), or "" for an anonymous request. The
 * digest keeps credentials out of cache keys and logs while telling identities apart.
 */
public final class Identity {
  private final List<String> fields;

  /** Identity from the default credential fields plus {@code extraFields} (lower case). */
  public Identity(List<String> extraFields) {
    this.fields =
        java.util.stream.Stream.concat(
                java.util.stream.Stream.of("authorization", "proxy-authorization", "cookie"),
                extraFields.stream())
            .distinct()
            .toList();
  }

  /** The identity of a request with these header fields. */
  public String of(HttpHeaders headers) {
    MessageDigest digest = null;
    for (String field : fields) {
      List<String> values = headers.allValues(field);
      if (values.isEmpty()) {
        continue;
      }
      if (digest == null) {
        digest = sha256();
      }
      digest.update(field.getBytes(StandardCharsets.UTF_8));
      for (String v : values) {
        digest.update((byte) 0);
        digest.update(v.getBytes(StandardCharsets.UTF_8));
      }
      digest.update((byte) 1);
    }
    if (digest == null) {
      return "";
    }
    byte[] d = digest.digest();
    StringBuilder sb = new StringBuilder(64);
    for (byte b : d) {
      sb.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
    }
    return sb.toString();
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }
}
