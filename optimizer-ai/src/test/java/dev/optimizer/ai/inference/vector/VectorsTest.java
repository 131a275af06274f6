package dev.optimizer.ai.inference.vector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.FloatRange;

class VectorsTest {

  @Example
  void cosineOfKnownVectors() {
    assertThat(Vectors.cosine(new float[] {1, 0}, new float[] {0, 1})).isEqualTo(0);
    assertThat(Vectors.cosine(new float[] {1, 0}, new float[] {-2, 0})).isEqualTo(-1);
    assertThat(Vectors.cosine(new float[] {1, 1}, new float[] {1, 0}))
        .isCloseTo(Math.sqrt(0.5), within(1e-12));
  }

  @Example
  void theZeroVectorHasNoDirection() {
    assertThat(Vectors.cosine(new float[] {0, 0}, new float[] {1, 2})).isEqualTo(0);
  }

  @Example
  void vectorsOfDifferentLengthsAreRefused() {
    assertThatThrownBy(() -> Vectors.cosine(new float[3], new float[4]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("vectors must have the same length, but were 3 and 4");
  }

  @Property(tries = 200)
  void cosineIsSymmetricBoundedAndBlindToScale(
      @ForAll("vectors") float[] a,
      @ForAll("vectors") float[] b,
      @ForAll @FloatRange(min = 0.01f, max = 100f) float scale) {
    float[] c = new float[b.length];
    float[] scaled = new float[b.length];
    for (int i = 0; i < b.length; i++) {
      c[i] = i < a.length ? a[i] : 0;
      scaled[i] = b[i] * scale;
    }
    double cos = Vectors.cosine(c, b);
    assertThat(cos).isBetween(-1.0, 1.0);
    assertThat(Vectors.cosine(b, c)).isEqualTo(cos);
    assertThat(Vectors.cosine(c, scaled)).isCloseTo(cos, within(1e-6));
  }

  @Property(tries = 100)
  void aVectorPointsItsOwnWay(@ForAll("vectors") float[] a) {
    boolean zero = true;
    for (float x : a) {
      zero &= x == 0;
    }
    assertThat(Vectors.cosine(a, a)).isCloseTo(zero ? 0.0 : 1.0, within(1e-9));
  }

  @Provide
  Arbitrary<float[]> vectors() {
    return Arbitraries.floats().between(-10, 10).array(float[].class).ofMinSize(1).ofMaxSize(64);
  }
}
