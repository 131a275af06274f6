package dev.optimizer.demo.app;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/** The shop assistant: a question in, an answer grounded in the catalog out. */
@RestController
public class AskController {
  /** A shopper's question. */
  public record Question(String question) {}

  private final AskService ask;

  /** Answers with {@code ask}. */
  public AskController(AskService ask) {
    this.ask = ask;
  }

  /** Answers a question. */
  @PostMapping("/ask")
  public AskService.Answer ask(@RequestBody Question q) {
    if (q.question() == null || q.question().isBlank()) {
      throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "question must not be blank");
    }
    return ask.ask(q.question());
  }
}
