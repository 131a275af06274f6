package dev.optimizer.demo.load;

import dev.optimizer.demo.app.DemoData;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The requests of one phase, generated from a seed before it starts: each area's requests arrive as
 * a Poisson process at a fixed rate (an open workload: shoppers do not slow down because the
 * service does), so both phases send exactly the same requests at the same offsets.
 */
public final class Traffic {
  /** One request: when (after the phase's start), what, and for which area. */
  public record Request(
      Area area, long offsetNanos, String method, String path, String body, int customer) {}

  /** Requests per second per area. */
  public static final double DB_RATE = 30;

  /** Requests per second of product pages. */
  public static final double HTTP_RATE = 40;

  /** Questions per second. */
  public static final double AI_RATE = 4;

  private static final int INTENTS = 80;

  private final List<Request> requests;

  private Traffic(List<Request> requests) {
    this.requests = requests;
  }

  /** The requests of {@code seconds} seconds of traffic drawn from {@code seed}. */
  public static Traffic generate(long seed, double seconds) {
    List<Request> all = new ArrayList<>();
    long end = (long) (seconds * 1e9);
    SplittableRandom dbRandom = new SplittableRandom(seed);
    SplittableRandom httpRandom = new SplittableRandom(seed + 1);
    SplittableRandom aiRandom = new SplittableRandom(seed + 2);
    Zipf categories = new Zipf(DemoData.KINDS.size(), 1.0);
    Zipf products = new Zipf(DemoData.products(), 1.1);
    Questions questions = new Questions(INTENTS, 42);
    Zipf intents = new Zipf(questions.intents(), 1.0);
    for (long t = next(0, DB_RATE, dbRandom); t < end; t = next(t, DB_RATE, dbRandom)) {
      int roll = dbRandom.nextInt(100);
      int customer = 1 + dbRandom.nextInt(DemoData.CUSTOMERS);
      if (roll < 60) {
        int category = 1 + categories.next(dbRandom);
        all.add(new Request(Area.DB, t, "GET", "/categories/" + category + "/top", null, 0));
      } else if (roll < 85) {
        all.add(new Request(Area.DB, t, "GET", "/customers/" + customer + "/orders", null, 0));
      } else {
        StringBuilder items = new StringBuilder();
        int lines = 1 + dbRandom.nextInt(3);
        for (int i = 0; i < lines; i++) {
          items
              .append(i == 0 ? "" : ",")
              .append("{\"productId\":")
              .append(1 + products.next(dbRandom))
              .append(",\"quantity\":")
              .append(1 + dbRandom.nextInt(3))
              .append('}');
        }
        String body = "{\"customerId\":" + customer + ",\"items\":[" + items + "]}";
        all.add(new Request(Area.DB, t, "POST", "/orders", body, customer));
      }
    }
    for (long t = next(0, HTTP_RATE, httpRandom); t < end; t = next(t, HTTP_RATE, httpRandom)) {
      int product = 1 + products.next(httpRandom);
      all.add(new Request(Area.HTTP, t, "GET", "/products/" + product, null, 0));
    }
    for (long t = next(0, AI_RATE, aiRandom); t < end; t = next(t, AI_RATE, aiRandom)) {
      String q = questions.wording(intents.next(aiRandom), aiRandom.nextInt(Questions.wordings()));
      all.add(new Request(Area.AI, t, "POST", "/ask", "{\"question\":\"" + q + "\"}", 0));
    }
    all.sort(Comparator.comparingLong(Request::offsetNanos));
    return new Traffic(List.copyOf(all));
  }

  private static long next(long t, double rate, SplittableRandom random) {
    return t + (long) (-Math.log(1 - random.nextDouble()) / rate * 1e9);
  }

  /** The requests, by offset. */
  public List<Request> requests() {
    return requests;
  }
}
