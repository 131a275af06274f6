package dev.optimizer.ai.chat.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.StringLength;

/**
 * Which header fields of a LangChain4j model are key material: those that can change the answer
 * are, by lower-case name; credentials and who is calling never are.
 */
class ModelSettingsTest {
  private static final List<String> CREDENTIAL_NAMES =
      List.of(
          "Authorization",
          "Proxy-Authorization",
          "api-key",
          "X-Api-Key",
          "Cookie",
          "User-Agent",
          "OpenAI-Organization",
          "OpenAI-Project",
          "X-Goog-Api-Key",
          "X-Amz-Security-Token",
          "Ocp-Apim-Subscription-Key",
          "X-Client-Secret",
          "X-Password",
          "X-Session-Id",
          "X-Request-Signature");

  private static OpenAiChatModel.OpenAiChatModelBuilder builder() {
    return OpenAiChatModel.builder().baseUrl("http://localhost:1/v1").apiKey("k").modelName("m");
  }

  private static String digest(Map<String, String> headers) {
    return ModelSettings.of(builder().customHeaders(headers).build());
  }

  @Example
  void theRuleNamesCredentialsAndCallerIdentityWhateverTheirCase() {
    for (String name : CREDENTIAL_NAMES) {
      assertThat(ModelSettings.credential(name)).as(name).isTrue();
      assertThat(ModelSettings.credential(name.toUpperCase(Locale.ROOT))).as(name).isTrue();
    }
    for (String name :
        List.of("OpenAI-Beta", "api-version", "anthropic-version", "X-Route", "Accept-Language")) {
      assertThat(ModelSettings.credential(name)).as(name).isFalse();
    }
  }

  @Example
  void headersThatCanChangeTheAnswerAreKeyMaterialByLowerCaseName() {
    String none = digest(Map.of());
    String beta = digest(Map.of("OpenAI-Beta", "assistants=v2"));
    assertThat(beta).isNotEqualTo(none).isNotEqualTo(digest(Map.of("OpenAI-Beta", "v1")));
    assertThat(digest(Map.of("openai-beta", "assistants=v2"))).isEqualTo(beta);
    assertThat(digest(Map.of("Authorization", "Bearer t"))).isEqualTo(none);
    assertThat(
            ModelSettings.of(
                OpenAiStreamingChatModel.builder()
                    .baseUrl("http://localhost:1/v1")
                    .apiKey("other")
                    .modelName("m")
                    .customHeaders(Map.of("OPENAI-BETA", "assistants=v2"))
                    .build()))
        .as("the streaming model built alike has the same settings")
        .isEqualTo(beta);
  }

  @Example
  void credentialsInQueryParametersAreNotKeyMaterialEither() {
    String version =
        ModelSettings.of(builder().customQueryParams(Map.of("api-version", "2")).build());
    assertThat(
            ModelSettings.of(
                builder()
                    .customQueryParams(Map.of("api-version", "2", "api-key", "s", "sig", "x"))
                    .build()))
        .isEqualTo(version);
  }

  @Example
  void anApplicationsOwnHeaderSupplierIsNeitherCalledNorKeyMaterial() {
    AtomicInteger calls = new AtomicInteger();
    Supplier<Map<String, String>> perRequest =
        () -> {
          calls.incrementAndGet();
          return Map.of("OpenAI-Beta", "assistants=v" + calls.get());
        };
    assertThat(ModelSettings.of(builder().customHeaders(perRequest).build()))
        .isEqualTo(digest(Map.of()));
    assertThat(calls).hasValue(0);
  }

  @Property(tries = 40)
  void addingCredentialsNeverChangesTheDigest(
      @ForAll("headers") Map<String, String> headers,
      @ForAll("credentials") Map<String, String> credentials) {
    Map<String, String> both = new LinkedHashMap<>(headers);
    credentials.forEach(both::putIfAbsent);
    assertThat(digest(both)).isEqualTo(digest(headers));
  }

  @Property(tries = 40)
  void aNonCredentialHeaderValueAlwaysChangesTheDigest(
      @ForAll("headers") Map<String, String> headers,
      @ForAll @AlphaChars @StringLength(min = 1, max = 8) String value) {
    Map<String, String> other = new LinkedHashMap<>(headers);
    other.put("X-Route", "route-" + value);
    Map<String, String> another = new LinkedHashMap<>(headers);
    another.put("X-Route", "other-" + value);
    assertThat(digest(other)).isNotEqualTo(digest(another));
  }

  @Provide
  Arbitrary<Map<String, String>> headers() {
    return Arbitraries.maps(
            Arbitraries.of("OpenAI-Beta", "api-version", "anthropic-version", "X-Tier"),
            Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(8))
        .ofMaxSize(4);
  }

  @Provide
  Arbitrary<Map<String, String>> credentials() {
    Arbitrary<String> names =
        Arbitraries.oneOf(
            Arbitraries.of(CREDENTIAL_NAMES),
            Arbitraries.of("token", "key", "secret", "pass", "auth")
                .flatMap(
                    word ->
                        Arbitraries.strings()
                            .alpha()
                            .ofMaxLength(4)
                            .map(prefix -> "X-" + prefix + "-" + word.toUpperCase(Locale.ROOT))));
    return Arbitraries.maps(names, Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(12))
        .ofMinSize(1)
        .ofMaxSize(4);
  }
}
