package dev.optimizer.ai.inference.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * For any order of runs starting and ending, swaps and a close, the slot closes each session
 * exactly once, never while a run holds it, and only once it is no longer current (or the slot is
 * closed); it frees what follows the sessions (the tokenizer) once, after the last run.
 */
class SessionSlotPropertyTest {

  /** A stand-in for an ONNX Runtime session: a number, and how many runs hold it. */
  static final class FakeSession {
    final int id;
    int holders;
    int closes;

    FakeSession(int id) {
      this.id = id;
    }
  }

  @Property(tries = 300)
  void everySessionIsClosedOnceAndNeverUnderARun(
      @ForAll @Size(max = 60) List<@IntRange(min = 0, max = 99) Integer> steps,
      @ForAll @IntRange(min = 0, max = 60) int closeAt) {
    List<FakeSession> made = new ArrayList<>();
    AtomicInteger afterLast = new AtomicInteger();
    FakeSession first = new FakeSession(0);
    made.add(first);
    SessionSlot<FakeSession> slot =
        new SessionSlot<>(
            "slot",
            first,
            1,
            s -> {
              assertThat(s.holders).as("session %d closed under a run", s.id).isZero();
              s.closes++;
            },
            afterLast::incrementAndGet);
    Map<Integer, FakeSession> current = new HashMap<>();
    current.put(0, first);
    List<SessionSlot.Generation<FakeSession>> held = new ArrayList<>();
    boolean closed = false;
    for (int i = 0; i < steps.size(); i++) {
      if (i == closeAt) {
        slot.close();
        closed = true;
      }
      int step = steps.get(i);
      if (step < 40) { // a run starts
        if (closed) {
          assertThatThrownBy(slot::acquire).hasMessage("slot is closed");
        } else {
          SessionSlot.Generation<FakeSession> g = slot.acquire();
          assertThat(g.session).isSameAs(current.get(0));
          g.session.holders++;
          held.add(g);
        }
      } else if (step < 80) { // a run ends
        if (!held.isEmpty()) {
          SessionSlot.Generation<FakeSession> g = held.remove(step % held.size());
          g.session.holders--;
          slot.release(g);
        }
      } else { // a new thread count
        FakeSession next = new FakeSession(made.size());
        made.add(next);
        boolean swapped = slot.swap(next, 1 + step % 4);
        assertThat(swapped).isEqualTo(!closed);
        if (swapped) {
          assertThat(slot.threads()).isEqualTo(1 + step % 4);
          current.put(0, next);
        } else {
          assertThat(next.closes).as("a session built after close").isEqualTo(1);
        }
      }
      for (FakeSession s : made) {
        boolean current0 = s == current.get(0) && !closed;
        if (current0 || s.holders > 0) {
          assertThat(s.closes).as("session %d closed while in use", s.id).isZero();
        }
      }
    }
    for (SessionSlot.Generation<FakeSession> g : held) {
      g.session.holders--;
      slot.release(g);
    }
    assertThat(afterLast).as("freed before close").hasValue(closed ? 1 : 0);
    slot.close();
    slot.close();
    for (FakeSession s : made) {
      assertThat(s.closes).as("session %d", s.id).isEqualTo(1);
    }
    assertThat(afterLast).hasValue(1);
    assertThat(slot.isReleased()).isTrue();
  }
}
