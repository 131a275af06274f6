package dev.optimizer.ai.inference.quantize;

import dev.optimizer.ai.inference.onnx.OnnxTextEmbedder;
import dev.optimizer.ai.inference.onnx.Pooling;
import dev.optimizer.ai.inference.onnx.Truncation;
import dev.optimizer.ai.inference.vector.Vectors;
import dev.optimizer.api.internal.Checks;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Guards a quantized text-embedding model: embeds a calibration set with the float model and the
 * quantized one and compares each pair of vectors by cosine. The mean must reach {@code
 * minMeanCosine}, or {@link OnnxQuantizer} refuses the quantized model.
 *
 * <table>
 *   <caption>Settings</caption>
 *   <tr><th>setting</th><th>default</th><th>range</th></tr>
 *   <tr><td>tokenizer</td><td>required</td><td>the model's Hugging Face tokenizer.json</td></tr>
 *   <tr><td>calibrationTexts</td><td>required</td><td>1 to 100,000 non-blank texts</td></tr>
 *   <tr><td>minMeanCosine</td><td>0.98</td><td>(0, 1]</td></tr>
 *   <tr><td>pooling</td><td>MEAN</td><td>how token vectors become one vector</td></tr>
 *   <tr><td>intraOpThreads</td><td>available processors</td><td>[1, 256]</td></tr>
 * </table>
 *
 * <p>Inputs longer than 512 tokens are truncated for the comparison (both models see the same
 * tokens).
 */
public final class EmbeddingAccuracyGuard {

  private final byte[] tokenizer;
  private final List<String> texts;
  private final double minMeanCosine;
  private final Pooling pooling;
  private final int threads;

  private EmbeddingAccuracyGuard(Builder b) {
    this.tokenizer = b.tokenizer;
    this.texts = b.texts;
    this.minMeanCosine = b.minMeanCosine;
    this.pooling = b.pooling;
    this.threads = b.threads;
  }

  /** Starts a builder; the tokenizer and the calibration texts are required. */
  public static Builder builder() {
    return new Builder();
  }

  /** The configured minimum mean cosine. */
  public double minMeanCosine() {
    return minMeanCosine;
  }

  /** The number of calibration texts. */
  public int calibrationSize() {
    return texts.size();
  }

  /**
   * Embeds the calibration texts with both models and returns the mean cosine between their
   * vectors.
   *
   * @throws IllegalArgumentException if either model cannot be loaded as a text encoder
   */
  public double meanCosine(byte[] referenceModel, byte[] candidateModel) {
    List<float[]> reference = embed(referenceModel, "reference");
    List<float[]> candidate = embed(candidateModel, "candidate");
    double sum = 0;
    for (int i = 0; i < reference.size(); i++) {
      sum += Vectors.cosine(reference.get(i), candidate.get(i));
    }
    return sum / reference.size();
  }

  private List<float[]> embed(byte[] model, String name) {
    try (OnnxTextEmbedder e =
        OnnxTextEmbedder.builder()
            .model(model)
            .modelName(name)
            .tokenizer(tokenizer)
            .pooling(pooling)
            .truncation(Truncation.TRUNCATE)
            .intraOpThreads(threads)
            .intraOpThreadsTuning(false) // short-lived: nothing to tune, no model bytes kept
            .build()) {
      return e.embedAll(texts);
    }
  }

  /** Settings of an {@link EmbeddingAccuracyGuard}, each checked when given. */
  public static final class Builder {
    private byte[] tokenizer;
    private List<String> texts;
    private double minMeanCosine = 0.98;
    private Pooling pooling = Pooling.MEAN;
    private int threads = Runtime.getRuntime().availableProcessors();

    private Builder() {}

    /** Reads the model's Hugging Face {@code tokenizer.json}. */
    public Builder tokenizer(Path tokenizerJson) {
      Checks.notNull("tokenizer", tokenizerJson);
      try {
        return tokenizer(Files.readAllBytes(tokenizerJson));
      } catch (IOException e) {
        throw new UncheckedIOException("tokenizer file " + tokenizerJson + " cannot be read", e);
      }
    }

    /** Uses the Hugging Face {@code tokenizer.json} held in {@code bytes}. */
    public Builder tokenizer(byte[] tokenizerJson) {
      Checks.notSetBefore("tokenizer", tokenizer != null);
      this.tokenizer = Checks.notNull("tokenizer", tokenizerJson).clone();
      return this;
    }

    /** Sets the calibration texts: 1 to 100,000, none blank. */
    public Builder calibrationTexts(List<String> texts) {
      Checks.notSetBefore("calibrationTexts", this.texts != null);
      Checks.notNull("calibrationTexts", texts);
      Checks.inRange("calibrationTexts.size", texts.size(), 1, 100_000);
      for (int i = 0; i < texts.size(); i++) {
        String t = texts.get(i);
        if (t == null || t.isBlank()) {
          throw new IllegalArgumentException(
              "calibrationTexts[" + i + "] must be a non-blank text, but was '" + t + "'");
        }
      }
      this.texts = List.copyOf(texts);
      return this;
    }

    /** Sets the least mean cosine accepted, in {@code (0, 1]}; default 0.98. */
    public Builder minMeanCosine(double minMeanCosine) {
      if (!(minMeanCosine > 0 && minMeanCosine <= 1)) {
        throw new IllegalArgumentException(
            "minMeanCosine must be in (0, 1], but was " + minMeanCosine);
      }
      this.minMeanCosine = minMeanCosine;
      return this;
    }

    /** Sets the pooling of token vectors; default {@link Pooling#MEAN}. */
    public Builder pooling(Pooling pooling) {
      this.pooling = Checks.notNull("pooling", pooling);
      return this;
    }

    /** Sets ONNX Runtime's intra-op threads, in {@code [1, 256]}. */
    public Builder intraOpThreads(int threads) {
      this.threads = Checks.inRange("intraOpThreads", threads, 1, 256);
      return this;
    }

    /**
     * Builds the guard.
     *
     * @throws IllegalStateException if the tokenizer or the calibration texts were not given
     */
    public EmbeddingAccuracyGuard build() {
      if (tokenizer == null) {
        throw new IllegalStateException("tokenizer must be set");
      }
      if (texts == null) {
        throw new IllegalStateException("calibrationTexts must be set");
      }
      return new EmbeddingAccuracyGuard(this);
    }
  }
}
