package dev.optimizer.db.cache.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Time;
import java.time.LocalTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** PostgreSQL's text of a {@code timetz}, as pgjdbc reads it for {@code OffsetTime}. */
class PgTimesTest {
  @Test
  void readsTheOffsetsPostgresqlWrites() {
    assertThat(PgTimes.offsetTime("13:14:15.5+05:30"))
        .isEqualTo(OffsetTime.of(13, 14, 15, 500_000_000, ZoneOffset.ofHoursMinutes(5, 30)));
    assertThat(PgTimes.offsetTime("01:02:03-08"))
        .isEqualTo(OffsetTime.of(1, 2, 3, 0, ZoneOffset.ofHours(-8)));
    assertThat(PgTimes.offsetTime("01:02:03+01:02:03"))
        .isEqualTo(OffsetTime.of(1, 2, 3, 0, ZoneOffset.ofHoursMinutesSeconds(1, 2, 3)));
  }

  @Test
  void textThatIsNoTimeWithOffsetIsLeftToTheGenericConversion() throws Exception {
    assertThat(PgTimes.offsetTime("13:14:15")).isNull();
    assertThat(PgTimes.offsetTime("24:00:00+00")).isNull();
    assertThat(PgTimes.offsetTime("-1")).isNull();
    assertThat(
            PgTimes.get("timetz", "getObject", Time.valueOf("13:14:15"), "x", LocalTime.class, 2))
        .isSameAs(PgTimes.GENERIC);
  }
}
