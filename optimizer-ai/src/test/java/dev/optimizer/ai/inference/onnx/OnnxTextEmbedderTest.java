package dev.optimizer.ai.inference.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import dev.optimizer.ai.inference.MiniLm;
import dev.optimizer.runtime.batch.ItemResults;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxTextEmbedderTest {

  static final List<String> TEXTS =
      List.of(
          "How do I learn Java?",
          "What is the best way to learn a programming language quickly and remember it?",
          "Why?",
          "Is it safe to eat raw cookie dough, and what are the risks of salmonella or E. coli?",
          "café naïve résumé — unicode 東京 🙂",
          "How can I improve my English speaking skills at home without a teacher or partner?",
          "a",
          "What are the differences between a virus and a bacterium, and how do antibiotics work?");

  @Test
  void batchedVectorsMatchLangChain4jOneAtATime() {
    List<float[]> batched = MiniLm.embedder().embedAll(TEXTS);
    for (int i = 0; i < TEXTS.size(); i++) {
      float[] reference = MiniLm.langchain4j().embed(TEXTS.get(i)).content().vector();
      assertThat(batched.get(i)).hasSize(384);
      assertThat(MiniLm.cosineDistance(reference, batched.get(i)))
          .as("text %d", i)
          .isLessThan(1e-4);
    }
  }

  @Test
  void oneBatchPaddedToOneLengthStillMatches() {
    OnnxTextEmbedder wide =
        OnnxTextEmbedder.builder()
            .resources(
                AllMiniLmL6V2EmbeddingModel.class,
                "all-minilm-l6-v2.onnx",
                "all-minilm-l6-v2-tokenizer.json")
            .paddingTolerance(100)
            .maxForwardBatch(64)
            .intraOpThreads(1)
            .build();
    try (wide) {
      List<float[]> vectors = wide.embedAll(TEXTS);
      for (int i = 0; i < TEXTS.size(); i++) {
        assertThat(MiniLm.cosineDistance(MiniLm.embedder().embed(TEXTS.get(i)), vectors.get(i)))
            .isLessThan(1e-5);
      }
    }
    assertThatThrownBy(() -> wide.embed("closed")).hasMessageContaining("is closed");
  }

  @Test
  void closeDuringARunReleasesTheSessionOnlyWhenTheRunEnds() throws Exception {
    OnnxTextEmbedder own =
        OnnxTextEmbedder.builder()
            .resources(
                AllMiniLmL6V2EmbeddingModel.class,
                "all-minilm-l6-v2.onnx",
                "all-minilm-l6-v2-tokenizer.json")
            .maxForwardBatch(1)
            .intraOpThreads(1)
            .build();
    CountDownLatch firstDone = new CountDownLatch(1);
    CountDownLatch resume = new CountDownLatch(1);
    Object[] outcome = new Object[2];
    ItemResults<float[]> results =
        new ItemResults<>() {
          @Override
          public int size() {
            return 2;
          }

          @Override
          public boolean complete(int index, float[] value) {
            outcome[index] = value;
            if (firstDone.getCount() > 0) {
              // Between the two forward passes: the session is still needed for the second.
              firstDone.countDown();
              try {
                resume.await(30, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            }
            return true;
          }

          @Override
          public boolean fail(int index, Throwable error) {
            outcome[index] = error;
            return true;
          }
        };
    Thread runner =
        new Thread(() -> own.run(List.of("How do I learn Java?", "a second text"), results));
    runner.start();
    assertThat(firstDone.await(30, TimeUnit.SECONDS)).isTrue();
    own.close();
    assertThat(own.isReleased()).as("released under a running forward pass").isFalse();
    assertThatThrownBy(() -> own.embed("after close")).hasMessageContaining("is closed");
    resume.countDown();
    runner.join(TimeUnit.SECONDS.toMillis(30));
    assertThat(own.isReleased()).as("released by the last run out").isTrue();
    assertThat(outcome[0]).isInstanceOf(float[].class);
    assertThat(outcome[1]).as("the pass after close()").isInstanceOf(float[].class);
  }

  @Test
  void badInputsFailAloneAndTheOthersSucceed() {
    String longText = "word ".repeat(600);
    List<String> texts = List.of("fine one", "  ", longText, "fine two");
    Object[] outcome = new Object[texts.size()];
    MiniLm.embedder().run(texts, sink(outcome));
    assertThat(outcome[0]).isInstanceOf(float[].class);
    assertThat(outcome[3]).isInstanceOf(float[].class);
    assertThat(outcome[1])
        .isInstanceOf(IllegalArgumentException.class)
        .extracting(o -> ((Throwable) o).getMessage())
        .asString()
        .contains("empty or whitespace-only");
    assertThat(outcome[2]).isInstanceOf(InputTooLongException.class);
    InputTooLongException tooLong = (InputTooLongException) outcome[2];
    assertThat(tooLong.tokens()).isEqualTo(602);
    assertThat(tooLong.maxTokens()).isEqualTo(512);
    assertThat(tooLong.getMessage()).contains("602 tokens").contains("maxTokens is 512");
  }

  @Test
  void truncationKeepsTheFirstTokensAndTheSeparator() {
    try (OnnxTextEmbedder truncating =
        OnnxTextEmbedder.builder()
            .resources(
                AllMiniLmL6V2EmbeddingModel.class,
                "all-minilm-l6-v2.onnx",
                "all-minilm-l6-v2-tokenizer.json")
            .maxTokens(8)
            .truncation(Truncation.TRUNCATE)
            .intraOpThreads(1)
            .build()) {
      float[] cut = truncating.embed("one two three four five six seven eight nine ten");
      float[] prefix = truncating.embed("one two three four five six");
      assertThat(MiniLm.cosineDistance(cut, prefix)).isLessThan(1e-5);
    }
  }

  @Test
  void aFileThatIsNotOnnxIsRefusedClearly(@TempDir Path dir) throws Exception {
    Path notOnnx = dir.resolve("model.onnx");
    Files.writeString(notOnnx, "this is not a protobuf model");
    Path tokenizer = dir.resolve("tokenizer.json");
    try (var in =
        AllMiniLmL6V2EmbeddingModel.class.getResourceAsStream("/all-minilm-l6-v2-tokenizer.json")) {
      Files.write(tokenizer, in.readAllBytes());
    }
    assertThatThrownBy(() -> OnnxTextEmbedder.builder().model(notOnnx).tokenizer(tokenizer).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cannot load ONNX model 'model.onnx'");
  }

  @Test
  void settingsAreCheckedWhenGiven() {
    assertThatThrownBy(() -> OnnxTextEmbedder.builder().maxTokens(1))
        .hasMessage("maxTokens must be in [2, 65536], but was 1");
    assertThatThrownBy(() -> OnnxTextEmbedder.builder().intraOpThreads(0))
        .hasMessage("intraOpThreads must be in [1, 256], but was 0");
    assertThatThrownBy(() -> OnnxTextEmbedder.builder().paddingTolerance(-1))
        .hasMessage("paddingTolerance must be in [0.0, 100.0], but was -1.0");
    assertThatThrownBy(() -> OnnxTextEmbedder.builder().build()).hasMessage("model must be set");
    assertThatThrownBy(
            () -> OnnxTextEmbedder.builder().resources(OnnxTextEmbedderTest.class, "x.onnx", "y"))
        .hasMessageContaining("/x.onnx not found");
  }

  static ItemResults<float[]> sink(Object[] outcome) {
    return new ItemResults<>() {
      @Override
      public int size() {
        return outcome.length;
      }

      @Override
      public boolean complete(int index, float[] value) {
        outcome[index] = value;
        return true;
      }

      @Override
      public boolean fail(int index, Throwable error) {
        outcome[index] = error;
        return true;
      }
    };
  }

  static List<String> copy(List<String> l) {
    return new ArrayList<>(Arrays.asList(l.toArray(new String[0])));
  }
}
