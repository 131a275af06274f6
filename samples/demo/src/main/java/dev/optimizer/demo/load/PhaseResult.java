package dev.optimizer.demo.load;

import dev.optimizer.api.Decision;
import dev.optimizer.api.Recommendation;
import java.util.List;
import java.util.Map;

/**
 * What one phase measured.
 *
 * @param name OFF or ON
 * @param seconds the phase's scheduled length
 * @param latencies the end-to-end latencies per area
 * @param received what the dependencies received during the phase
 * @param staleReads orders missing from the customer's list read right after placing them
 * @param samples the optimizer sampled each second (empty when off)
 * @param decisions the optimizer's decisions with their second in the phase (empty when off)
 * @param recommendations the optimizer's recommendations (empty when off)
 * @param reportJson the optimizer's report as JSON (null when off)
 * @param facts what the optimizer counted (cache hits, hedges, tokens saved), by name
 */
public record PhaseResult(
    String name,
    double seconds,
    LatencyRecorder latencies,
    Infrastructure.Counters received,
    long staleReads,
    List<OptimizerSampler.Sample> samples,
    List<TimedDecision> decisions,
    List<Recommendation> recommendations,
    String reportJson,
    Map<String, Long> facts) {

  /** A decision and when, in seconds since the phase started, it was taken. */
  public record TimedDecision(double second, Decision decision) {}

  /** Successful requests per second of {@code area}. */
  public double throughput(Area area) {
    return latencies.count(area) / seconds;
  }
}
