package dev.optimizer.benchmarks.judge;

/**
 * A system whose throughput peaks at a concurrency it does not reveal: Gunther's Universal
 * Scalability Law, X(N) = λN / (1 + σ(N − 1) + κN(N − 1)). σ models contention (serial parts), κ
 * coherency costs (connections fighting over locks and caches), so throughput rises, flattens and
 * falls — the shape of a database behind a connection pool. The peak is at N* = √((1 − σ)/κ).
 */
final class UslPlant {
  final double lambda;
  final double sigma;
  final double kappa;
  final int peakN;
  final double peakThroughput;

  UslPlant(double sigma, double kappa, double peakThroughput, int maxN) {
    this.sigma = sigma;
    this.kappa = kappa;
    int best = 1;
    double bestX = 0;
    for (int n = 1; n <= maxN; n++) {
      double x = relative(n);
      if (x > bestX) {
        bestX = x;
        best = n;
      }
    }
    this.peakN = best;
    this.lambda = peakThroughput / bestX;
    this.peakThroughput = peakThroughput;
  }

  private double relative(double n) {
    return n / (1 + sigma * (n - 1) + kappa * n * (n - 1));
  }

  /** Completed operations per second at concurrency n. */
  double throughput(double n) {
    return lambda * relative(n);
  }

  /** Throughput at n as a fraction of the peak. */
  double efficiency(double n) {
    return throughput(n) / peakThroughput;
  }

  @Override
  public String toString() {
    return String.format(java.util.Locale.ROOT, "USL[σ=%.3f, κ=%.5f, N*=%d]", sigma, kappa, peakN);
  }
}
