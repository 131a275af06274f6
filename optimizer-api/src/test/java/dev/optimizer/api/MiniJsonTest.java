package dev.optimizer.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The test parser must itself reject what is not JSON, or the report tests prove nothing. */
class MiniJsonTest {

  @Test
  void parsesWellFormedJson() {
    Object v =
        MiniJson.parse(" {\"a\": [1, -2.5e3, true, false, null, {}], \"b\\n\": \"x\\u0001\\\"\"} ");
    assertThat(v)
        .isEqualTo(
            Map.of(
                "a", Arrays.asList(1.0, -2500.0, true, false, null, Map.of()), "b\n", "x\u0001\""));
    assertThat(MiniJson.parse("[]")).isEqualTo(List.of());
  }

  @Test
  void rejectsMalformedJson() {
    for (String bad :
        new String[] {
          "{\"a\": 1,}",
          "[1,]",
          "{\"a\" 1}",
          "\"raw\ncontrol\"",
          "\"bad \\x escape\"",
          "NaN",
          "01",
          "1.",
          "{} {}",
          "{'a': 1}",
          "{\"a\": 1, \"a\": 2}",
          "[1 2]",
          ""
        }) {
      assertThatThrownBy(() -> MiniJson.parse(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }
}
