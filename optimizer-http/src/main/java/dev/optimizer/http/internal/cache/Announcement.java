package dev.optimizer.http.internal.cache;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * An invalidation one instance announces to the others: format version (1 byte), then the cache
 * keys (count; u32 length, UTF-8). The runtime's {@code RedisLink} puts the sender's id before it
 * and passes on only other instances' announcements.
 */
record Announcement(List<String> keys) {
  private static final byte VERSION = 1;

  static byte[] encode(Collection<String> keys) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(VERSION);
      out.writeInt(keys.size());
      for (String k : keys) {
        byte[] b = k.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("a byte array stream does not fail", e);
    }
    return bytes.toByteArray();
  }

  static Announcement decode(byte[] message) throws IOException {
    ByteBuffer in = ByteBuffer.wrap(message);
    try {
      if (in.get() != VERSION) {
        throw new IOException("announcement of another format version");
      }
      int count = in.getInt();
      if (count < 0 || (long) count * 4 > in.remaining()) {
        throw new IOException("announcement with " + count + " keys");
      }
      List<String> keys = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        int length = in.getInt();
        if (length < 0 || length > in.remaining()) {
          throw new IOException("key of " + length + " bytes");
        }
        byte[] b = new byte[length];
        in.get(b);
        keys.add(new String(b, StandardCharsets.UTF_8));
      }
      return new Announcement(keys);
    } catch (BufferUnderflowException e) {
      throw new IOException("truncated announcement", e);
    }
  }
}
