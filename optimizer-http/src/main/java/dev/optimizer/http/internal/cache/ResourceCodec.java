package dev.optimizer.http.internal.cache;

import dev.optimizer.http.internal.Reply;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The wire format of a {@link CachedResource} in a remote store: compact, versioned, and checked on
 * the way in, so that bytes another version (or anything else) wrote are refused rather than
 * misread.
 *
 * <pre>
 * magic "OH" · format version (1 byte) · cache key (the URI it is stored under) · variant count,
 * then per variant, most recent first:
 *   identity · status (u16) · protocol (1 byte) · URI that answered · request time · response time
 *   (epoch ms, i64) · Vary selecting values (count; name, present?, value) · header fields (count;
 *   name, value count, values) · body (length, bytes)
 * </pre>
 *
 * Counts and lengths are u32 and strings UTF-8 with a u32 length. Freshness is not stored: the
 * reader works it out from the fields and times under its own settings, as for a response it
 * received itself. Thread-safe.
 */
final class ResourceCodec {
  static final byte VERSION = 1;
  private static final byte M0 = 'O';
  private static final byte M1 = 'H';

  private final boolean shared;
  private final long heuristicCapMillis;

  ResourceCodec(boolean shared, long heuristicCapMillis) {
    this.shared = shared;
    this.heuristicCapMillis = heuristicCapMillis;
  }

  /** Encodes {@code variants} of the resource stored under {@code key}. */
  byte[] encode(String key, List<StoredResponse> variants) {
    int size = 64 + key.length();
    for (StoredResponse v : variants) {
      size += (int) Math.min(Integer.MAX_VALUE / 2, v.weight);
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(size);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(M0);
      out.writeByte(M1);
      out.writeByte(VERSION);
      string(out, key);
      out.writeInt(variants.size());
      for (StoredResponse v : variants) {
        Reply r = v.reply;
        string(out, v.identity);
        out.writeShort(r.status());
        out.writeByte(r.version() == HttpClient.Version.HTTP_2 ? 2 : 1);
        string(out, r.uri().toString());
        out.writeLong(r.requestTimeMillis());
        out.writeLong(r.responseTimeMillis());
        out.writeInt(v.varyValues.size());
        for (Map.Entry<String, String> e : v.varyValues.entrySet()) {
          string(out, e.getKey());
          out.writeBoolean(e.getValue() != null);
          if (e.getValue() != null) {
            string(out, e.getValue());
          }
        }
        Map<String, List<String>> fields = r.headers().map();
        out.writeInt(fields.size());
        for (Map.Entry<String, List<String>> e : fields.entrySet()) {
          string(out, e.getKey());
          out.writeInt(e.getValue().size());
          for (String value : e.getValue()) {
            string(out, value);
          }
        }
        out.writeInt(r.body().length);
        out.write(r.body());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("a byte array stream does not fail", e);
    }
    return bytes.toByteArray();
  }

  /**
   * Decodes what {@link #encode} wrote for {@code key}.
   *
   * @throws IOException if the bytes are not an entry of this format version for {@code key}
   */
  List<StoredResponse> decode(String key, byte[] bytes) throws IOException {
    ByteBuffer in = ByteBuffer.wrap(bytes);
    try {
      if (in.remaining() < 3 || in.get() != M0 || in.get() != M1) {
        throw new IOException("not an HTTP cache entry");
      }
      byte version = in.get();
      if (version != VERSION) {
        throw new IOException("entry of format version " + version + ", expected " + VERSION);
      }
      String storedKey = string(in);
      if (!storedKey.equals(key)) {
        throw new IOException("entry of another key");
      }
      int count = count(in, 1);
      List<StoredResponse> variants = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        String identity = string(in);
        int status = in.getShort() & 0xffff;
        if (status < 100 || status > 999) {
          throw new IOException("status " + status);
        }
        byte protocol = in.get();
        HttpClient.Version httpVersion =
            switch (protocol) {
              case 1 -> HttpClient.Version.HTTP_1_1;
              case 2 -> HttpClient.Version.HTTP_2;
              default -> throw new IOException("protocol " + protocol);
            };
        URI uri = new URI(string(in));
        long requestTime = in.getLong();
        long responseTime = in.getLong();
        int varyCount = count(in, 5);
        Map<String, String> vary = new LinkedHashMap<>();
        for (int j = 0; j < varyCount; j++) {
          String name = string(in);
          vary.put(name, in.get() != 0 ? string(in) : null);
        }
        int fieldCount = count(in, 8);
        Map<String, List<String>> fields = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (int j = 0; j < fieldCount; j++) {
          String name = string(in);
          int values = count(in, 4);
          List<String> list = new ArrayList<>(values);
          for (int k = 0; k < values; k++) {
            list.add(string(in));
          }
          fields.put(name, List.copyOf(list));
        }
        byte[] body = new byte[count(in, 1)];
        in.get(body);
        Reply reply =
            new Reply(
                status,
                HttpHeaders.of(fields, (a, b) -> true),
                body,
                httpVersion,
                uri,
                requestTime,
                responseTime,
                Reply.Source.NETWORK);
        variants.add(new StoredResponse(reply, identity, vary, shared, heuristicCapMillis));
      }
      if (in.hasRemaining()) {
        throw new IOException(in.remaining() + " bytes after the entry");
      }
      return variants;
    } catch (BufferUnderflowException | URISyntaxException | IllegalArgumentException e) {
      throw new IOException("corrupt HTTP cache entry: " + e, e);
    }
  }

  private static void string(DataOutputStream out, String s) throws IOException {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.writeInt(b.length);
    out.write(b);
  }

  private static String string(ByteBuffer in) throws IOException {
    int length = count(in, 1);
    ByteBuffer slice = in.slice(in.position(), length);
    in.position(in.position() + length);
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(slice)
          .toString();
    } catch (CharacterCodingException e) {
      throw new IOException("a string that is not UTF-8", e);
    }
  }

  /**
   * A count or length, checked against what is left (each item taking at least {@code minBytes}),
   * so that corrupt bytes cannot make the reader allocate more than the entry's size.
   */
  private static int count(ByteBuffer in, int minBytes) throws IOException {
    int n = in.getInt();
    if (n < 0 || (long) n * minBytes > in.remaining()) {
      throw new IOException("count " + n + " exceeds the " + in.remaining() + " bytes left");
    }
    return n;
  }
}
