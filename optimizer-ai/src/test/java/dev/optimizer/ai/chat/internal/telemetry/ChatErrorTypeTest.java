package dev.optimizer.ai.chat.internal.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.exception.HttpException;
import dev.langchain4j.exception.RateLimitException;
import dev.optimizer.ai.chat.internal.resilience.AttemptTimeoutException;
import java.net.ConnectException;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** The chat decorators' error.type follows the module's one rule (ErrorTypes). */
class ChatErrorTypeTest {

  @Test
  void theChatRuleIsTheModulesRule() {
    assertThat(ChatMetrics.errorType(new RateLimitException(new HttpException(429, "slow"))))
        .isEqualTo("429");
    assertThat(ChatMetrics.errorType(new RuntimeException(new ConnectException("refused"))))
        .isEqualTo("java.net.ConnectException");
    assertThat(ChatMetrics.errorType(new AttemptTimeoutException("30 s"))).isEqualTo("timeout");
  }

  @Test
  void theDecoratorsOwnDeadlineIsATimeoutAlsoInsideABareWrapper() {
    // An async path hands the abandoned attempt on inside a CompletionException; it was reported
    // as the AttemptTimeoutException class name while the chat side had a rule of its own.
    assertThat(ChatMetrics.errorType(new CompletionException(new AttemptTimeoutException("30 s"))))
        .isEqualTo("timeout");
  }
}
