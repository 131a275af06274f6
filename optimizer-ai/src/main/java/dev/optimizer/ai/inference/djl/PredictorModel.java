package dev.optimizer.ai.inference.djl;

import ai.djl.inference.Predictor;
import ai.djl.translate.TranslateException;
import dev.optimizer.ai.inference.BatchModel;
import dev.optimizer.api.internal.Checks;
import dev.optimizer.runtime.batch.ItemResults;
import java.util.List;

/**
 * One {@link dev.optimizer.ai.inference.InferenceBatcher} worker over a DJL {@link Predictor}: a
 * batch of single calls becomes one {@link Predictor#batchPredict} call, so the translator's
 * batchifier builds a real tensor batch (padding and masks are the translator's job, as they are
 * when DJL Serving batches).
 *
 * <p>A DJL predictor is not thread-safe; the batcher hands a worker one batch at a time, so each
 * worker owns its predictor. When {@code batchPredict} throws, the batcher re-runs the batch one
 * input at a time, so that one bad input fails only its own caller.
 *
 * @param <I> the predictor's input type
 * @param <O> the predictor's output type
 */
public final class PredictorModel<I, O> implements BatchModel<I, O> {
  private final Predictor<I, O> predictor;

  /** A worker that owns {@code predictor} and closes it on {@link #close()}. */
  public PredictorModel(Predictor<I, O> predictor) {
    this.predictor = Checks.notNull("predictor", predictor);
  }

  @Override
  public void run(List<I> inputs, ItemResults<O> results) throws TranslateException {
    if (inputs.size() == 1) {
      // A single input goes through predict(): no batchifier, the same path as an unbatched call.
      results.complete(0, predictor.predict(inputs.get(0)));
      return;
    }
    List<O> outputs = predictor.batchPredict(inputs);
    if (outputs.size() != inputs.size()) {
      throw new IllegalStateException(
          "batchPredict returned " + outputs.size() + " outputs for " + inputs.size() + " inputs");
    }
    for (int i = 0; i < outputs.size(); i++) {
      results.complete(i, outputs.get(i));
    }
  }

  @Override
  public void close() {
    predictor.close();
  }
}
