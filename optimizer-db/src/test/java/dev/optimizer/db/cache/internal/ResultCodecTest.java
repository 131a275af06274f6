package dev.optimizer.db.cache.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.optimizer.db.support.EmbeddedPostgres;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ResultCodecTest {
  private static HikariDataSource pool;

  @BeforeAll
  static void start() {
    pool = EmbeddedPostgres.hikari("result-codec", 2);
  }

  @AfterAll
  static void stop() {
    pool.close();
  }

  private static CachedResult readFromPostgres() throws Exception {
    try (Connection c = pool.getConnection();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT 'a€'::text AS t, 1::int, 2::bigint, 3::smallint, 1.5::real, 2.5::float8,"
                    + " 12.340::numeric, true, date '2020-01-02', time '10:11:12',"
                    + " timestamp '2020-01-02 03:04:05.123456', timestamptz '2020-01-02 03:04:05+02',"
                    + " '\\x0102'::bytea, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid, NULL::text"
                    + " UNION ALL SELECT NULL, NULL, NULL, NULL, NULL, NULL, NULL, false, NULL,"
                    + " NULL, NULL, NULL, NULL, NULL, 'x'")) {
      CachedResult.Read read = CachedResult.read(rs, new long[] {1, 2}, 1 << 20);
      assertThat(read.complete()).isNotNull();
      return read.complete();
    }
  }

  @Test
  void aPostgresResultSurvivesTheRoundTrip() throws Exception {
    CachedResult r = readFromPostgres();
    byte[] encoded = ResultCodec.encode(new long[] {7, 8, 9}, r);
    assertThat(ResultCodec.versions(encoded)).containsExactly(7, 8, 9);
    CachedResult back = ResultCodec.decode(encoded, new long[] {3});
    assertThat(back.versions).containsExactly(3);
    assertThat(back.rows).isEqualTo(2);
    assertThat(back.columns).isEqualTo(r.columns);
    assertThat(Arrays.deepEquals(back.values, r.values)).isTrue();
    assertThat(back.texts).isEqualTo(r.texts);
    for (int c = 1; c <= r.columns; c++) {
      assertThat(back.meta.getColumnLabel(c)).isEqualTo(r.meta.getColumnLabel(c));
      assertThat(back.meta.getColumnType(c)).isEqualTo(r.meta.getColumnType(c));
      assertThat(back.meta.getColumnTypeName(c)).isEqualTo(r.meta.getColumnTypeName(c));
      assertThat(back.meta.getPrecision(c)).isEqualTo(r.meta.getPrecision(c));
      assertThat(back.meta.isSigned(c)).isEqualTo(r.meta.isSigned(c));
    }
  }

  @Test
  void everyKeptValueClassSurvivesTheRoundTrip() throws Exception {
    CachedResult shape = readFromPostgres();
    Object[] values = {
      "s",
      Integer.MIN_VALUE,
      Long.MAX_VALUE,
      (short) -3,
      (byte) 7,
      Float.NaN,
      -0.0d,
      new BigDecimal("-123456789012345678901234567890.000100"),
      new BigInteger("-98765432109876543210"),
      Boolean.FALSE,
      LocalDate.of(1999, 12, 31),
      LocalTime.of(23, 59, 59, 999_999_999),
      LocalDateTime.of(2024, 2, 29, 1, 2, 3, 4),
      OffsetDateTime.of(2024, 2, 29, 1, 2, 3, 4, ZoneOffset.ofHoursMinutes(-5, -30)),
      OffsetTime.of(1, 2, 3, 4, ZoneOffset.UTC)
    };
    Object[] more = {
      Instant.ofEpochSecond(-5, 6),
      java.sql.Timestamp.valueOf("1970-01-01 00:00:00.000000001"),
      java.sql.Date.valueOf("2000-02-03"),
      java.sql.Time.valueOf("04:05:06"),
      new byte[] {0, -1, 2},
      UUID.randomUUID()
    };
    for (Object[] row : new Object[][] {values, Arrays.copyOf(more, values.length)}) {
      CachedResult r = new CachedResult(shape.meta, row, null, new long[] {1}, 100);
      CachedResult back = ResultCodec.decode(ResultCodec.encode(new long[] {1}, r), new long[0]);
      assertThat(Arrays.deepEquals(back.values, row)).as(Arrays.toString(row)).isTrue();
    }
  }

  @Test
  void aValueOfAnotherClassIsNotEncodedAndGarbageIsRejected() throws Exception {
    CachedResult shape = readFromPostgres();
    Object[] row = new Object[shape.columns];
    row[0] = new StringBuilder("mutable");
    assertThat(ResultCodec.encode(new long[0], new CachedResult(shape.meta, row, null, null, 1)))
        .isNull();
    assertThatThrownBy(() -> ResultCodec.decode(new byte[] {0, 0, 0, 1, 0x7f}, new long[0]))
        .isInstanceOf(IOException.class);
    assertThatThrownBy(() -> ResultCodec.decode(new byte[] {9, 9}, new long[0]))
        .isInstanceOf(IOException.class);
  }

  @Test
  void theDigestNamesSqlValuesAndContextAndNothingElse() {
    ConnectionContext ctx = new ConnectionContext("jdbc:x", "db", "public", "u");
    byte[] one = ResultCodec.digest("SELECT ?", new Object[] {1}, ctx);
    assertThat(one).hasSize(32);
    assertThat(ResultCodec.digest("SELECT ?", new Object[] {1}, ctx)).isEqualTo(one);
    assertThat(ResultCodec.digest("SELECT ?", new Object[] {1L}, ctx)).isNotEqualTo(one);
    assertThat(ResultCodec.digest("SELECT ?", new Object[] {2}, ctx)).isNotEqualTo(one);
    assertThat(ResultCodec.digest("SELECT  ?", new Object[] {1}, ctx)).isNotEqualTo(one);
    assertThat(
            ResultCodec.digest(
                "SELECT ?", new Object[] {1}, new ConnectionContext("jdbc:x", "db", "public", "v")))
        .isNotEqualTo(one);
    assertThat(ResultCodec.digest("SELECT ?", new Object[] {new Object()}, ctx)).isNull();
  }
}
