package dev.optimizer.ai.semantic.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Surface features of a (query, candidate) pair for what sentence embeddings are known to miss:
 * numbers, negation, the order of the same words (who does what to whom), words present on one side
 * only, length, and character-level closeness (shared trigrams, edit distance, the longest shared
 * run, the same opening and closing words). Every feature but {@code size} (the two texts' words,
 * scaled) is 0 for identical texts and grows with the mismatch; all are generic English rules (a
 * short function-word list, number words, negation cues) and string measures, nothing learnt from a
 * data set.
 *
 * <p>Why each one: an embedding averages tokens, so "convert ethanol to ethanoic acid" and its
 * reverse, "is 7 prime" and "is 9 prime", "can I" and "can I not" land within a hair of each other;
 * the features look at exactly those differences. They cost a tokenisation and three small dynamic
 * programmes over at most 400 characters each, and are computed only for the few candidates the
 * vector search returns.
 */
public final class PairFeatures {

  /** Number of features, in the order of {@link #NAMES}. */
  public static final int COUNT = 19;

  /** The features' names, in order. */
  public static final List<String> NAMES =
      List.of(
          "numbers",
          "negation",
          "order",
          "content",
          "entities",
          "length",
          "question",
          "overlap",
          "query_only",
          "candidate_only",
          "both_extra",
          "trigrams",
          "edit",
          "sorted_edit",
          "common_run",
          "first_word",
          "first_two",
          "last_word",
          "size");

  static final int NUMBERS = 0;
  static final int NEGATION = 1;
  static final int ORDER = 2;
  static final int CONTENT = 3;
  static final int ENTITIES = 4;
  static final int LENGTH = 5;
  static final int QUESTION = 6;
  static final int OVERLAP = 7;
  static final int QUERY_ONLY = 8;
  static final int CANDIDATE_ONLY = 9;
  static final int BOTH_EXTRA = 10;
  static final int TRIGRAMS = 11;
  static final int EDIT = 12;
  static final int SORTED_EDIT = 13;
  static final int COMMON_RUN = 14;
  static final int FIRST_WORD = 15;
  static final int FIRST_TWO = 16;
  static final int LAST_WORD = 17;
  static final int SIZE = 18;

  /** Words over which {@link #SIZE} reaches 1. */
  private static final double SIZE_SCALE = 100;

  private PairFeatures() {}

  /**
   * Returns the {@link #COUNT} features of the pair (each but {@code size} 0 when the texts have
   * the same words).
   */
  public static double[] of(String query, String candidate) {
    Text q = Text.of(query);
    Text c = Text.of(candidate);
    double[] f = new double[COUNT];
    // As multisets: "3 and 3" names a number twice, "3" once.
    boolean sameNumbers = sorted(q.numberList).equals(sorted(c.numberList));
    f[NUMBERS] = sameNumbers ? 0 : 1;
    f[NEGATION] = q.negated == c.negated ? 0 : 1;
    // Only a swap when both use the same content words: a paraphrase that adds or drops words
    // reorders freely ("best way to learn Java" / "learn Java the best way"), a swap does not.
    // Nor around a symmetric connector: "X and Y", "X vs Y", "between X and Y" keep their meaning.
    // Numbers swap too ("10 minus 3" / "3 minus 10", "from 3 to 5" / "from 5 to 3"): with the
    // same numbers and the same content words, numbers named in another order are a swap.
    f[ORDER] =
        q.contentSet.equals(c.contentSet)
                && !q.symmetric
                && !c.symmetric
                && (discordance(q.content, c.content) > 0
                    || sameNumbers && discordance(q.numberList, c.numberList) > 0)
            ? 1
            : 0;
    f[CONTENT] = oneSided(q.contentSet, c.contentSet);
    f[ENTITIES] = entityMismatch(q, c);
    int lq = Math.max(1, q.tokens.size());
    int lc = Math.max(1, c.tokens.size());
    f[LENGTH] = 1 - (double) Math.min(lq, lc) / Math.max(lq, lc);
    f[QUESTION] = q.questionWord.equals(c.questionWord) ? 0 : 1;
    Set<String> qt = new HashSet<>(q.tokens);
    Set<String> ct = new HashSet<>(c.tokens);
    f[OVERLAP] = oneSided(qt, ct);
    int qOnly = 0;
    for (String w : qt) {
      if (!ct.contains(w)) {
        qOnly++;
      }
    }
    int cOnly = 0;
    for (String w : ct) {
      if (!qt.contains(w)) {
        cOnly++;
      }
    }
    f[QUERY_ONLY] = Math.min(5, qOnly) / 5.0;
    f[CANDIDATE_ONLY] = Math.min(5, cOnly) / 5.0;
    f[BOTH_EXTRA] = qOnly > 0 && cOnly > 0 ? 1 : 0;
    String qWords = String.join(" ", q.tokens);
    String cWords = String.join(" ", c.tokens);
    f[TRIGRAMS] = 1 - TextSimilarity.trigrams(qWords, cWords);
    // On the words alone, lower-cased: punctuation and spacing say nothing about the meaning.
    f[EDIT] = 1 - TextSimilarity.edit(qWords, cWords);
    f[SORTED_EDIT] = 1 - TextSimilarity.edit(sorted(q.tokens), sorted(c.tokens));
    f[COMMON_RUN] = 1 - TextSimilarity.commonRun(qWords, cWords);
    f[FIRST_WORD] = sameHead(q.tokens, c.tokens, 1) ? 0 : 1;
    f[FIRST_TWO] = sameHead(q.tokens, c.tokens, 2) ? 0 : 1;
    f[LAST_WORD] =
        q.tokens.isEmpty() || c.tokens.isEmpty()
            ? (q.tokens.isEmpty() == c.tokens.isEmpty() ? 0 : 1)
            : q.tokens.get(q.tokens.size() - 1).equals(c.tokens.get(c.tokens.size() - 1)) ? 0 : 1;
    f[SIZE] = Math.min(1, (q.tokens.size() + c.tokens.size()) / SIZE_SCALE);
    return f;
  }

  /** Whether the first {@code n} words (or all, if fewer) of both texts are the same. */
  private static boolean sameHead(List<String> a, List<String> b, int n) {
    return a.subList(0, Math.min(n, a.size())).equals(b.subList(0, Math.min(n, b.size())));
  }

  /** The words in alphabetical order, joined by spaces: the same words in any order read equal. */
  private static String sorted(List<String> words) {
    List<String> copy = new ArrayList<>(words);
    Collections.sort(copy);
    return String.join(" ", copy);
  }

  /**
   * The share of pairs of shared content words whose order differs between the two texts (Kendall
   * distance over the words both use once): "convert ethanol to acid" vs "convert acid to ethanol"
   * is 1, a paraphrase that keeps the order 0.
   */
  static double discordance(List<String> a, List<String> b) {
    Map<String, Integer> posB = firstPositions(b);
    Map<String, Integer> posA = firstPositions(a);
    List<Integer> seq = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (String w : a) {
      if (posB.containsKey(w) && posA.get(w) != null && seen.add(w)) {
        seq.add(posB.get(w));
      }
    }
    int n = seq.size();
    if (n < 2) {
      return 0;
    }
    int discordant = 0;
    for (int i = 0; i < n; i++) {
      for (int j = i + 1; j < n; j++) {
        if (seq.get(i) > seq.get(j)) {
          discordant++;
        }
      }
    }
    return discordant / (n * (n - 1) / 2.0);
  }

  private static Map<String, Integer> firstPositions(List<String> words) {
    Map<String, Integer> pos = new HashMap<>();
    for (int i = 0; i < words.size(); i++) {
      pos.putIfAbsent(words.get(i), i);
    }
    return pos;
  }

  /** Share of the distinct content words of both texts that only one of them uses. */
  static double oneSided(Set<String> a, Set<String> b) {
    Set<String> union = new HashSet<>(a);
    union.addAll(b);
    if (union.isEmpty()) {
      return 0;
    }
    int shared = 0;
    for (String w : a) {
      if (b.contains(w)) {
        shared++;
      }
    }
    return (union.size() - shared) / (double) union.size();
  }

  /**
   * Names (capitalised words past the first, and all-caps acronyms) that one side uses and the
   * other does not mention at all, capped at 2: "Indian" vs "Pakistani".
   */
  private static double entityMismatch(Text q, Text c) {
    int n = 0;
    for (String e : q.entities) {
      if (!c.contentSet.contains(e)) {
        n++;
      }
    }
    for (String e : c.entities) {
      if (!q.contentSet.contains(e)) {
        n++;
      }
    }
    return Math.min(2, n) / 2.0;
  }

  /** A tokenised text. */
  private static final class Text {
    final List<String> tokens = new ArrayList<>();
    final List<String> content = new ArrayList<>();
    final Set<String> contentSet = new HashSet<>();
    final List<String> numberList = new ArrayList<>(); // in the order named
    final Set<String> entities = new HashSet<>();
    boolean negated;
    String questionWord = "";
    boolean symmetric;

    static Text of(String s) {
      Text t = new Text();
      int i = 0;
      int n = s.length();
      boolean first = true;
      while (i < n) {
        char ch = s.charAt(i);
        if (Character.isLetterOrDigit(ch)) {
          int start = i;
          while (i < n
              && (Character.isLetterOrDigit(s.charAt(i))
                  || ((s.charAt(i) == '.' || s.charAt(i) == ',')
                      && Character.isDigit(s.charAt(i - 1))
                      && i + 1 < n
                      && Character.isDigit(s.charAt(i + 1)))
                  || (s.charAt(i) == '\'' || s.charAt(i) == '\u2019')
                      && i + 1 < n
                      && Character.isLetter(s.charAt(i + 1)))) {
            i++;
          }
          t.add(s.substring(start, i), first);
          first = false;
        } else {
          i++;
        }
      }
      return t;
    }

    private void add(String raw, boolean first) {
      String lower = raw.toLowerCase(Locale.ROOT).replace('\u2019', '\'');
      // "1,000" and "1000" are one word, as they are one number.
      tokens.add(Character.isDigit(lower.charAt(0)) ? number(lower) : lower);
      if (EnglishWords.SYMMETRIC.contains(lower)) {
        symmetric = true;
      }
      if (questionWord.isEmpty() && EnglishWords.QUESTION_WORDS.contains(lower)) {
        questionWord = lower;
      }
      if (lower.endsWith("n't")) {
        negated = true;
        return;
      }
      String bare = lower.replace("'", "");
      if (EnglishWords.NEGATIONS.contains(bare)) {
        negated = true;
        return;
      }
      if (Character.isDigit(lower.charAt(0))) {
        numberList.add(number(lower));
        return;
      }
      String word = EnglishWords.NUMBER_WORDS.get(lower);
      if (word != null) {
        numberList.add(word);
        return;
      }
      if (lower.endsWith("'s")) {
        lower = lower.substring(0, lower.length() - 2);
      }
      if (EnglishWords.FUNCTION_WORDS.contains(lower) || lower.length() < 2) {
        return;
      }
      String stem = stem(lower);
      content.add(stem);
      contentSet.add(stem);
      boolean capital = Character.isUpperCase(raw.charAt(0));
      boolean acronym = raw.length() > 1 && raw.equals(raw.toUpperCase(Locale.ROOT));
      if ((capital && !first) || acronym) {
        entities.add(stem);
      }
    }

    /** "1,000" and "1000" are one number; "2.50" keeps its decimals. */
    private static String number(String s) {
      String t = s.replace(",", "");
      int end = 0;
      while (end < t.length() && (Character.isDigit(t.charAt(end)) || t.charAt(end) == '.')) {
        end++;
      }
      return t.substring(0, end);
    }

    /** A light plural / -ing stem, enough that "question" and "questions" agree. */
    private static String stem(String w) {
      if (w.length() > 4 && w.endsWith("ies")) {
        return w.substring(0, w.length() - 3) + "y";
      }
      if (w.length() > 3 && w.endsWith("s") && !w.endsWith("ss") && !w.endsWith("us")) {
        return w.substring(0, w.length() - 1);
      }
      return w;
    }
  }
}
