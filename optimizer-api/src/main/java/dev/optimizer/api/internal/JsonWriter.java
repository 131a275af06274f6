package dev.optimizer.api.internal;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;

/**
 * A small streaming JSON writer with two-space indentation, so that the API module needs no JSON
 * library. Non-finite numbers are written as {@code null}. Not part of the public API.
 */
public final class JsonWriter {
  private final StringBuilder out = new StringBuilder();
  private final Deque<boolean[]> firstInScope = new ArrayDeque<>();
  private boolean afterName;

  /** Opens an object, as a value or at the top level. */
  public JsonWriter beginObject() {
    beforeValue();
    out.append('{');
    firstInScope.push(new boolean[] {true});
    return this;
  }

  /** Closes the innermost object. */
  public JsonWriter endObject() {
    return close('}');
  }

  /** Opens an array. */
  public JsonWriter beginArray() {
    beforeValue();
    out.append('[');
    firstInScope.push(new boolean[] {true});
    return this;
  }

  /** Closes the innermost array. */
  public JsonWriter endArray() {
    return close(']');
  }

  /** Writes a member name inside an object; the next call writes its value. */
  public JsonWriter name(String name) {
    separate();
    string(name);
    out.append(": ");
    afterName = true;
    return this;
  }

  /** Writes a string value, or null. */
  public JsonWriter value(String value) {
    beforeValue();
    if (value == null) {
      out.append("null");
    } else {
      string(value);
    }
    return this;
  }

  /** Writes a number; NaN and infinities become null. */
  public JsonWriter value(double value) {
    beforeValue();
    if (!Double.isFinite(value)) {
      out.append("null");
    } else if (value == Math.rint(value) && Math.abs(value) < 1e15) {
      out.append((long) value);
    } else {
      out.append(
          String.format(Locale.ROOT, "%.6g", value)
              .replaceAll("(\\.\\d*?)0+(e|$)", "$1$2")
              .replace(".e", "e")
              .replaceAll("\\.$", ""));
    }
    return this;
  }

  /** Writes a whole number. */
  public JsonWriter value(long value) {
    beforeValue();
    out.append(value);
    return this;
  }

  /** Writes a boolean. */
  public JsonWriter value(boolean value) {
    beforeValue();
    out.append(value);
    return this;
  }

  /** The text written so far. */
  @Override
  public String toString() {
    return out.toString();
  }

  private JsonWriter close(char c) {
    boolean[] first = firstInScope.pop();
    if (!first[0]) {
      newline();
    }
    out.append(c);
    return this;
  }

  private void beforeValue() {
    if (afterName) {
      afterName = false;
      return;
    }
    separate();
  }

  private void separate() {
    if (firstInScope.isEmpty()) {
      return;
    }
    boolean[] first = firstInScope.peek();
    if (!first[0]) {
      out.append(',');
    }
    first[0] = false;
    newline();
  }

  private void newline() {
    out.append('\n');
    for (int i = 0; i < firstInScope.size(); i++) {
      out.append("  ");
    }
  }

  private void string(String s) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }
}
