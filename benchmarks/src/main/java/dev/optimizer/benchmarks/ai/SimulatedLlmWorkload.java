package dev.optimizer.benchmarks.ai;

import dev.langchain4j.model.chat.ChatModel;
import dev.optimizer.ai.AiOptimizer;
import dev.optimizer.ai.semantic.SemanticCacheBuilder;
import dev.optimizer.ai.testserver.LocalOpenAiServer;
import dev.optimizer.ai.testserver.OpenAiClients;
import dev.optimizer.benchmarks.ScenarioResult;
import dev.optimizer.runtime.Optimizer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiPredicate;

/**
 * The simulated LLM workload of ai-semantic-cache: a request stream in which 30% of the requests
 * repeat an earlier question word for word or ask a duplicate-labelled paraphrase of it, sent by
 * closed-loop users through LangChain4j's real OpenAI client to the local OpenAI-compatible server
 * answering after 500 ms; once straight to the model, once through {@link AiOptimizer} with the
 * exact and the semantic cache. The server's answer names the prompt it answers, so every answer
 * served from the cache for another prompt is checked against the duplicate graph.
 */
final class SimulatedLlmWorkload {
  static final Duration LLM_LATENCY = Duration.ofMillis(500);
  static final double REPEATED = 0.30;
  static final int USERS = 16;
  static final String MODEL = "gpt-simulated";

  private SimulatedLlmWorkload() {}

  /**
   * Runs both sides and records their figures in {@code r}.
   *
   * @param fresh questions asked for the first time, none of them a paraphrase of another
   * @param pairs duplicate-labelled pairs: {@code a} is asked first, {@code b} later as the
   *     paraphrase
   * @param sameMeaning the benchmark's correctness relation (equal text or connected duplicates)
   * @param semantic the semantic cache's settings, fitted on the other half
   */
  static void run(
      ScenarioResult r,
      List<String> fresh,
      List<String[]> pairs,
      BiPredicate<String, String> sameMeaning,
      SemanticCacheBuilder semantic,
      boolean quick)
      throws Exception {
    List<String> stream = stream(fresh, pairs, quick ? 240 : 800, new Random(7));
    long repeats = stream.size() - stream.stream().distinct().count();
    try (LocalOpenAiServer server = LocalOpenAiServer.start().latency(LLM_LATENCY);
        Optimizer optimizer = Optimizer.builder().manualTuning().build();
        AiOptimizer ai = AiOptimizer.builder(optimizer).semanticCache(semantic).build()) {
      ChatModel plain = OpenAiClients.chat(server, MODEL);
      Side base = drive(plain, stream, server, sameMeaning);
      Side opt = drive(ai.wrap(OpenAiClients.chat(server, MODEL)), stream, server, sameMeaning);
      for (boolean isBase : new boolean[] {true, false}) {
        Side s = isBase ? base : opt;
        r.side(isBase, "llm requests", s.requests);
        r.side(isBase, "llm calls", s.llmCalls);
        r.side(isBase, "mean latency (ms)", s.meanMs());
        r.side(isBase, "p50 latency (ms)", s.percentileMs(50));
        r.side(isBase, "answers for another prompt", s.otherPrompt);
        r.side(isBase, "wrong answers", s.wrong);
      }
      r.ratio("mean_latency_ratio", opt.meanMs() / base.meanMs());
      r.ratio("llm_calls_ratio", opt.llmCalls / (double) base.llmCalls);
      r.ratio("workload_wrong_answer_rate", opt.wrong / (double) opt.requests);
      r.note(
          "workload",
          stream.size()
              + " requests ("
              + repeats
              + " repeated word for word, the rest of the 30% duplicate-labelled paraphrases of an"
              + " earlier question), "
              + USERS
              + " closed-loop users, local OpenAI-compatible server answering after "
              + LLM_LATENCY.toMillis()
              + " ms, LangChain4j's OpenAiChatModel at temperature 0");
    }
  }

  /**
   * Questions for first asks: the distinct {@code a} of non-duplicate pairs that are in no
   * duplicate pair of the half, so the stream's paraphrases are only those it asks on purpose.
   */
  static List<String> freshQuestions(List<Qqp.Pair> half) {
    java.util.LinkedHashSet<String> out = new java.util.LinkedHashSet<>();
    java.util.Set<String> inPairs = new java.util.HashSet<>();
    for (Qqp.Pair p : half) {
      if (p.duplicate()) {
        inPairs.add(CacheProtocol.norm(p.a()));
        inPairs.add(CacheProtocol.norm(p.b()));
      }
    }
    for (Qqp.Pair p : half) {
      if (!p.duplicate() && !inPairs.contains(CacheProtocol.norm(p.a()))) {
        out.add(p.a());
      }
    }
    return new ArrayList<>(out);
  }

  /** Duplicate-labelled pairs whose two sides differ after normalisation: real paraphrases. */
  static List<String[]> paraphrasePairs(List<Qqp.Pair> half) {
    List<String[]> out = new ArrayList<>();
    for (Qqp.Pair p : half) {
      if (p.duplicate() && !CacheProtocol.norm(p.a()).equals(CacheProtocol.norm(p.b()))) {
        out.add(new String[] {p.a(), p.b()});
      }
    }
    return out;
  }

  /**
   * The request stream: 70% first-time questions (alternately the {@code a} of a pair and a fresh
   * question); 30% a question asked before, half word for word, half as its pair's {@code b}.
   */
  static List<String> stream(List<String> fresh, List<String[]> pairs, int n, Random random) {
    List<String> out = new ArrayList<>(n);
    List<String> asked = new ArrayList<>();
    List<String[]> paraphrasable = new ArrayList<>();
    int nextFresh = 0;
    int nextPair = 0;
    while (out.size() < n) {
      boolean repeat = !asked.isEmpty() && random.nextDouble() < REPEATED;
      if (repeat && random.nextBoolean() && !paraphrasable.isEmpty()) {
        String[] p = paraphrasable.remove(random.nextInt(paraphrasable.size()));
        out.add(p[1]);
      } else if (repeat) {
        out.add(asked.get(random.nextInt(asked.size())));
      } else if (out.size() % 2 == 0 && nextPair < pairs.size()) {
        String[] p = pairs.get(nextPair++);
        out.add(p[0]);
        asked.add(p[0]);
        paraphrasable.add(p);
      } else {
        String q = fresh.get(nextFresh++);
        out.add(q);
        asked.add(q);
      }
    }
    return out;
  }

  private static Side drive(
      ChatModel model,
      List<String> stream,
      LocalOpenAiServer server,
      BiPredicate<String, String> sameMeaning)
      throws Exception {
    int before = server.chatRequests();
    long[] nanos = new long[stream.size()];
    AtomicInteger next = new AtomicInteger();
    AtomicInteger otherPrompt = new AtomicInteger();
    AtomicInteger wrong = new AtomicInteger();
    ExecutorService users = Executors.newFixedThreadPool(USERS);
    try {
      List<Future<?>> running = new ArrayList<>();
      for (int u = 0; u < USERS; u++) {
        running.add(
            users.submit(
                () -> {
                  for (int i = next.getAndIncrement();
                      i < stream.size();
                      i = next.getAndIncrement()) {
                    String prompt = stream.get(i);
                    long t0 = System.nanoTime();
                    String answer = model.chat(prompt);
                    nanos[i] = System.nanoTime() - t0;
                    String answered = answeredPrompt(answer);
                    if (!answered.equals(prompt)) {
                      otherPrompt.incrementAndGet();
                      if (!sameMeaning.test(prompt, answered)) {
                        wrong.incrementAndGet();
                      }
                    }
                  }
                  return null;
                }));
      }
      for (Future<?> f : running) {
        f.get();
      }
    } finally {
      users.shutdownNow();
    }
    return new Side(
        stream.size(), server.chatRequests() - before, nanos, otherPrompt.get(), wrong.get());
  }

  /** The prompt an answer of the local server was given for ("Answer … to: PROMPT"). */
  private static String answeredPrompt(String answer) {
    int at = answer.indexOf(" to: ");
    if (at < 0) {
      throw new IllegalStateException("not an answer of the local server: " + answer);
    }
    return answer.substring(at + 5);
  }

  private record Side(int requests, int llmCalls, long[] nanos, int otherPrompt, int wrong) {
    double meanMs() {
      return Arrays.stream(nanos).average().orElse(0) / 1e6;
    }

    double percentileMs(double p) {
      long[] sorted = nanos.clone();
      Arrays.sort(sorted);
      return sorted[(int) Math.min(sorted.length - 1, Math.floor(p / 100 * sorted.length))] / 1e6;
    }
  }
}
