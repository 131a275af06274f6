package dev.optimizer.db.cache.internal;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * One committed write as the remote tier broadcasts it: the tables, keys (table and integer key) or
 * "everything" it invalidates. Holds table names and key numbers only, never statement text or
 * other bound values. The writing instance is told by the runtime's {@code RedisLink}, which frames
 * each message with its sender's id and passes on only other instances' messages.
 *
 * @param tables tables written, not pinned to one key
 * @param keys single keys written
 * @param all whether every table may have changed
 */
record Invalidation(List<String> tables, List<ResultCache.KeyWrite> keys, boolean all) {
  private static final int FORMAT = 1;
  private static final int MAX_ITEMS = 1_000_000;

  static byte[] encode(
      Collection<String> tables, Collection<ResultCache.KeyWrite> keys, boolean all) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      DataOutputStream out = new DataOutputStream(bytes);
      out.writeInt(FORMAT);
      out.writeBoolean(all);
      out.writeInt(tables.size());
      for (String t : tables) {
        ResultCodec.writeString(out, t);
      }
      out.writeInt(keys.size());
      for (ResultCache.KeyWrite k : keys) {
        ResultCodec.writeString(out, k.table());
        out.writeLong(k.key());
      }
      out.flush();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // not thrown by a byte array stream
    }
  }

  static Invalidation decode(byte[] message) throws IOException {
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(message));
    if (in.readInt() != FORMAT) {
      throw new IOException("unknown invalidation format");
    }
    boolean all = in.readBoolean();
    int n = count(in);
    List<String> tables = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      tables.add(ResultCodec.readString(in));
    }
    int k = count(in);
    List<ResultCache.KeyWrite> keys = new ArrayList<>(k);
    for (int i = 0; i < k; i++) {
      keys.add(new ResultCache.KeyWrite(ResultCodec.readString(in), in.readLong()));
    }
    return new Invalidation(tables, keys, all);
  }

  private static int count(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > MAX_ITEMS) {
      throw new IOException("bad count " + n);
    }
    return n;
  }
}
