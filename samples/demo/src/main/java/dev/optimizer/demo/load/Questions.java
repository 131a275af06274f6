package dev.optimizer.demo.load;

import dev.optimizer.demo.app.DemoData;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The shoppers' questions: intents (a kind of product for a use) each asked in three wordings.
 * Popular intents come back often, in any of their wordings: exact repeats for the exact cache,
 * paraphrases for the semantic one.
 */
final class Questions {
  private static final String[] WORDINGS = {
    "Which %s would you recommend for %s?",
    "What is the best %s for %s?",
    "I am looking for a %s for %s. What should I buy?"
  };

  private final List<String[]> intents = new ArrayList<>();

  Questions(int intentCount, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    List<String[]> all = new ArrayList<>();
    for (String kind : DemoData.KINDS) {
      for (String use : DemoData.USES) {
        all.add(new String[] {kind, use});
      }
    }
    for (int i = 0; i < intentCount; i++) {
      intents.add(all.remove(random.nextInt(all.size())));
    }
  }

  int intents() {
    return intents.size();
  }

  String wording(int intent, int wording) {
    String[] kindUse = intents.get(intent);
    return String.format(WORDINGS[wording % WORDINGS.length], kindUse[0], kindUse[1]);
  }

  static int wordings() {
    return WORDINGS.length;
  }
}
