package dev.optimizer.ai.inference.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.exception.AuthenticationException;
import dev.langchain4j.exception.ContentFilteredException;
import dev.langchain4j.exception.HttpException;
import dev.langchain4j.exception.InternalServerException;
import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.exception.LangChain4jException;
import dev.langchain4j.exception.ModelNotFoundException;
import dev.langchain4j.exception.RateLimitException;
import dev.langchain4j.exception.TimeoutException;
import dev.langchain4j.exception.UnresolvedModelServerException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.http.HttpTimeoutException;
import java.util.List;
import org.junit.jupiter.api.Test;

class ServiceFailuresTest {

  @Test
  void failuresOfTheServiceOrTheTransportAreTheServices() {
    List<Throwable> services =
        List.of(
            new RateLimitException(new HttpException(429, "slow down")),
            new InternalServerException(new HttpException(503, "overloaded")),
            new TimeoutException(new HttpException(408, "timeout")),
            new AuthenticationException(new HttpException(401, "bad key")),
            new ModelNotFoundException(new HttpException(404, "no such model")),
            new UnresolvedModelServerException("no host"),
            new HttpException(502, "bad gateway"),
            new HttpException(403, "forbidden"),
            new LangChain4jException("wrapped", new HttpException(429, "slow down")),
            new RuntimeException(new ConnectException("Connection refused")),
            new UncheckedIOException(new IOException("reset")),
            new RuntimeException(new HttpTimeoutException("request timed out")),
            new RuntimeException(new java.util.concurrent.TimeoutException()),
            new RuntimeException(new InterruptedException()));
    for (Throwable e : services) {
      assertThat(ServiceFailures.isTheServices(e)).as(e.toString()).isTrue();
    }
  }

  @Test
  void failuresThatMayBeOneInputsAreNot() {
    List<Throwable> inputs =
        List.of(
            new InvalidRequestException(new HttpException(400, "input too long")),
            new InvalidRequestException(new HttpException(413, "too large")),
            new ContentFilteredException("filtered"),
            new HttpException(400, "bad request"),
            new HttpException(422, "unprocessable"),
            new IllegalArgumentException("tokenizer cannot take this text"),
            new LangChain4jException("no embedding for input 3"),
            new IllegalStateException("no cause at all"));
    for (Throwable e : inputs) {
      assertThat(ServiceFailures.isTheServices(e)).as(e.toString()).isFalse();
    }
  }
}
