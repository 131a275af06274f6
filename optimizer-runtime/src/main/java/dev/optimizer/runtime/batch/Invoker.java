package dev.optimizer.runtime.batch;

import java.util.List;

/** Runs a batch function over a dispatched batch; both public function shapes reduce to this. */
@FunctionalInterface
interface Invoker<I, O> {

  void invoke(Batch<I, O> batch) throws Exception;

  static <I, O> Invoker<I, O> ofList(String batcherName, BatchFunction<I, O> function) {
    return batch -> {
      List<O> results = function.apply(batch.items());
      int size = batch.size();
      if (results == null || results.size() != size) {
        String got = results == null ? "null" : results.size() + " results";
        batch.failUnsettled(
            index ->
                new IllegalStateException(
                    "batch function of MicroBatcher '"
                        + batcherName
                        + "' returned "
                        + got
                        + " for a batch of "
                        + size
                        + " items; it must return one result per item, in order (this item at"
                        + " index "
                        + index
                        + ")"));
        return;
      }
      for (int i = 0; i < size; i++) {
        batch.complete(i, results.get(i));
      }
    };
  }

  static <I, O> Invoker<I, O> ofPerItem(PerItemBatchFunction<I, O> function) {
    return batch -> function.apply(batch.items(), batch);
  }
}
