package dev.optimizer.runtime.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.optimizer.runtime.Optimizer;
import org.junit.jupiter.api.Test;

class ClosedOptimizerTest {

  @Test
  void anOpenOptimizerIsNotRefusedAClosedOneIsWithTheComponentNamed() {
    Optimizer optimizer = Optimizer.builder().manualTuning().build();
    ClosedOptimizer.refuse(optimizer, "Thing 'a'");

    optimizer.close();

    assertThatThrownBy(() -> ClosedOptimizer.refuse(optimizer, "Thing 'a'"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("optimizer is closed: Thing 'a' was not built")
        .hasNoCause();
  }

  @Test
  void aRefusalMidBuildReadsAlikeAndKeepsTheOptimizersOwn() {
    Optimizer optimizer = Optimizer.builder().manualTuning().build();
    optimizer.close();
    IllegalStateException own = null;
    try {
      optimizer.onClose(() -> {});
    } catch (IllegalStateException e) {
      own = e;
    }

    IllegalStateException refused = ClosedOptimizer.refused("Thing 'b'", own);

    assertThat(refused).hasMessage("optimizer is closed: Thing 'b' was not built");
    assertThat(refused.getCause()).isSameAs(own).isNotNull();
  }
}
