package dev.optimizer.ai.inference.onnx;

import java.util.function.Consumer;

/**
 * The ONNX Runtime session an {@link OnnxTextEmbedder} runs on, replaceable while runs are under
 * way: ONNX Runtime fixes a session's thread count when it is created, so a new count is a new
 * session.
 *
 * <p>Why no run ever sees a closed session: a run {@link #acquire() acquires} the current
 * generation (a session and its count of users) under the lock and {@link #release releases} it
 * when done. {@link #swap} installs a new generation and retires the old one under the same lock; a
 * retired generation is closed by whoever brings its users to zero, the swap itself when it had
 * none, else the last run out. Both happen under the lock, so exactly one of them sees "retired and
 * unused", and closes it, once. {@link #close()} retires the current generation the same way; a
 * session built meanwhile is refused by {@link #swap} and closed there. The last release after
 * close also runs {@code afterLast} (the embedder frees its tokenizer), once.
 *
 * @param <S> the session type (an {@code OrtSession}; tests use plain objects)
 */
final class SessionSlot<S> {

  /** One session and the runs using it. */
  static final class Generation<S> {
    final S session;
    final int threads;
    private int users; // guarded by the slot's lock
    private boolean retired; // guarded by the slot's lock

    private Generation(S session, int threads) {
      this.session = session;
      this.threads = threads;
    }
  }

  private final Object lock = new Object();
  private final String owner;
  private final Consumer<? super S> closer;
  private final Runnable afterLast;
  private Generation<S> current; // guarded by lock
  private boolean closed; // guarded by lock
  private int users; // all generations; guarded by lock
  private volatile boolean released;
  // Test hook: told of each session as it is closed, before it is.
  volatile Consumer<? super S> onSessionClosed;

  /**
   * A slot holding {@code first}; {@code closer} closes a session (and must not throw), {@code
   * afterLast} runs once when the slot is closed and no run is left.
   */
  SessionSlot(String owner, S first, int threads, Consumer<? super S> closer, Runnable afterLast) {
    this.owner = owner;
    this.current = new Generation<>(first, threads);
    this.closer = closer;
    this.afterLast = afterLast;
  }

  /**
   * Counts a run as a user of the current session.
   *
   * @throws IllegalStateException if the slot is closed
   */
  Generation<S> acquire() {
    synchronized (lock) {
      if (closed) {
        throw new IllegalStateException(owner + " is closed");
      }
      current.users++;
      users++;
      return current;
    }
  }

  /** Ends a run's use of {@code g}; the last user of a retired session closes it. */
  void release(Generation<S> g) {
    boolean closeSession;
    boolean last;
    synchronized (lock) {
      closeSession = --g.users == 0 && g.retired;
      last = --users == 0 && closed;
    }
    if (closeSession) {
      closeSession(g.session);
    }
    if (last) {
      finish();
    }
  }

  /** Whether {@link #close()} has been called. */
  boolean isClosed() {
    synchronized (lock) {
      return closed;
    }
  }

  /** The thread count of the session new runs get. */
  int threads() {
    synchronized (lock) {
      return current.threads;
    }
  }

  /**
   * Makes {@code next} the session new runs get; the one it replaces is closed once its last run
   * has returned (now, if none is under way).
   *
   * @return false if the slot was closed meanwhile: then {@code next} has been closed here
   */
  boolean swap(S next, int threads) {
    Generation<S> old;
    boolean closeOld;
    synchronized (lock) {
      if (closed) {
        old = null;
        closeOld = false;
      } else {
        old = current;
        current = new Generation<>(next, threads);
        old.retired = true;
        closeOld = old.users == 0;
      }
    }
    if (old == null) {
      closeSession(next);
      return false;
    }
    if (closeOld) {
      closeSession(old.session);
    }
    return true;
  }

  /**
   * Refuses new runs and closes the session: now when no run is under way, else when the last one
   * returns. Idempotent.
   */
  void close() {
    boolean closeSession;
    boolean idle;
    Generation<S> g;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      g = current;
      g.retired = true;
      closeSession = g.users == 0;
      idle = users == 0;
    }
    if (closeSession) {
      closeSession(g.session);
    }
    if (idle) {
      finish();
    }
  }

  /** Whether the slot is closed and every session it held has been closed. */
  boolean isReleased() {
    return released;
  }

  private void finish() {
    try {
      afterLast.run();
    } finally {
      released = true;
    }
  }

  private void closeSession(S s) {
    Consumer<? super S> hook = onSessionClosed;
    if (hook != null) {
      hook.accept(s);
    }
    closer.accept(s);
  }
}
