package dev.optimizer.http.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The too-large error tells the person reading it what to change: the setting, its value now and
 * its range (or that it is at its maximum).
 */
class ResponseTooLargeExceptionTest {

  @Test
  void namesTheSettingItsValueAndItsRange() {
    String message = ResponseTooLargeException.of(1 << 20, (1 << 20) + 1).getMessage();

    assertThat(message)
        .startsWith("response body of at least 1048577 bytes exceeds maxResponseBodyBytes=1048576")
        .contains("(1 MiB)")
        .contains("HttpOptimizer.builder(optimizer).maxResponseBodyBytes(bytes)")
        .contains("optimizer.http.max-response-body-bytes")
        .contains("allowed from 1024 to 1073741824 (1 GiB)")
        .doesNotContain("Accept-Encoding");
  }

  @Test
  void atItsMaximumTheSettingIsNotOfferedAsTheWayOut() {
    long max = ResponseTooLargeException.MAX_CAP;

    assertThat(ResponseTooLargeException.of(max, max + 1).getMessage())
        .contains("(1 GiB)")
        .contains("at its maximum already")
        .doesNotContain("Raise it");
  }

  @Test
  void sizesReadInTheLargestUnitThatDividesThem() {
    assertThat(ResponseTooLargeException.readable(64L << 20)).isEqualTo("64 MiB");
    assertThat(ResponseTooLargeException.readable(1536)).isEqualTo("1536 bytes");
    assertThat(ResponseTooLargeException.readable(3L << 10)).isEqualTo("3 KiB");
    assertThat(ResponseTooLargeException.readable(1000)).isEqualTo("1000 bytes");
  }
}
