package dev.optimizer.samples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.optimizer.api.Report;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RuntimeSampleTest {

  @Test
  void theSampleTunesTheServiceTowardsItsPeak() {
    Report report = RuntimeSample.run(Duration.ofMinutes(20));
    double value = report.knobs().get(0).numericValue();
    assertThat(value).isBetween(12.0, 60.0); // started at 4; the peak is at 24, and flat around it
    assertThat(report.decisions()).isNotEmpty();
    assertThat(report.toMarkdown()).contains("service.concurrency");
  }
}
