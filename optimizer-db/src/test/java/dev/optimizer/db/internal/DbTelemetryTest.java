package dev.optimizer.db.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.Test;

class DbTelemetryTest {
  private static StatementKey key(long id) {
    return new StatementKey(
        id, "SELECT * FROM t" + id + " WHERE id = ?", "SELECT", "t" + id, "SELECT t" + id);
  }

  private static DbTelemetry telemetry(int maxFingerprints) {
    return new DbTelemetry(
        OpenTelemetry.noop().getMeter("test"), () -> "postgresql", "pool", maxFingerprints);
  }

  @Test
  void statementsBeyondTheTablesCapacityGetTheOverflowsAttributes() {
    StatementTable table = new StatementTable(10);
    DbTelemetry telemetry = telemetry(10);
    for (int id = 1; id <= 10; id++) {
      new StatementSlot(key(id)).counted(table, telemetry);
    }

    Attributes beyond = new StatementSlot(key(11)).counted(table, telemetry).attributes();
    Attributes within = new StatementSlot(key(3)).counted(table, telemetry).attributes();

    assertThat(beyond.get(DbTelemetry.SUMMARY)).isEqualTo("other");
    assertThat(beyond.get(DbTelemetry.COLLECTION)).isNull();
    assertThat(within.get(DbTelemetry.SUMMARY)).isEqualTo("SELECT t3");
    assertThat(within.get(DbTelemetry.COLLECTION)).isEqualTo("t3");
    assertThat(telemetry.cachedAttributes()).isEqualTo(11);
  }

  @Test
  void attributesKeptPerStatementStayWithinTheTablesCapacityAcrossResets() {
    StatementTable table = new StatementTable(10);
    DbTelemetry telemetry = telemetry(10);
    long id = 0;
    for (int reset = 0; reset < 100; reset++) {
      // Each round fills the table and its overflow with statements never seen before, as an
      // application that builds its SQL does, and a test that resets the insight between cases.
      for (int i = 0; i < 15; i++) {
        StatementSlot slot = new StatementSlot(key(++id));
        Attributes a = slot.counted(table, telemetry).attributes();
        assertThat(a.get(DbTelemetry.SUMMARY)).isEqualTo(i < 10 ? "SELECT t" + id : "other");
        assertThat(telemetry.cachedAttributes()).isLessThanOrEqualTo(11);
      }
      table.clear();
    }
    assertThat(telemetry.cachedAttributes()).isLessThanOrEqualTo(11);
  }

  @Test
  void setsBeyondTheBudgetAreFoldedIntoOtherAndFailuresKeepTheirTypeWhileThereIsRoom() {
    InMemoryMetricReader reader = InMemoryMetricReader.create();
    try (SdkMeterProvider provider =
        SdkMeterProvider.builder().registerMetricReader(reader).build()) {
      OperationSeries series = new OperationSeries(3);
      DbTelemetry telemetry =
          new DbTelemetry(provider.get("test"), () -> "postgresql", "pool", 100, series);
      Attributes one = telemetry.attributes(key(1));
      Attributes two = telemetry.attributes(key(2));
      telemetry.operation(one, 1_000, null);
      telemetry.operation(two, 1_000, null);
      telemetry.operation(one, 1_000, new SQLException("dup", "23505")); // the third set
      Attributes three = telemetry.attributes(key(3)); // over budget
      assertThat(three.get(DbTelemetry.SUMMARY)).isEqualTo("other");
      assertThat(three.get(DbTelemetry.OPERATION)).isNull();
      telemetry.operation(three, 1_000, null);
      telemetry.operation(two, 1_000, new SQLException("dup", "23505"));
      telemetry.operation(two, 1_000, new SQLException("gone", "42P01"));

      List<Attributes> sets =
          reader.collectAllMetrics().stream()
              .filter(m -> m.getName().equals("db.client.operation.duration"))
              .flatMap(m -> m.getHistogramData().getPoints().stream())
              .map(HistogramPointData::getAttributes)
              .toList();
      assertThat(sets)
          .containsExactlyInAnyOrder(
              one,
              two,
              one.toBuilder().put(DbTelemetry.ERROR_TYPE, "23505").build(),
              three,
              three.toBuilder().put(DbTelemetry.ERROR_TYPE, DbTelemetry.OTHER_ERROR_TYPE).build());
      assertThat(series.size()).isEqualTo(3);
    }
  }
}
