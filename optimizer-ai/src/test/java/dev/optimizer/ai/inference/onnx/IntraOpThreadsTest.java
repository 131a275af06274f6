package dev.optimizer.ai.inference.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import ai.onnxruntime.OrtSession;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import dev.optimizer.ai.inference.InferenceBatcher;
import dev.optimizer.ai.inference.MiniLm;
import dev.optimizer.ai.inference.internal.BatcherKnobs;
import dev.optimizer.api.Decision;
import dev.optimizer.api.Knob;
import dev.optimizer.api.Verdict;
import dev.optimizer.runtime.Optimizer;
import dev.optimizer.runtime.tuning.TuningState;
import dev.optimizer.testing.OptimizerTestKit;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The intra-op thread count as a live knob: a change builds a new session, swaps it in, and closes
 * the old one after the runs that hold it; the batcher registers and tunes it.
 */
class IntraOpThreadsTest {

  private static final String ONNX = "all-minilm-l6-v2.onnx";
  private static final String TOKENIZER = "all-minilm-l6-v2-tokenizer.json";
  private static final String KNOB = BatcherKnobs.intraOpThreads("minilm");

  private static OnnxTextEmbedderBuilder miniLm() {
    return OnnxTextEmbedder.builder().resources(AllMiniLmL6V2EmbeddingModel.class, ONNX, TOKENIZER);
  }

  /** Counts, per session, how often the slot closed it. */
  private static Map<OrtSession, AtomicInteger> countCloses(OnnxTextEmbedder e) {
    Map<OrtSession, AtomicInteger> closes = new IdentityHashMap<>();
    e.sessions().onSessionClosed =
        s -> {
          synchronized (closes) {
            closes.computeIfAbsent(s, k -> new AtomicInteger()).incrementAndGet();
          }
        };
    return closes;
  }

  private static OrtSession currentSession(OnnxTextEmbedder e) {
    SessionSlot.Generation<OrtSession> g = e.sessions().acquire();
    e.sessions().release(g);
    return g.session;
  }

  private static void assertSameVectors(List<float[]> expected, List<float[]> actual) {
    assertThat(actual).hasSameSizeAs(expected);
    for (int i = 0; i < expected.size(); i++) {
      assertThat(MiniLm.cosineDistance(expected.get(i), actual.get(i)))
          .as("text %d", i)
          .isLessThanOrEqualTo(1e-5);
    }
  }

  @Test
  void vectorsAreTheSameBeforeAndAfterAThreadCountChange() {
    try (OnnxTextEmbedder e = miniLm().intraOpThreads(1).build()) {
      Map<OrtSession, AtomicInteger> closes = countCloses(e);
      OrtSession first = currentSession(e);
      List<float[]> before = e.embedAll(OnnxTextEmbedderTest.TEXTS);
      e.setIntraOpThreads(2);
      assertThat(e.intraOpThreads()).isEqualTo(2);
      assertThat(currentSession(e)).isNotSameAs(first);
      assertThat(closes).containsOnlyKeys(first); // idle: closed by the swap itself
      assertSameVectors(before, e.embedAll(OnnxTextEmbedderTest.TEXTS));
      e.setIntraOpThreads(2); // the same count: nothing rebuilt
      assertThat(closes).hasSize(1);
    }
  }

  @Test
  void concurrentRunsAcrossASwapAllSucceedAndTheOldSessionClosesOnceAfterThem() throws Exception {
    int holders = 4;
    try (OnnxTextEmbedder e = miniLm().intraOpThreads(1).build()) {
      List<float[]> expected = e.embedAll(OnnxTextEmbedderTest.TEXTS);
      Map<OrtSession, AtomicInteger> closes = countCloses(e);
      OrtSession old = currentSession(e);
      // The first `holders` runs stop right after taking their session, until released.
      AtomicInteger held = new AtomicInteger();
      CountDownLatch holding = new CountDownLatch(holders);
      CountDownLatch release = new CountDownLatch(1);
      e.afterAcquire =
          () -> {
            if (held.incrementAndGet() <= holders) {
              holding.countDown();
              await(release);
            }
          };
      ExecutorService pool = Executors.newFixedThreadPool(holders);
      try {
        List<Future<List<float[]>>> runs = new ArrayList<>();
        for (int i = 0; i < holders; i++) {
          runs.add(pool.submit(() -> e.embedAll(OnnxTextEmbedderTest.TEXTS)));
        }
        assertThat(holding.await(30, TimeUnit.SECONDS)).isTrue();

        e.setIntraOpThreads(2);
        assertThat(closes).as("closed under %d running runs", holders).isEmpty();
        // A run that starts now gets the new session, while the old one is still held.
        assertSameVectors(expected, e.embedAll(OnnxTextEmbedderTest.TEXTS));
        assertThat(closes).isEmpty();

        release.countDown();
        for (Future<List<float[]>> run : runs) {
          assertSameVectors(expected, run.get(30, TimeUnit.SECONDS));
        }
      } finally {
        release.countDown();
        pool.shutdown();
      }
      assertThat(closes).containsOnlyKeys(old);
      assertThat(closes.get(old)).hasValue(1);
    }
  }

  @Test
  void closeDuringASwapClosesTheNewSessionAndTheOld() throws Exception {
    OnnxTextEmbedder e = miniLm().intraOpThreads(1).build();
    Map<OrtSession, AtomicInteger> closes = countCloses(e);
    OrtSession old = currentSession(e);
    CountDownLatch built = new CountDownLatch(1);
    CountDownLatch closed = new CountDownLatch(1);
    e.beforeSwap =
        () -> {
          built.countDown();
          await(closed);
        };
    ExecutorService tuner = Executors.newSingleThreadExecutor();
    try {
      Future<?> change = tuner.submit(() -> e.setIntraOpThreads(2));
      assertThat(built.await(30, TimeUnit.SECONDS)).isTrue();
      e.close();
      assertThat(closes).containsOnlyKeys(old);
      closed.countDown();
      assertThatThrownBy(() -> change.get(30, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .hasCauseExactlyInstanceOf(IllegalStateException.class)
          .hasRootCauseMessage("OnnxTextEmbedder 'all-minilm-l6-v2' is closed");
    } finally {
      closed.countDown();
      tuner.shutdown();
    }
    assertThat(closes).as("the old session and the one built meanwhile").hasSize(2);
    assertThat(closes.values()).allMatch(n -> n.get() == 1);
    assertThat(e.isReleased()).isTrue();
    assertThatThrownBy(() -> e.setIntraOpThreads(1)).hasMessageContaining("is closed");
  }

  @Test
  void aSessionThatCannotBeBuiltFailsTheKnobChangeAndKeepsTheOldOne(@TempDir Path dir)
      throws Exception {
    Path model = dir.resolve("model.onnx");
    try (var in = AllMiniLmL6V2EmbeddingModel.class.getResourceAsStream("/" + ONNX)) {
      Files.copy(in, model);
    }
    byte[] tokenizer;
    try (var in = AllMiniLmL6V2EmbeddingModel.class.getResourceAsStream("/" + TOKENIZER)) {
      tokenizer = in.readAllBytes();
    }
    try (OnnxTextEmbedder e =
        OnnxTextEmbedder.builder().model(model).tokenizer(tokenizer).build()) {
      Knob<Integer> knob = e.intraOpThreadsKnob("optimizer.ai.file.intra_op_threads");
      int before = knob.value();
      int other = before == 1 ? 2 : 1;
      assumeThat(e.maxIntraOpThreads()).isGreaterThanOrEqualTo(2);
      Map<OrtSession, AtomicInteger> closes = countCloses(e);
      float[] vector = e.embed("How do I learn Java?");
      Files.write(model, "not the model any more".getBytes());

      assertThatThrownBy(() -> knob.set(other))
          .isExactlyInstanceOf(IllegalStateException.class)
          .hasMessageContaining("cannot build a session with " + other + " intra-op threads")
          .hasMessageContaining("changed since the embedder was built");
      assertThat(knob.value()).isEqualTo(before);
      assertThat(e.intraOpThreads()).isEqualTo(before);
      assertThat(closes).isEmpty();
      assertThat(MiniLm.cosineDistance(vector, e.embed("How do I learn Java?"))).isLessThan(1e-6);
    }
  }

  @Test
  void theKnobStartsAtTheSettingPinnedOnlyWhenTheUserGaveIt() {
    try (OnnxTextEmbedder given = miniLm().intraOpThreads(1).build()) {
      Knob<Integer> knob = given.intraOpThreadsKnob("k");
      assertThat(knob.value()).isEqualTo(1);
      assertThat(knob.isPinned()).as("a user's explicit setting").isTrue();
      assertThat(knob.min()).isEqualTo(1);
      assertThat(knob.max()).isEqualTo(Runtime.getRuntime().availableProcessors());
      assertThatThrownBy(() -> given.setIntraOpThreads(0))
          .hasMessage(
              "intraOpThreads must be in [1, "
                  + Runtime.getRuntime().availableProcessors()
                  + "], but was 0");
    }
    try (OnnxTextEmbedder byDefault = miniLm().build()) {
      Knob<Integer> knob = byDefault.intraOpThreadsKnob("k");
      assertThat(knob.value()).isEqualTo(Runtime.getRuntime().availableProcessors());
      assertThat(knob.isPinned()).isFalse();
    }
    try (OnnxTextEmbedder fixed = miniLm().intraOpThreads(1).intraOpThreadsTuning(false).build()) {
      assertThat(fixed.isIntraOpThreadsTunable()).isFalse();
      assertThatThrownBy(() -> fixed.intraOpThreadsKnob("k"))
          .isExactlyInstanceOf(IllegalStateException.class)
          .hasMessageContaining("intraOpThreadsTuning(false)");
      assertThatThrownBy(() -> fixed.setIntraOpThreads(1)).hasMessageContaining("is fixed at 1");
    }
  }

  @Test
  void theBatcherRegistersTheKnobAndTakesItOutOnClose() {
    try (Optimizer optimizer = Optimizer.builder().manualTuning().build();
        OnnxTextEmbedder e = miniLm().intraOpThreads(1).build()) {
      InferenceBatcher<String, float[]> batcher =
          InferenceBatcher.builder(optimizer, 1, e::newWorker)
              .name("minilm")
              .modelKnob(BatcherKnobs.INTRA_OP_THREADS, e::intraOpThreadsKnob)
              .build();
      Knob<?> knob = optimizer.knob(KNOB).orElseThrow();
      assertThat(batcher.modelKnobs()).containsExactly(knob);
      assertThat(knob.isPinned()).isTrue();
      assertThat(knob.value()).isEqualTo(1);
      assertThat(knob.max()).isEqualTo(Runtime.getRuntime().availableProcessors());
      assertThat(optimizer.tuningStates()).extracting(TuningState::knob).contains(KNOB);
      assertThat(batcher.call("How do I learn Java?")).hasSize(384);
      batcher.close();
      assertThat(optimizer.knob(KNOB)).isEmpty();
      assertThat(optimizer.tuningStates()).extracting(TuningState::knob).doesNotContain(KNOB);

      // tuning(false): registered for the report, not tuned.
      try (InferenceBatcher<String, float[]> untuned =
          InferenceBatcher.builder(optimizer, 1, e::newWorker)
              .name("minilm")
              .tuning(false)
              .modelKnob(BatcherKnobs.INTRA_OP_THREADS, e::intraOpThreadsKnob)
              .build()) {
        assertThat(optimizer.knob(KNOB)).isPresent();
        assertThat(optimizer.tuningStates()).extracting(TuningState::knob).doesNotContain(KNOB);
        assertThat(untuned.modelKnobs()).hasSize(1);
      }
    }
  }

  @Test
  void modelKnobSettingsAreChecked() {
    try (Optimizer optimizer = Optimizer.builder().manualTuning().build()) {
      var builder = InferenceBatcher.<String, float[]>builder(optimizer, 1, () -> (in, out) -> {});
      assertThatThrownBy(() -> builder.modelKnob("Intra-Op", n -> null))
          .hasMessageContaining("but was 'Intra-Op'");
      assertThatThrownBy(() -> builder.modelKnob("max_batch_size", n -> null))
          .hasMessage("modelKnob suffix 'max_batch_size' is one of the batcher's own knobs");
      builder.name("x").modelKnob("threads", n -> Knob.ofInt("elsewhere", 1).range(1, 2).build());
      assertThatThrownBy(() -> builder.modelKnob("threads", n -> null))
          .hasMessage("modelKnob threads was already set");
      assertThatThrownBy(builder::build)
          .hasMessageContaining(
              "must build a knob named optimizer.ai.x.threads, but built elsewhere");
      assertThat(optimizer.knobs()).as("a failed build leaves no knob behind").isEmpty();
    }
  }

  /**
   * The engine moves the knob as a judged trial: from 1 thread it tries 2, which the workload here
   * makes slower, and reverts. Both changes rebuild the session, and the vectors stay the same.
   */
  @Test
  void theEngineTriesAThreadCountAndRevertsItWhenItIsWorse() {
    assumeThat(Runtime.getRuntime().availableProcessors()).isGreaterThanOrEqualTo(2);
    try (OptimizerTestKit kit = OptimizerTestKit.create();
        OnnxTextEmbedder e = miniLm().intraOpThreads(1).build()) {
      Map<OrtSession, AtomicInteger> closes = countCloses(e);
      List<float[]> expected = e.embedAll(OnnxTextEmbedderTest.TEXTS);
      InferenceBatcher<String, float[]> batcher =
          InferenceBatcher.builder(kit.optimizer(), 1, e::newWorker)
              .name("minilm")
              .modelKnob(BatcherKnobs.INTRA_OP_THREADS, e::intraOpThreadsKnob)
              .build();
      try (batcher) {
        // Only our knob moves here; the batcher's own take turns with it on the same signal.
        batcher.maxDelayKnob().pin();
        batcher.maxBatchSizeKnob().pin();
        Knob<?> knob = kit.optimizer().knob(KNOB).orElseThrow();
        knob.unpin();
        List<List<float[]>> duringTrial = new ArrayList<>();
        List<Decision> decisions =
            kit.runFor(
                Duration.ofSeconds(30),
                Duration.ofSeconds(1),
                step -> {
                  int threads = e.intraOpThreads();
                  if (threads == 2 && duringTrial.isEmpty()) {
                    duringTrial.add(e.embedAll(OnnxTextEmbedderTest.TEXTS));
                  }
                  // Two threads do half the work a second here: a trial the judge must revert.
                  for (int i = 0; i < 1200 / threads; i++) {
                    batcher.signal().recordSuccess(1_000_000L * threads);
                  }
                });
        assertThat(decisions).extracting(Decision::knob).containsOnly(KNOB);
        Decision first = decisions.get(0);
        assertThat(first.from()).isEqualTo("1");
        assertThat(first.to()).isEqualTo("2");
        assertThat(first.verdict()).isEqualTo(Verdict.REVERT);
        assertThat(first.kept()).isFalse();
        assertThat(knob.value()).isEqualTo(1);
        assertThat(e.intraOpThreads()).isEqualTo(1);
        assertThat(duringTrial).as("the trial's session ran").hasSize(1);
        assertSameVectors(expected, duringTrial.get(0));
        assertSameVectors(expected, e.embedAll(OnnxTextEmbedderTest.TEXTS));
        assertThat(closes).as("the first session, then the trial's").hasSize(2);
        assertThat(closes.values()).allMatch(n -> n.get() == 1);
      }
    }
  }

  private static void await(CountDownLatch latch) {
    try {
      if (!latch.await(30, TimeUnit.SECONDS)) {
        throw new AssertionError("never released");
      }
    } catch (InterruptedException ex) {
      Thread.currentThread().interrupt();
      throw new AssertionError(ex);
    }
  }
}
