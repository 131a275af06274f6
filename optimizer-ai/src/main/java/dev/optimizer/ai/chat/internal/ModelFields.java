package dev.optimizer.ai.chat.internal;

import java.lang.reflect.Field;

/**
 * Reads a LangChain4j model's own fields: how the decorators learn what a model sends (its
 * endpoint, its answer-changing settings) that LangChain4j keeps private. Only LangChain4j's
 * classes are read, never an application's subclass fields.
 */
final class ModelFields {
  private ModelFields() {}

  /** Whether {@code c} is one of LangChain4j's classes, whose fields may be read. */
  static boolean langchain4j(Class<?> c) {
    return c.getName().startsWith("dev.langchain4j.");
  }

  /**
   * The value of {@code f} on {@code o}.
   *
   * @throws IllegalStateException when the field cannot be made accessible (a module that does not
   *     open its package); callers decide what an unreadable model means
   */
  static Object read(Field f, Object o) {
    if (!f.trySetAccessible()) {
      throw new IllegalStateException("cannot read " + f);
    }
    try {
      return f.get(o);
    } catch (IllegalAccessException e) {
      throw new IllegalStateException(e);
    }
  }
}
