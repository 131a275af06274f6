package dev.optimizer.db.cache.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Time;
import java.sql.Timestamp;
import java.time.LocalDateTime;
import java.time.LocalTime;
import org.junit.jupiter.api.Test;

/**
 * The getter conversions of cached values, where the driver's {@code getObject} value alone cannot
 * give what the driver answers: each case holds the value and the text the driver gave for it.
 */
class ValuesTest {
  @Test
  void aLocalTimeKeepsTheMicrosecondsOfTheDriversText() throws Exception {
    Time driverTime = new Time(Time.valueOf("13:14:15").getTime() + 123); // pgjdbc's: millis only
    assertThat(Values.as(driverTime, "13:14:15.123456", LocalTime.class))
        .isEqualTo(LocalTime.of(13, 14, 15, 123_456_000));
    // PostgreSQL's end of day, which pgjdbc reads as LocalTime.MAX.
    assertThat(Values.as(Time.valueOf("00:00:00"), "24:00:00", LocalTime.class))
        .isEqualTo(LocalTime.MAX);
    // Text that is no local time (a zone): the Time, as before.
    assertThat(Values.as(Time.valueOf("13:14:15"), "13:14:15+02", LocalTime.class))
        .isEqualTo(LocalTime.of(13, 14, 15));
  }

  /**
   * 02:30 on the night clocks go forward does not exist in the JVM's zone: the driver's Timestamp
   * for it reads 03:30 there, its text and its own LocalDateTime 02:30.
   */
  @Test
  void aLocalDateTimeInADaylightSavingGapIsTheDriversText() throws Exception {
    Timestamp moved = Timestamp.valueOf("2024-03-31 03:30:00.123456");
    assertThat(Values.as(moved, "2024-03-31 02:30:00.123456", LocalDateTime.class))
        .isEqualTo(LocalDateTime.of(2024, 3, 31, 2, 30, 0, 123_456_000));
    // Text that is no local timestamp (a zone, infinity, BC): the Timestamp, as before.
    Timestamp t = Timestamp.valueOf("2024-01-02 03:04:05");
    assertThat(Values.as(t, "2024-01-02 03:04:05+01", LocalDateTime.class))
        .isEqualTo(LocalDateTime.of(2024, 1, 2, 3, 4, 5));
    assertThat(Values.as(t, null, LocalDateTime.class))
        .isEqualTo(LocalDateTime.of(2024, 1, 2, 3, 4, 5));
  }
}
