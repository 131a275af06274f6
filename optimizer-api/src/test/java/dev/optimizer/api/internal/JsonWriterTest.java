package dev.optimizer.api.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.optimizer.api.MiniJson;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class JsonWriterTest {

  private static String number(double d) {
    return new JsonWriter().value(d).toString();
  }

  @Test
  void nestedStructureWithTwoSpaceIndentation() {
    String json =
        new JsonWriter()
            .beginObject()
            .name("a")
            .value(1L)
            .name("b")
            .beginArray()
            .value("x")
            .value(true)
            .endArray()
            .name("c")
            .beginObject()
            .endObject()
            .name("d")
            .beginArray()
            .endArray()
            .name("e")
            .value((String) null)
            .endObject()
            .toString();
    assertThat(json)
        .isEqualTo(
            "{\n"
                + "  \"a\": 1,\n"
                + "  \"b\": [\n"
                + "    \"x\",\n"
                + "    true\n"
                + "  ],\n"
                + "  \"c\": {},\n"
                + "  \"d\": [],\n"
                + "  \"e\": null\n"
                + "}");
    assertThat(MiniJson.parse(json)).isInstanceOf(Map.class);
  }

  @Test
  void arraysOfObjects() {
    String json =
        new JsonWriter()
            .beginArray()
            .beginObject()
            .name("k")
            .value(false)
            .endObject()
            .beginObject()
            .endObject()
            .endArray()
            .toString();
    assertThat(json).isEqualTo("[\n  {\n    \"k\": false\n  },\n  {}\n]");
    assertThat(MiniJson.parse(json)).isEqualTo(List.of(Map.of("k", false), Map.of()));
  }

  @Test
  void stringsAreEscaped() {
    String tricky = "q\"b\\n\nr\rt\tc\u0001d\u001fe|f/é\u2028";
    String json = new JsonWriter().value(tricky).toString();
    assertThat(json).isEqualTo("\"q\\\"b\\\\n\\nr\\rt\\tc\\u0001d\\u001fe|f/é\u2028\"");
    assertThat(MiniJson.parse(json)).isEqualTo(tricky);
    String name = new JsonWriter().beginObject().name("a\"b").value(1L).endObject().toString();
    assertThat(MiniJson.parse(name)).isEqualTo(Map.of("a\"b", 1.0));
  }

  @Test
  void nonFiniteNumbersBecomeNull() {
    assertThat(number(Double.NaN)).isEqualTo("null");
    assertThat(number(Double.POSITIVE_INFINITY)).isEqualTo("null");
    assertThat(number(Double.NEGATIVE_INFINITY)).isEqualTo("null");
  }

  @Test
  void numbersAreShortAndValid() {
    assertThat(number(2.0)).isEqualTo("2");
    assertThat(number(-0.0)).isEqualTo("0");
    assertThat(number(0.5)).isEqualTo("0.5");
    assertThat(number(-2.5)).isEqualTo("-2.5");
    assertThat(number(100.25)).isEqualTo("100.25");
    assertThat(number(1.0 / 3)).isEqualTo("0.333333");
    assertThat(number(1234.5678)).isEqualTo("1234.57");
    assertThat(number(0.0001)).isEqualTo("0.0001");
    assertThat(number(1.5e-7)).isEqualTo("1.5e-07");
    assertThat(number(1e15)).isEqualTo("1e+15");
    assertThat(number(1e20)).isEqualTo("1e+20");
    assertThat(number(123456789012.0)).isEqualTo("123456789012");
    assertThat(new JsonWriter().value(Long.MIN_VALUE).toString()).isEqualTo("-9223372036854775808");
  }

  @Provide
  Arbitrary<Double> doubles() {
    return Arbitraries.oneOf(
        Arbitraries.doubles().withStandardSpecialValues(),
        Arbitraries.doubles().between(-1e6, 1e6).ofScale(8),
        Arbitraries.doubles().between(-1e-3, 1e-3).ofScale(12),
        Arbitraries.of(1e-300, Double.MIN_VALUE, Double.MAX_VALUE, 99.999995, 0.1 + 0.2));
  }

  /** Every double is written as valid JSON within six significant digits, or as null. */
  @Property(tries = 1000)
  void everyDoubleIsValidJson(@ForAll("doubles") double d) {
    String text = number(d);
    Object parsed = MiniJson.parse(text);
    if (!Double.isFinite(d)) {
      assertThat(parsed).isNull();
    } else {
      double back = (Double) parsed;
      assertThat(Math.abs(back - d)).isLessThanOrEqualTo(Math.abs(d) * 6e-6);
    }
  }

  /** Every string survives a write and a parse. */
  @Property(tries = 500)
  void everyStringRoundTrips(@ForAll String s) {
    assertThat(MiniJson.parse(new JsonWriter().value(s).toString())).isEqualTo(s);
  }
}
