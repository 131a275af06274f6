package dev.optimizer.ai.semantic.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Surface features of a (query, candidate) pair for what sentence embeddings are known to miss:
 * numbers, negation, the order of the same words (who does what to whom), words present on one side
 * only, and length. Every feature is 0 for identical texts and grows with the mismatch; all are
 * generic English rules (a short function-word list, number words, negation cues), nothing learnt
 * from a data set.
 *
 * <p>Why each one: an embedding averages tokens, so "convert ethanol to ethanoic acid" and its
 * reverse, "is 7 prime" and "is 9 prime", "can I" and "can I not" land within a hair of each other;
 * the features look at exactly those differences. They are cheap (a tokenisation of two short
 * texts) and are computed only for the few candidates the vector search returns.
 */
public final class PairFeatures {

  /** Number of features, in the order of {@link #NAMES}. */
  public static final int COUNT = 11;

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
          "both_extra");

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

  /** Connectors around which a swap keeps the meaning. */
  private static final Set<String> SYMMETRIC =
      Set.of("and", "or", "vs", "versus", "between", "compare", "compared", "&");

  /** Words that say what kind of question it is: "why" and "how" ask different things. */
  private static final Set<String> QUESTION_WORDS =
      Set.of(
          "what", "why", "how", "which", "who", "whom", "whose", "when", "where", "is", "are",
          "can", "do", "does", "should", "will");

  private static final Set<String> FUNCTION_WORDS =
      Set.of(
          "a",
          "an",
          "the",
          "of",
          "to",
          "in",
          "on",
          "at",
          "by",
          "for",
          "with",
          "from",
          "into",
          "as",
          "and",
          "or",
          "but",
          "if",
          "than",
          "then",
          "so",
          "that",
          "this",
          "these",
          "those",
          "there",
          "is",
          "are",
          "was",
          "were",
          "be",
          "been",
          "being",
          "am",
          "do",
          "does",
          "did",
          "doing",
          "done",
          "have",
          "has",
          "had",
          "having",
          "can",
          "could",
          "will",
          "would",
          "shall",
          "should",
          "may",
          "might",
          "must",
          "i",
          "me",
          "my",
          "mine",
          "we",
          "us",
          "our",
          "you",
          "your",
          "he",
          "him",
          "his",
          "she",
          "her",
          "it",
          "its",
          "they",
          "them",
          "their",
          "what",
          "which",
          "who",
          "whom",
          "whose",
          "when",
          "where",
          "why",
          "how",
          "some",
          "any",
          "all",
          "about",
          "get",
          "got",
          "one's",
          "someone",
          "something",
          "anyone",
          "anything",
          "very",
          "really",
          "much",
          "many",
          "more",
          "most",
          "best",
          "good",
          "way",
          "ways",
          "also",
          "just",
          "s",
          "t",
          "ever",
          "possible",
          "make",
          "like",
          "else",
          "other",
          "difference",
          "between",
          "vs",
          "versus",
          "mean",
          "means",
          "meaning",
          "know",
          "use",
          "used",
          "using");

  private static final Set<String> NEGATIONS =
      Set.of(
          "not",
          "no",
          "never",
          "without",
          "none",
          "nobody",
          "nothing",
          "neither",
          "nor",
          "cannot",
          "cant",
          "dont",
          "doesnt",
          "didnt",
          "isnt",
          "arent",
          "wasnt",
          "werent",
          "wont",
          "wouldnt",
          "shouldnt",
          "couldnt",
          "hasnt",
          "havent",
          "hadnt",
          "aint");

  private static final Map<String, String> NUMBER_WORDS = numberWords();

  private PairFeatures() {}

  /** Returns the {@link #COUNT} features of the pair (each 0 when the texts agree). */
  public static double[] of(String query, String candidate) {
    Text q = Text.of(query);
    Text c = Text.of(candidate);
    double[] f = new double[COUNT];
    f[NUMBERS] = q.numbers.equals(c.numbers) ? 0 : 1;
    f[NEGATION] = q.negated == c.negated ? 0 : 1;
    // Only a swap when both use the same content words: a paraphrase that adds or drops words
    // reorders freely ("best way to learn Java" / "learn Java the best way"), a swap does not.
    // Nor around a symmetric connector: "X and Y", "X vs Y", "between X and Y" keep their meaning.
    f[ORDER] =
        q.contentSet.equals(c.contentSet)
                && !q.symmetric
                && !c.symmetric
                && discordance(q.content, c.content) > 0
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
    return f;
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
    final Set<String> numbers = new HashSet<>();
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
      tokens.add(lower);
      if (SYMMETRIC.contains(lower)) {
        symmetric = true;
      }
      if (questionWord.isEmpty() && QUESTION_WORDS.contains(lower)) {
        questionWord = lower;
      }
      if (lower.endsWith("n't")) {
        negated = true;
        return;
      }
      String bare = lower.replace("'", "");
      if (NEGATIONS.contains(bare)) {
        negated = true;
        return;
      }
      if (Character.isDigit(lower.charAt(0))) {
        numbers.add(number(lower));
        return;
      }
      String word = NUMBER_WORDS.get(lower);
      if (word != null) {
        numbers.add(word);
        return;
      }
      if (lower.endsWith("'s")) {
        lower = lower.substring(0, lower.length() - 2);
      }
      if (FUNCTION_WORDS.contains(lower) || lower.length() < 2) {
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

  private static Map<String, String> numberWords() {
    // "one" is left out: far more often a pronoun ("which one", "how does one") than a number.
    String[] ones = {
      "zero",
      "",
      "two",
      "three",
      "four",
      "five",
      "six",
      "seven",
      "eight",
      "nine",
      "ten",
      "eleven",
      "twelve",
      "thirteen",
      "fourteen",
      "fifteen",
      "sixteen",
      "seventeen",
      "eighteen",
      "nineteen",
      "twenty"
    };
    Map<String, String> m = new HashMap<>();
    for (int i = 0; i < ones.length; i++) {
      if (!ones[i].isEmpty()) {
        m.put(ones[i], Integer.toString(i));
      }
    }
    String[] tens = {"thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"};
    for (int i = 0; i < tens.length; i++) {
      m.put(tens[i], Integer.toString(30 + 10 * i));
    }
    m.put("hundred", "100");
    m.put("thousand", "1000");
    m.put("million", "1000000");
    m.put("billion", "1000000000");
    m.put("first", "1");
    m.put("second", "2");
    m.put("third", "3");
    return m;
  }
}
