package dev.optimizer.ai.semantic.internal;

import java.util.Locale;

/** The exact tier's key: lower-cased, white space collapsed to single spaces and trimmed. */
public final class TextKey {
  private TextKey() {}

  /** Returns the normalised form of {@code text}. */
  public static String of(String text) {
    StringBuilder sb = new StringBuilder(text.length());
    boolean space = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isWhitespace(c)) {
        space = sb.length() > 0;
      } else {
        if (space) {
          sb.append(' ');
          space = false;
        }
        sb.append(c);
      }
    }
    return sb.toString().toLowerCase(Locale.ROOT);
  }
}
