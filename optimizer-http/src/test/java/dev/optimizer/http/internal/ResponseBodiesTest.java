package dev.optimizer.http.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Which content types are streams, whatever their case, parameters and surrounding blanks. */
class ResponseBodiesTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "text/event-stream",
        "TEXT/Event-Stream; charset=utf-8",
        " application/x-ndjson ",
        "application/ndjson;",
        "application/jsonl",
        "application/json-seq",
        "application/stream+json",
        "application/grpc",
        "multipart/x-mixed-replace; boundary=frame",
        "application/vnd.example+ndjson",
        "application/geo+json-seq"
      })
  void streams(String type) {
    assertThat(ResponseBodies.isStream(type)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "application/json",
        "text/event-streams",
        "text/event",
        "application/json; profile=text/event-stream",
        "application/grpc-web",
        "application/ndjson-ish"
      })
  void notStreams(String type) {
    assertThat(ResponseBodies.isStream(type)).isFalse();
  }
}
