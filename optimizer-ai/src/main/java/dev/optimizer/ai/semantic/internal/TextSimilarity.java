package dev.optimizer.ai.semantic.internal;

import java.util.HashSet;
import java.util.Set;

/**
 * Character-level similarities of two short texts, each in {@code [0, 1]} and 1 for equal texts.
 * They see what word sets miss: a changed inflection ("learn" / "learning"), a typo, a long run of
 * text the two share. Inputs past {@link #MAX_CHARS} characters are compared on their first {@link
 * #MAX_CHARS} only, which bounds the work per candidate (edit distance and the shared run are
 * quadratic in length).
 */
final class TextSimilarity {

  /** Characters of each text that the quadratic measures look at. */
  static final int MAX_CHARS = 400;

  private TextSimilarity() {}

  /** Jaccard similarity of the two texts' sets of character trigrams (texts under 3: equality). */
  static double trigrams(String a, String b) {
    String s = clip(a);
    String t = clip(b);
    Set<String> ga = trigramSet(s);
    Set<String> gb = trigramSet(t);
    if (ga.isEmpty() || gb.isEmpty()) {
      return s.equals(t) ? 1 : 0;
    }
    int shared = 0;
    for (String g : ga) {
      if (gb.contains(g)) {
        shared++;
      }
    }
    return shared / (double) (ga.size() + gb.size() - shared);
  }

  private static Set<String> trigramSet(String s) {
    Set<String> out = new HashSet<>();
    for (int i = 0; i + 3 <= s.length(); i++) {
      out.add(s.substring(i, i + 3));
    }
    return out;
  }

  /** {@code 1 - Levenshtein distance / longer length}; 1 for two empty texts. */
  static double edit(String a, String b) {
    String s = clip(a);
    String t = clip(b);
    int longer = Math.max(s.length(), t.length());
    if (longer == 0) {
      return 1;
    }
    int[] prev = new int[t.length() + 1];
    int[] cur = new int[t.length() + 1];
    for (int j = 0; j <= t.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= s.length(); i++) {
      cur[0] = i;
      char c = s.charAt(i - 1);
      for (int j = 1; j <= t.length(); j++) {
        int substitute = prev[j - 1] + (c == t.charAt(j - 1) ? 0 : 1);
        cur[j] = Math.min(substitute, Math.min(prev[j], cur[j - 1]) + 1);
      }
      int[] swap = prev;
      prev = cur;
      cur = swap;
    }
    return 1 - prev[t.length()] / (double) longer;
  }

  /** The longest run of characters both texts share, over the shorter text's length. */
  static double commonRun(String a, String b) {
    String s = clip(a);
    String t = clip(b);
    int shorter = Math.min(s.length(), t.length());
    if (shorter == 0) {
      return s.equals(t) ? 1 : 0;
    }
    int[] prev = new int[t.length() + 1];
    int[] cur = new int[t.length() + 1];
    int best = 0;
    for (int i = 1; i <= s.length(); i++) {
      char c = s.charAt(i - 1);
      for (int j = 1; j <= t.length(); j++) {
        cur[j] = c == t.charAt(j - 1) ? prev[j - 1] + 1 : 0;
        best = Math.max(best, cur[j]);
      }
      int[] swap = prev;
      prev = cur;
      cur = swap;
    }
    return best / (double) shorter;
  }

  private static String clip(String s) {
    return s.length() > MAX_CHARS ? s.substring(0, MAX_CHARS) : s;
  }
}
