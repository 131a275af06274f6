package dev.optimizer.samples;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ChatSampleTest {

  @Test
  void theLlmServerSeesFewerCallsThanTheQuestionsAsked() {
    ChatSample.Result r = ChatSample.run();

    assertThat(r.asked()).isEqualTo(4);
    // The repeat (exact tier) and the recased wording (semantic tier) are served from the cache.
    assertThat(r.serverCalls()).isLessThanOrEqualTo(2);
    assertThat(r.accounting().cacheHits()).isEqualTo(r.asked() - r.serverCalls());
    assertThat(r.accounting().perModel().get("gpt-4o-mini").calls()).isEqualTo(r.serverCalls());
  }
}
