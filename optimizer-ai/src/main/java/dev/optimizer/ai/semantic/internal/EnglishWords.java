package dev.optimizer.ai.semantic.internal;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The generic English word lists the pair features read: function words, negation cues, number
 * words, question words and symmetric connectors. Plain lists, nothing learnt from a data set.
 */
final class EnglishWords {

  /** Connectors around which a swap keeps the meaning. */
  static final Set<String> SYMMETRIC =
      Set.of("and", "or", "vs", "versus", "between", "compare", "compared", "&");

  /** Words that say what kind of question it is: "why" and "how" ask different things. */
  static final Set<String> QUESTION_WORDS =
      Set.of(
          "what", "why", "how", "which", "who", "whom", "whose", "when", "where", "is", "are",
          "can", "do", "does", "should", "will");

  static final Set<String> FUNCTION_WORDS =
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

  static final Set<String> NEGATIONS =
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

  static final Map<String, String> NUMBER_WORDS = numberWords();

  private EnglishWords() {}

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
