package dev.optimizer.db.cache.internal;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.util.UUID;

/**
 * The remote tier's wire format: a cache key's digest (SHA-256 of the statement, the connection's
 * context and the bound values, so values never reach Redis as such), and a compact binary form of
 * a {@link CachedResult} with the remote table versions it was loaded under. Only the value classes
 * the in-process cache keeps are written; anything else makes the key or result not remotely
 * cacheable ({@code null}). Stateless.
 */
final class ResultCodec {
  private static final int FORMAT = 1;

  private ResultCodec() {}

  /** The digest naming a cache key in Redis, or null when a bound value has no stable form. */
  static byte[] digest(String sql, Object[] parameters, ConnectionContext ctx) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + 2 * sql.length());
      DataOutputStream out = new DataOutputStream(bytes);
      out.writeInt(FORMAT);
      writeString(out, sql);
      writeString(out, ctx.url());
      writeString(out, ctx.catalog());
      writeString(out, ctx.schema());
      writeString(out, ctx.user());
      out.writeInt(parameters.length);
      for (Object p : parameters) {
        if (!writeValue(out, p)) {
          return null;
        }
      }
      out.flush();
      return MessageDigest.getInstance("SHA-256").digest(bytes.toByteArray());
    } catch (IOException | NoSuchAlgorithmException e) {
      return null;
    }
  }

  /** The bytes stored in Redis: the remote versions, then the result; null if not encodable. */
  static byte[] encode(long[] remoteVersions, CachedResult r) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(Math.max(256, r.bytes / 2));
      DataOutputStream out = new DataOutputStream(bytes);
      out.writeInt(FORMAT);
      out.writeInt(remoteVersions.length);
      for (long v : remoteVersions) {
        out.writeLong(v);
      }
      r.meta.writeTo(out);
      out.writeInt(r.values.length);
      out.writeInt(r.bytes);
      for (int i = 0; i < r.values.length; i++) {
        if (!writeValue(out, r.values[i])) {
          return null;
        }
        String text = r.texts == null ? null : r.texts[i];
        out.writeBoolean(text != null);
        if (text != null) {
          writeString(out, text);
        }
      }
      out.flush();
      return bytes.toByteArray();
    } catch (IOException e) {
      return null;
    }
  }

  /** The remote versions an encoded entry was loaded under. */
  static long[] versions(byte[] encoded) throws IOException {
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(encoded));
    return readVersions(in);
  }

  private static long[] readVersions(DataInputStream in) throws IOException {
    if (in.readInt() != FORMAT) {
      throw new IOException("unknown format");
    }
    int n = in.readInt();
    if (n < 0 || n > 100_000) {
      throw new IOException("bad version count " + n);
    }
    long[] v = new long[n];
    for (int i = 0; i < n; i++) {
      v[i] = in.readLong();
    }
    return v;
  }

  /** Decodes an entry into a result held under this instance's {@code localVersions}. */
  static CachedResult decode(byte[] encoded, long[] localVersions) throws IOException {
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(encoded));
    readVersions(in);
    CachedMetaData meta = CachedMetaData.readFrom(in);
    int n = in.readInt();
    int weight = in.readInt();
    int columns = meta.getColumnCount();
    if (n < 0 || n > encoded.length || (columns == 0 ? n != 0 : n % columns != 0)) {
      throw new IOException("bad value count " + n);
    }
    Object[] values = new Object[n];
    String[] texts = null;
    for (int i = 0; i < n; i++) {
      values[i] = readValue(in);
      if (in.readBoolean()) {
        if (texts == null) {
          texts = new String[n];
        }
        texts[i] = readString(in);
      }
    }
    return new CachedResult(meta, values, texts, localVersions, weight);
  }

  static void writeString(DataOutputStream out, String s) throws IOException {
    if (s == null) {
      out.writeInt(-1);
      return;
    }
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.writeInt(b.length);
    out.write(b);
  }

  static String readString(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 0) {
      return null;
    }
    if (n > in.available()) {
      throw new IOException("bad length " + n);
    }
    byte[] b = new byte[n];
    in.readFully(b);
    return new String(b, StandardCharsets.UTF_8);
  }

  private static boolean writeValue(DataOutputStream out, Object v) throws IOException {
    if (v == null) {
      out.writeByte(0);
    } else if (v instanceof String s) {
      out.writeByte(1);
      writeString(out, s);
    } else if (v instanceof Integer i) {
      out.writeByte(2);
      out.writeInt(i);
    } else if (v instanceof Long l) {
      out.writeByte(3);
      out.writeLong(l);
    } else if (v instanceof Short s) {
      out.writeByte(4);
      out.writeShort(s);
    } else if (v instanceof Byte b) {
      out.writeByte(5);
      out.writeByte(b);
    } else if (v instanceof Float f) {
      out.writeByte(6);
      out.writeFloat(f);
    } else if (v instanceof Double d) {
      out.writeByte(7);
      out.writeDouble(d);
    } else if (v instanceof BigDecimal d) {
      out.writeByte(8);
      out.writeInt(d.scale());
      writeBytes(out, d.unscaledValue().toByteArray());
    } else if (v instanceof BigInteger i) {
      out.writeByte(9);
      writeBytes(out, i.toByteArray());
    } else if (v instanceof Boolean b) {
      out.writeByte(10);
      out.writeBoolean(b);
    } else if (v.getClass() == java.sql.Date.class) {
      out.writeByte(11);
      out.writeLong(((java.sql.Date) v).getTime());
    } else if (v.getClass() == java.sql.Time.class) {
      out.writeByte(12);
      out.writeLong(((java.sql.Time) v).getTime());
    } else if (v.getClass() == java.sql.Timestamp.class) {
      java.sql.Timestamp t = (java.sql.Timestamp) v;
      out.writeByte(13);
      out.writeLong(t.getTime());
      out.writeInt(t.getNanos());
    } else if (v instanceof byte[] b) {
      out.writeByte(14);
      writeBytes(out, b);
    } else if (v instanceof UUID u) {
      out.writeByte(15);
      out.writeLong(u.getMostSignificantBits());
      out.writeLong(u.getLeastSignificantBits());
    } else if (v instanceof LocalDate d) {
      out.writeByte(16);
      out.writeLong(d.toEpochDay());
    } else if (v instanceof LocalTime t) {
      out.writeByte(17);
      out.writeLong(t.toNanoOfDay());
    } else if (v instanceof LocalDateTime t) {
      out.writeByte(18);
      out.writeLong(t.toLocalDate().toEpochDay());
      out.writeLong(t.toLocalTime().toNanoOfDay());
    } else if (v instanceof OffsetDateTime t) {
      out.writeByte(19);
      out.writeLong(t.toLocalDate().toEpochDay());
      out.writeLong(t.toLocalTime().toNanoOfDay());
      out.writeInt(t.getOffset().getTotalSeconds());
    } else if (v instanceof OffsetTime t) {
      out.writeByte(20);
      out.writeLong(t.toLocalTime().toNanoOfDay());
      out.writeInt(t.getOffset().getTotalSeconds());
    } else if (v instanceof Instant i) {
      out.writeByte(21);
      out.writeLong(i.getEpochSecond());
      out.writeInt(i.getNano());
    } else {
      return false;
    }
    return true;
  }

  private static Object readValue(DataInputStream in) throws IOException {
    int tag = in.readByte();
    switch (tag) {
      case 0:
        return null;
      case 1:
        return readString(in);
      case 2:
        return in.readInt();
      case 3:
        return in.readLong();
      case 4:
        return in.readShort();
      case 5:
        return in.readByte();
      case 6:
        return in.readFloat();
      case 7:
        return in.readDouble();
      case 8:
        {
          int scale = in.readInt();
          return new BigDecimal(new BigInteger(readBytes(in)), scale);
        }
      case 9:
        return new BigInteger(readBytes(in));
      case 10:
        return in.readBoolean();
      case 11:
        return new java.sql.Date(in.readLong());
      case 12:
        return new java.sql.Time(in.readLong());
      case 13:
        {
          java.sql.Timestamp t = new java.sql.Timestamp(in.readLong());
          t.setNanos(in.readInt());
          return t;
        }
      case 14:
        return readBytes(in);
      case 15:
        return new UUID(in.readLong(), in.readLong());
      case 16:
        return LocalDate.ofEpochDay(in.readLong());
      case 17:
        return LocalTime.ofNanoOfDay(in.readLong());
      case 18:
        return LocalDateTime.of(
            LocalDate.ofEpochDay(in.readLong()), LocalTime.ofNanoOfDay(in.readLong()));
      case 19:
        return OffsetDateTime.of(
            LocalDateTime.of(
                LocalDate.ofEpochDay(in.readLong()), LocalTime.ofNanoOfDay(in.readLong())),
            ZoneOffset.ofTotalSeconds(in.readInt()));
      case 20:
        return OffsetTime.of(
            LocalTime.ofNanoOfDay(in.readLong()), ZoneOffset.ofTotalSeconds(in.readInt()));
      case 21:
        return Instant.ofEpochSecond(in.readLong(), in.readInt());
      default:
        throw new IOException("unknown value tag " + tag);
    }
  }

  private static void writeBytes(DataOutputStream out, byte[] b) throws IOException {
    out.writeInt(b.length);
    out.write(b);
  }

  private static byte[] readBytes(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > in.available()) {
      throw new IOException("bad length " + n);
    }
    byte[] b = new byte[n];
    in.readFully(b);
    return b;
  }
}
