package dev.optimizer.benchmarks.ai;

import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import dev.optimizer.ai.semantic.BoostedGuard;
import dev.optimizer.ai.semantic.FeatureGuard;
import dev.optimizer.ai.semantic.PrecisionGuard;
import dev.optimizer.ai.semantic.SemanticCache;
import dev.optimizer.ai.semantic.SemanticCacheBuilder;
import dev.optimizer.benchmarks.Scenario;
import dev.optimizer.benchmarks.ScenarioResult;
import dev.optimizer.benchmarks.ScenarioResult.Target;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.ToDoubleFunction;

/**
 * ai-semantic-cache: the semantic cache with its precision guard against a plain cosine threshold
 * and GPTCache's default (0.80) on QQP, by the fixed protocol of issue 7 (see {@link
 * CacheProtocol}): everything is fitted on one half and measured on the other.
 */
public final class SemanticCacheScenario implements Scenario {

  static final String SCOPE = "qqp";
  static final int TOP_K = 5;
  static final double FLOOR = SemanticCacheBuilder.DEFAULT_SIMILARITY_THRESHOLD;
  static final double PRECISION_FLOOR = 0.98;

  /**
   * The threshold rule for both: the lowest threshold whose observed fit-half precision reaches the
   * floor, as the issue states it. The stricter one-sided 95% Wilson rule is reported beside it.
   */
  static final double Z_POINT = 0;

  static final double Z = 1.645;

  @Override
  public String name() {
    return "ai-semantic-cache";
  }

  @Override
  public String description() {
    return "QQP semantic cache, fitted on one half, measured on the other: guarded score vs plain"
        + " cosine (threshold fitted for precision >= 0.98) and GPTCache's default 0.80";
  }

  @Override
  public ScenarioResult run(boolean quick) throws Exception {
    Djl.offline();
    List<Qqp.Pair> pairs = Qqp.pairs();
    List<String> questions = Qqp.distinctQuestions(20);
    Path cacheFile = Path.of("target", "ai-cache", "qqp-minilm-" + questions.size() + ".f32");
    boolean embeddingsCached = Files.isRegularFile(cacheFile);
    long e0 = System.nanoTime();
    float[][] vectors = VectorSearchScenario.embeddings(questions);
    double embedSeconds = (System.nanoTime() - e0) / 1e9;
    Map<String, float[]> table = new HashMap<>();
    for (int i = 0; i < vectors.length; i++) {
      table.put(questions.get(i), vectors[i]);
    }
    TableEmbeddingModel model = new TableEmbeddingModel(table, new AllMiniLmL6V2EmbeddingModel());
    CacheProtocol protocol = CacheProtocol.of(pairs);
    List<List<Qqp.Pair>> halves = CacheProtocol.halves(pairs);

    CacheEval fit;
    CacheEval measured;
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      Future<CacheEval> f = pool.submit(() -> retrieve(halves.get(0), model, protocol));
      Future<CacheEval> m = pool.submit(() -> retrieve(halves.get(1), model, protocol));
      fit = f.get();
      measured = m.get();
    } finally {
      pool.shutdown();
    }

    // (a) plain cosine, threshold fitted on the fit half; (b) GPTCache's default 0.80.
    ToDoubleFunction<FeatureGuard.Example> cosine = FeatureGuard.Example::similarity;
    double plainTau = fit.fitThreshold(fit.outcomes(cosine, FLOOR), PRECISION_FLOOR, Z_POINT);
    double plainWilsonTau = fit.fitThreshold(fit.outcomes(cosine, FLOOR), PRECISION_FLOOR, Z);
    List<CacheEval.Outcome> plainOut = measured.outcomes(cosine, FLOOR);
    CacheEval.Point plain = measured.at(plainOut, plainTau);
    CacheEval.Point plainWilson = measured.at(plainOut, plainWilsonTau);
    CacheEval.Point gpt = measured.at(measured.outcomes(cosine, 0.80), 0.80);

    // (c) ours: feature selection and weights on the fit half only.
    GuardSelection.GuardFit onPairs =
        GuardSelection.select(fit, GuardSelection.examples(fit, false));
    GuardSelection.GuardFit onBoth = GuardSelection.select(fit, GuardSelection.examples(fit, true));
    GuardSelection.GuardFit chosen = onBoth.recall() > onPairs.recall() ? onBoth : onPairs;
    String training =
        String.format(
            Locale.ROOT,
            "fit-half recall trained on the pairs alone %.4f, on pairs + cache candidates %.4f:"
                + " kept %s",
            onPairs.recall(),
            onBoth.recall(),
            chosen == onBoth ? "pairs + candidates" : "pairs alone");
    FeatureGuard linear = chosen.guard();
    double linearTau = chosen.tau();
    CacheEval.Point linearPoint = measured.at(measured.outcomes(linear::score, FLOOR), linearTau);
    double linearAuc = measured.pairAuc(linear::score);

    // (d) ours: the boosted trees over the same features, fitted on the fit half's pairs.
    BoostedGuard guard = BoostedGuard.fit(GuardSelection.examples(fit, false));
    double tau = fit.fitThreshold(fit.outcomes(guard::score, FLOOR), PRECISION_FLOOR, Z_POINT);
    List<CacheEval.Outcome> oursOut = measured.outcomes(guard::score, FLOOR);
    CacheEval.Point ours = measured.at(oursOut, tau);
    double oursAuc = measured.pairAuc(guard::score);
    double wilsonTau = fit.fitThreshold(fit.outcomes(guard::score, FLOOR), PRECISION_FLOOR, Z);
    CacheEval.Point oursWilson = measured.at(oursOut, wilsonTau);
    CacheEval.Point oursOnFit = fit.at(fit.outcomes(guard::score, FLOOR), tau);
    double plainAuc = measured.pairAuc(cosine);
    FeatureGuard shipped = FeatureGuard.defaults();
    CacheEval.Point shippedPoint =
        measured.at(
            measured.outcomes(shipped::score, FLOOR),
            SemanticCacheBuilder.DEFAULT_DECISION_THRESHOLD);

    // The real SemanticCache on the measured half: same decisions, and its lookup latency.
    int sample = quick ? 1000 : 3000;
    Timing oursT = timed(halves.get(1), model, protocol, guard, tau, TOP_K, sample, oursOut);
    Timing plainT =
        timed(
            halves.get(1),
            model,
            protocol,
            PrecisionGuard.cosine(),
            plainTau,
            TOP_K,
            sample,
            plainOut);
    Timing gptT =
        timed(halves.get(1), model, protocol, PrecisionGuard.cosine(), 0.80, 1, sample / 2, null);
    model.live = true;
    Timing liveT =
        timed(halves.get(1), model, protocol, guard, tau, TOP_K, quick ? 100 : 300, null);
    model.live = false;

    ScenarioResult r = new ScenarioResult();
    report(r, "", plain, plainAuc, plainT.p50Ms, plainTau, true);
    report(r, "gptcache 0.80: ", gpt, plainAuc, gptT.p50Ms, 0.80, true);
    report(r, "", ours, oursAuc, oursT.p50Ms, tau, false);
    r.optimized("lookup p50 incl. embedding (ms)", liveT.p50Ms);
    r.optimized("shipped defaults: precision", shippedPoint.precision());
    r.optimized("shipped defaults: duplicate_recall", shippedPoint.recall());
    r.ratio("precision", ours.precision(), Target.atLeast(PRECISION_FLOOR));
    r.ratio("duplicate_recall", ours.recall(), Target.atLeast(0.18));
    r.ratio("false_hit_rate", ours.falseHitRate(), Target.atMost(0.005));
    r.ratio("pair_auc", oursAuc, Target.atLeast(0.90));
    r.ratio("duplicate_recall_vs_plain", ours.recall() / plain.recall());
    r.ratio("lookup_p50_ms", oursT.p50Ms);

    // The simulated LLM workload: the fitted guard in the chat decorator, queries embedded live.
    List<Qqp.Pair> half = halves.get(1);
    model.live = true;
    SimulatedLlmWorkload.run(
        r,
        SimulatedLlmWorkload.freshQuestions(half),
        SimulatedLlmWorkload.paraphrasePairs(half),
        protocol::correct,
        SemanticCache.builder(model)
            .guard(guard)
            .decisionThreshold(Double.isInfinite(tau) ? 1.0 : Math.min(1.0, tau))
            .similarityThreshold(FLOOR)
            .topK(TOP_K),
        quick);
    model.live = false;

    r.note(
        "protocol",
        String.format(
            Locale.ROOT,
            "QQP dev (%d pairs) split in halves by seed %d; fit half %d pairs, measured half %d"
                + " pairs (%d duplicate); the cache holds every distinct a of the measured half (%d"
                + " entries, one per normalised text),"
                + " every b is a lookup; correct = same normalised text or same component of the"
                + " duplicate graph over the whole file; top %d candidates with cosine >= %.2f are"
                + " scored",
            pairs.size(),
            CacheProtocol.SPLIT_SEED,
            halves.get(0).size(),
            halves.get(1).size(),
            halves.get(1).stream().filter(Qqp.Pair::duplicate).count(),
            oursT.entries(),
            TOP_K,
            FLOOR));
    r.note(
        "threshold fitting",
        String.format(
            Locale.ROOT,
            "both: the lowest threshold whose observed fit-half precision is >= %.2f (the issue's"
                + " rule; ours on the fit half: precision %.4f, recall %.4f; the trees learn from the"
                + " fit half's own pairs, the threshold from its cache lookups' nearest entries). With the stricter"
                + " one-sided 95%% Wilson lower bound >= 0.98 on the fit half instead, on the"
                + " measured half: plain cosine threshold %s, precision %.4f, duplicate_recall"
                + " %.4f; ours threshold %s, precision %.4f, duplicate_recall %.4f,"
                + " false_hit_rate %.4f",
            PRECISION_FLOOR,
            oursOnFit.precision(),
            oursOnFit.recall(),
            fmt(plainWilsonTau),
            plainWilson.precision(),
            plainWilson.recall(),
            fmt(wilsonTau),
            oursWilson.precision(),
            oursWilson.recall(),
            oursWilson.falseHitRate()));
    r.note("guard fitted", guard + ", decision threshold " + fmt(tau));
    r.note(
        "logistic guard (one weight per feature, features selected on the fit half)",
        String.format(
            Locale.ROOT,
            "%s, threshold %s; on the measured half: precision %.4f, duplicate_recall %.4f,"
                + " false_hit_rate %.4f, pair_auc %.4f",
            linear,
            fmt(linearTau),
            linearPoint.precision(),
            linearPoint.recall(),
            linearPoint.falseHitRate(),
            linearAuc));
    r.note("feature ablation (fit half, logistic guard)", chosen.ablation());
    r.note("training set", training);
    r.note("rules as vetoes (fit half)", GuardSelection.ruleStats(fit));
    r.note(
        "real cache check",
        String.format(
            Locale.ROOT,
            "SemanticCache.lookup on %d measured lookups agrees with the protocol's decision on"
                + " %d (ours) and %d (plain cosine)",
            sample,
            oursT.agree,
            plainT.agree));
    r.note(
        "shipped defaults",
        String.format(
            Locale.ROOT,
            "FeatureGuard.defaults() at %.2f on the measured half: precision %.4f, duplicate_recall"
                + " %.4f, false_hit_rate %.4f (not a held-out figure: the default cosine of 0.995"
                + " was raised from 0.99 after 0.99 gave precision 0.955 here)",
            SemanticCacheBuilder.DEFAULT_DECISION_THRESHOLD,
            shippedPoint.precision(),
            shippedPoint.recall(),
            shippedPoint.falseHitRate()));
    CacheEval.Point exactOnly = measured.at(plainOut, Double.POSITIVE_INFINITY);
    r.note(
        "exact tier alone",
        String.format(
            Locale.ROOT,
            "precision %.4f, duplicate_recall %.4f on the measured half. With every distinct a of"
                + " the whole file in the cache instead, exact text alone reaches %.4f: the issue's"
                + " quoted baselines (exact about 0.104, plain cosine about 0.118, hence the 0.18"
                + " target as 1.5x plain) match that setting, not the half the protocol measures"
                + " on, where plain cosine gives %.4f and 1.5x plain is %.4f",
            exactOnly.precision(),
            exactOnly.recall(),
            CacheProtocol.exactRecallOverWholeFile(pairs),
            plain.recall(),
            1.5 * plain.recall()));
    r.note(
        "what limits recall",
        recallBudget(measured, plainOut, exactOnly)
            + " The non-exact matches the protocol counts wrong at the very top of every ranking"
            + " are mostly unlabelled paraphrases ('How can I lose weight ?' vs 'How can I lose"
            + " weight?', 'What's' vs 'What is', 'you're' vs 'you’re'); they keep the semantic"
            + " tier's precision under 0.98 at any threshold, so 0.98 is held only by the exact"
            + " hits' share. A better guard lifts the pair AUC (it ranks pairs) but cannot tell"
            + " such label noise from a real duplicate without fitting the data set");
    r.note(
        "embeddings",
        embeddingsCached
            ? String.format(
                Locale.ROOT,
                "%d texts read from %s in %.1f s; the first run embeds them (about 105 s on 2"
                    + " cores) and writes that file",
                questions.size(),
                cacheFile,
                embedSeconds)
            : String.format(
                Locale.ROOT,
                "%d texts embedded in %.1f s (first run) and kept in %s",
                questions.size(),
                embedSeconds,
                cacheFile));
    r.note(
        "latency",
        "lookup_p50_ms: SemanticCache.lookup with the query embedding taken from the table (index"
            + " scan of the half's entries + guard); 'incl. embedding' embeds the query with"
            + " all-MiniLM-L6-v2 in-process on this machine");
    Map<String, Object> curves = new LinkedHashMap<>();
    curves.put("ours", measured.curve(oursOut, grid(oursOut)));
    curves.put("plain_cosine", measured.curve(plainOut, grid(plainOut)));
    r.extra("pr_curve", curves);
    return r;
  }

  /**
   * What 0.18 at precision 0.98 asks of the semantic tier on the measured half, against how often
   * plain cosine's best non-exact candidates at cosine >= 0.99 are right by the protocol's labels.
   */
  private static String recallBudget(
      CacheEval measured, List<CacheEval.Outcome> plainOut, CacheEval.Point exactOnly) {
    int duplicates = (int) measured.lookups().stream().filter(CacheEval.Lookup::duplicate).count();
    int needed = (int) Math.ceil(0.18 * duplicates);
    int hits = (int) Math.floor(needed / PRECISION_FLOOR);
    int exactHits = exactOnly.hits();
    int semanticRight = needed - exactHits;
    int semanticHits = hits - exactHits;
    int top = 0;
    int topRight = 0;
    for (CacheEval.Outcome o : plainOut) {
      if (Double.isFinite(o.score()) && o.score() >= 0.99) {
        top++;
        topRight += o.correct() ? 1 : 0;
      }
    }
    return String.format(
        Locale.ROOT,
        "duplicate_recall 0.18 at precision 0.98 needs %d right hits among at most %d; the exact"
            + " tier gives %d, so the semantic tier would need %d right among %d (precision %.3f),"
            + " while plain cosine's best non-exact candidates at cosine >= 0.99 are right %d of"
            + " %d times (%.3f).",
        needed,
        hits,
        exactHits,
        semanticRight,
        semanticHits,
        semanticHits <= 0 ? 1.0 : semanticRight / (double) semanticHits,
        topRight,
        top,
        top == 0 ? 0.0 : topRight / (double) top);
  }

  private static void report(
      ScenarioResult r,
      String prefix,
      CacheEval.Point p,
      double auc,
      double p50,
      double tau,
      boolean baseline) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put(prefix + "threshold", Double.isInfinite(tau) ? "exact only" : tau);
    m.put(prefix + "precision", p.precision());
    m.put(prefix + "duplicate_recall", p.recall());
    m.put(prefix + "false_hit_rate", p.falseHitRate());
    m.put(prefix + "pair_auc", auc);
    m.put(prefix + "lookup_p50_ms", p50);
    m.forEach(
        (k, v) -> {
          if (baseline) {
            r.baseline(k, v);
          } else {
            r.optimized(k, v);
          }
        });
  }

  /**
   * Builds the cache over the half's distinct {@code a}s and records every {@code b}'s candidates.
   */
  static CacheEval retrieve(
      List<Qqp.Pair> half, TableEmbeddingModel model, CacheProtocol protocol) {
    List<CacheEval.Lookup> lookups = new ArrayList<>(half.size());
    try (SemanticCache<String> cache =
        SemanticCache.builder(model)
            .guard(PrecisionGuard.cosine())
            .decisionThreshold(1.0)
            .similarityThreshold(FLOOR)
            .topK(TOP_K)
            .maxEntriesPerScope(1_000_000)
            .build()) {
      for (Qqp.Pair p : half) {
        cache.put(SCOPE, p.a(), p.a());
      }
      for (Qqp.Pair p : half) {
        List<CacheEval.Cand> cands = new ArrayList<>();
        for (SemanticCache.Candidate c : cache.candidates(SCOPE, p.b())) {
          boolean correct = protocol.correct(p.b(), c.text());
          cands.add(
              new CacheEval.Cand(
                  c.text(),
                  c.similarity(),
                  c.exact(),
                  correct,
                  c.exact()
                      ? null
                      : FeatureGuard.Example.of(p.b(), c.text(), c.similarity(), correct)));
        }
        double sim =
            dev.optimizer.ai.inference.vector.Vectors.cosine(
                model.embed(p.a()).content().vector(), model.embed(p.b()).content().vector());
        boolean exact = CacheProtocol.norm(p.a()).equals(CacheProtocol.norm(p.b()));
        lookups.add(
            new CacheEval.Lookup(
                p.duplicate(),
                cands,
                exact,
                FeatureGuard.Example.of(p.b(), p.a(), sim, p.duplicate())));
      }
    }
    return new CacheEval(lookups);
  }

  private record Timing(double p50Ms, int agree, long entries) {}

  /**
   * Runs the real {@link SemanticCache#lookup} for the first {@code n} lookups of the half, timing
   * each, and counts how many decisions (hit or miss, and correctness) agree with {@code expected}.
   */
  private static Timing timed(
      List<Qqp.Pair> half,
      TableEmbeddingModel model,
      CacheProtocol protocol,
      PrecisionGuard guard,
      double tau,
      int topK,
      int n,
      List<CacheEval.Outcome> expected) {
    double threshold = Double.isInfinite(tau) ? 1.0 : Math.min(1.0, tau);
    try (SemanticCache<String> cache =
        SemanticCache.builder(model)
            .guard(guard)
            .decisionThreshold(threshold)
            .similarityThreshold(FLOOR)
            .topK(topK)
            .maxEntriesPerScope(1_000_000)
            .build()) {
      boolean live = model.live;
      model.live = false;
      for (Qqp.Pair p : half) {
        cache.put(SCOPE, p.a(), p.a());
      }
      model.live = live;
      for (int i = 0; i < Math.min(50, n); i++) {
        cache.lookup(SCOPE, half.get(half.size() - 1 - i).b());
      }
      long[] nanos = new long[Math.min(n, half.size())];
      int agree = 0;
      for (int i = 0; i < nanos.length; i++) {
        String b = half.get(i).b();
        long t0 = System.nanoTime();
        Optional<SemanticCache.Hit<String>> hit = cache.lookup(SCOPE, b);
        nanos[i] = System.nanoTime() - t0;
        if (expected != null) {
          CacheEval.Outcome o = expected.get(i);
          boolean wantHit = o.score() >= tau;
          boolean same =
              hit.isPresent() == wantHit
                  && (!wantHit || protocol.correct(b, hit.get().matchedText()) == o.correct());
          if (same) {
            agree++;
          }
        }
      }
      Arrays.sort(nanos);
      return new Timing(nanos[nanos.length / 2] / 1e6, agree, cache.stats().entries());
    }
  }

  /** Thresholds at 24 quantiles of the finite best scores, for the curve. */
  private static double[] grid(List<CacheEval.Outcome> outcomes) {
    double[] s =
        outcomes.stream()
            .mapToDouble(CacheEval.Outcome::score)
            .filter(Double::isFinite)
            .sorted()
            .toArray();
    double[] out = new double[25];
    for (int i = 0; i < 24; i++) {
      double q = 1 - Math.pow(0.8, i + 1);
      out[i] = s[Math.min(s.length - 1, (int) (q * s.length))];
    }
    out[24] = Double.POSITIVE_INFINITY;
    return out;
  }

  private static String fmt(double d) {
    return Double.isInfinite(d) ? "exact only" : String.format(Locale.ROOT, "%.4f", d);
  }
}
