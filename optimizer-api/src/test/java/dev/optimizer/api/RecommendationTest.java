package dev.optimizer.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class RecommendationTest {

  @Test
  void defaults() {
    Recommendation r = Recommendation.builder("index", "orders").build();
    assertThat(r.kind()).isEqualTo("index");
    assertThat(r.subject()).isEqualTo("orders");
    assertThat(r.summary()).isEmpty();
    assertThat(r.action()).isEmpty();
    assertThat(r.evidence()).isEmpty();
    assertThat(r.estimatedGain()).isEmpty();
    assertThat(r.time()).isEqualTo(Instant.EPOCH);
  }

  @Test
  void everySettingIsKept() {
    Instant t = Instant.parse("2026-01-02T03:04:05Z");
    Recommendation r =
        Recommendation.builder("index", "orders(customer_id)")
            .summary("Add an index")
            .action("CREATE INDEX ...")
            .evidence("calls", "1200")
            .evidence("mean", "35ms")
            .evidence("calls", "1300") // the same key again replaces the value in place
            .estimatedGain(0.4)
            .time(t)
            .build();
    assertThat(r.summary()).isEqualTo("Add an index");
    assertThat(r.action()).isEqualTo("CREATE INDEX ...");
    assertThat(r.evidence()).containsExactly(entry("calls", "1300"), entry("mean", "35ms"));
    assertThat(r.estimatedGain()).contains(0.4);
    assertThat(r.time()).isEqualTo(t);
    assertThat(r).hasToString("index orders(customer_id): Add an index");
  }

  private static java.util.Map.Entry<String, String> entry(String k, String v) {
    return java.util.Map.entry(k, v);
  }

  @Test
  void evidenceIsAnUnmodifiableCopyInInsertionOrder() {
    Recommendation.Builder b = Recommendation.builder("knob", "pool");
    for (String k : new String[] {"z", "a", "m"}) {
      b.evidence(k, k.toUpperCase());
    }
    Recommendation r = b.build();
    b.evidence("late", "added after build");
    assertThat(r.evidence().keySet()).containsExactly("z", "a", "m");
    assertThatThrownBy(() -> r.evidence().put("x", "y"))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void kindAndSubjectMustNotBeBlank() {
    assertThatThrownBy(() -> Recommendation.builder(" ", "orders"))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("kind must not be blank, but was ' '");
    assertThatThrownBy(() -> Recommendation.builder("index", ""))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("subject must not be blank, but was ''");
    assertThatThrownBy(() -> Recommendation.builder(null, "orders"))
        .isExactlyInstanceOf(NullPointerException.class)
        .hasMessage("kind must not be null");
    assertThatThrownBy(() -> Recommendation.builder("index", null))
        .isExactlyInstanceOf(NullPointerException.class)
        .hasMessage("subject must not be null");
  }

  @Test
  void settingsAreChecked() {
    Recommendation.Builder b = Recommendation.builder("index", "orders");
    assertThatThrownBy(() -> b.estimatedGain(1.5))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("estimatedGain must be in [0.0, 1.0], but was 1.5");
    assertThatThrownBy(() -> b.estimatedGain(-0.1))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("estimatedGain must be in [0.0, 1.0], but was -0.1");
    assertThatThrownBy(() -> b.estimatedGain(Double.NaN))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("estimatedGain must be in [0.0, 1.0], but was NaN");
    assertThatThrownBy(() -> b.evidence(" ", "v"))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("evidence key must not be blank, but was ' '");
    assertThatThrownBy(() -> b.evidence("k", null))
        .isExactlyInstanceOf(NullPointerException.class)
        .hasMessage("evidence value must not be null");
    assertThatThrownBy(() -> b.summary(null))
        .isExactlyInstanceOf(NullPointerException.class)
        .hasMessage("summary must not be null");
    assertThatThrownBy(() -> b.action(null))
        .isExactlyInstanceOf(NullPointerException.class)
        .hasMessage("action must not be null");
    assertThatThrownBy(() -> b.time(null))
        .isExactlyInstanceOf(NullPointerException.class)
        .hasMessage("time must not be null");
    // the failed calls left nothing behind
    Recommendation r = b.build();
    assertThat(r.evidence()).isEmpty();
    assertThat(r.estimatedGain()).isEmpty();
    assertThat(Recommendation.builder("a", "b").estimatedGain(0).build().estimatedGain())
        .contains(0.0);
    assertThat(Recommendation.builder("a", "b").estimatedGain(1).build().estimatedGain())
        .contains(1.0);
  }
}
