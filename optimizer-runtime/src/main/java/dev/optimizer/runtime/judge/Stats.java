package dev.optimizer.runtime.judge;

/** Special functions the tests need: the normal distribution and the log-gamma function. */
final class Stats {
  private Stats() {}

  /** Upper tail of the standard normal distribution, P(Z > z). */
  static double normalUpperTail(double z) {
    return 0.5 * erfc(z / Math.sqrt(2));
  }

  /**
   * Complementary error function, from Numerical Recipes' Chebyshev fit (fractional error below
   * 1.2e-7 everywhere), accurate enough for p-values held to levels of 1e-4 and above.
   */
  static double erfc(double x) {
    double z = Math.abs(x);
    double t = 1 / (1 + 0.5 * z);
    double r =
        t
            * Math.exp(
                -z * z
                    - 1.26551223
                    + t
                        * (1.00002368
                            + t
                                * (0.37409196
                                    + t
                                        * (0.09678418
                                            + t
                                                * (-0.18628806
                                                    + t
                                                        * (0.27886807
                                                            + t
                                                                * (-1.13520398
                                                                    + t
                                                                        * (1.48851587
                                                                            + t
                                                                                * (-0.82215223
                                                                                    + t
                                                                                        * 0.17087277)))))))));
    return x >= 0 ? r : 2 - r;
  }

  /** log Γ(x) for x > 0 (Lanczos approximation, g = 7, n = 9). */
  static double logGamma(double x) {
    if (x < 0.5) {
      return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
    }
    double[] c = {
      0.99999999999980993,
      676.5203681218851,
      -1259.1392167224028,
      771.32342877765313,
      -176.61502916214059,
      12.507343278686905,
      -0.13857109526572012,
      9.9843695780195716e-6,
      1.5056327351493116e-7
    };
    x -= 1;
    double a = c[0];
    double t = x + 7.5;
    for (int i = 1; i < 9; i++) {
      a += c[i] / (x + i);
    }
    return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
  }

  /** log of the binomial coefficient C(n, k). */
  static double logChoose(long n, long k) {
    return logGamma(n + 1.0) - logGamma(k + 1.0) - logGamma(n - k + 1.0);
  }
}
