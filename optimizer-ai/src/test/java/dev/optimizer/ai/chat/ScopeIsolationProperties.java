package dev.optimizer.ai.chat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.DefaultChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.optimizer.ai.chat.internal.cache.CachedAnswer;
import dev.optimizer.ai.chat.internal.cache.ChatKey;
import dev.optimizer.ai.chat.internal.cache.ExactTier;
import dev.optimizer.ai.chat.internal.cache.KeyMaker;
import java.time.Duration;
import java.util.List;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.NotBlank;
import net.jqwik.api.constraints.StringLength;

class ScopeIsolationProperties {
  private final KeyMaker keys = new KeyMaker(1 << 20);

  private static ChatRequest request(String prompt) {
    return ChatRequest.builder()
        .messages(UserMessage.from(prompt))
        .parameters(DefaultChatRequestParameters.builder().modelName("m").temperature(0.0).build())
        .build();
  }

  @Property(tries = 300)
  void twoScopesWithTheSamePromptNeverShareAnEntry(
      @ForAll @NotBlank @StringLength(max = 40) String scopeA,
      @ForAll @NotBlank @StringLength(max = 40) String scopeB,
      @ForAll @NotBlank @StringLength(max = 200) String prompt) {
    Assume.that(!scopeA.equals(scopeB));
    ChatRequest r = request(prompt);
    ChatKey a = keys.key(scopeA, "OPEN_AI", r).key();
    ChatKey b = keys.key(scopeB, "OPEN_AI", r).key();
    assertThat(a).isNotNull();
    assertThat(a).isNotEqualTo(b);
    assertThat(a.digest()).isNotEqualTo(b.digest());

    try (ExactTier tier = new ExactTier(1 << 20, Duration.ofHours(1), System::nanoTime)) {
      tier.store(
          a,
          r,
          new CachedAnswer(
              ChatResponse.builder().aiMessage(AiMessage.from("secret of " + scopeA)).build(),
              List.of(CachedAnswer.Part.text("secret of " + scopeA))));
      assertThat(tier.lookup(b, r)).isEmpty();
      assertThat(tier.lookup(a, r)).isPresent();
    }
  }

  @Property(tries = 200)
  void theKeyIsAFunctionOfTheRequestAndScope(
      @ForAll @NotBlank @StringLength(max = 40) String scope,
      @ForAll @NotBlank @StringLength(max = 200) String prompt) {
    assertThat(keys.key(scope, "OPEN_AI", request(prompt)).key())
        .isEqualTo(keys.key(scope, "OPEN_AI", request(prompt)).key());
  }

  @Property(tries = 200)
  void splittingTextDifferentlyGivesDifferentKeys(
      @ForAll @net.jqwik.api.constraints.AlphaChars @StringLength(min = 3, max = 50) String text) {
    // "ab" + "c" and "a" + "bc" in two messages must not collide: fields are length-prefixed.
    ChatRequest one =
        ChatRequest.builder()
            .messages(UserMessage.from(text.substring(0, 1)), UserMessage.from(text.substring(1)))
            .build();
    ChatRequest other =
        ChatRequest.builder()
            .messages(
                UserMessage.from(text.substring(0, text.length() - 1)),
                UserMessage.from(text.substring(text.length() - 1)))
            .build();
    Assume.that(text.length() > 2);
    Assume.that(!text.substring(0, 1).equals(text.substring(0, text.length() - 1)));
    assertThat(keys.key("s", "P", one).key()).isNotEqualTo(keys.key("s", "P", other).key());
  }
}
