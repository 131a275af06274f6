package dev.optimizer.ai.inference.onnx;

import dev.optimizer.api.internal.Checks;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Settings of an {@link OnnxTextEmbedder}, each checked when given; a setting may be given once.
 *
 * <table>
 *   <caption>Settings</caption>
 *   <tr><th>setting</th><th>default</th><th>range</th></tr>
 *   <tr><td>model</td><td>required</td><td>an ONNX file (path, bytes or class-path resource)</td></tr>
 *   <tr><td>tokenizer</td><td>required</td><td>a Hugging Face tokenizer.json</td></tr>
 *   <tr><td>modelName</td><td>the file name</td><td>for errors and telemetry</td></tr>
 *   <tr><td>pooling</td><td>MEAN</td><td>MEAN, CLS</td></tr>
 *   <tr><td>normalize</td><td>true</td><td>unit-length vectors</td></tr>
 *   <tr><td>maxTokens</td><td>512</td><td>[2, 65536], special tokens included</td></tr>
 *   <tr><td>truncation</td><td>REJECT</td><td>REJECT, TRUNCATE</td></tr>
 *   <tr><td>intraOpThreads</td><td>available processors</td><td>[1, 256]; given, it pins the
 *       knob (see below)</td></tr>
 *   <tr><td>intraOpThreadsTuning</td><td>true</td><td>false: the thread count is fixed and no
 *       knob is offered</td></tr>
 *   <tr><td>maxForwardBatch</td><td>16</td><td>[1, 4096] inputs per forward pass</td></tr>
 *   <tr><td>paddingTolerance</td><td>0.25</td><td>[0, 100]: padding tokens per real token</td></tr>
 * </table>
 *
 * <p>The intra-op thread count is the one setting that may change at run time: batched by an {@link
 * dev.optimizer.ai.inference.InferenceBatcher}, it becomes the knob {@code
 * optimizer.ai.NAME.intra_op_threads} (see {@link OnnxTextEmbedder#intraOpThreadsKnob}). A count
 * given here is the user's: the knob starts pinned at it. To rebuild sessions the embedder keeps
 * where the model came from: a file or resource is read again (and checked to be the same), a model
 * given as bytes stays on the heap; {@code intraOpThreadsTuning(false)} keeps nothing.
 */
public final class OnnxTextEmbedderBuilder {

  byte[] modelBytes;
  byte[] tokenizerBytes;
  String modelName;
  Pooling pooling;
  Boolean normalize;
  Integer maxTokens;
  Truncation truncation;
  Integer intraOpThreads;
  boolean intraOpThreadsGiven;
  Boolean intraOpThreadsTuning;
  // Where the model bytes came from, to read them again for a new session.
  Path modelFile;
  Class<?> modelAnchor;
  String modelResource;
  Integer maxForwardBatch;
  Double paddingTolerance;

  OnnxTextEmbedderBuilder() {}

  /** Reads the ONNX model from a file. */
  public OnnxTextEmbedderBuilder model(Path onnxFile) {
    Checks.notSetBefore("model", modelBytes != null);
    Checks.notNull("model", onnxFile);
    this.modelBytes = read("model", onnxFile);
    this.modelFile = onnxFile;
    if (modelName == null) {
      modelName = onnxFile.getFileName().toString();
    }
    return this;
  }

  /** Uses the ONNX model held in {@code bytes}. */
  public OnnxTextEmbedderBuilder model(byte[] bytes) {
    Checks.notSetBefore("model", modelBytes != null);
    this.modelBytes = Checks.notNull("model", bytes).clone();
    return this;
  }

  /**
   * Reads the ONNX model and the tokenizer from class-path resources, e.g. the ones LangChain4j's
   * in-process model jars hold at their root ({@code /all-minilm-l6-v2.onnx}).
   *
   * @throws IllegalArgumentException if a resource is missing
   */
  public OnnxTextEmbedderBuilder resources(Class<?> anchor, String onnx, String tokenizerJson) {
    Checks.notSetBefore("model", modelBytes != null);
    Checks.notSetBefore("tokenizer", tokenizerBytes != null);
    Checks.notNull("anchor", anchor);
    this.modelBytes = resource(anchor, Checks.notBlank("onnx", onnx));
    this.modelAnchor = anchor;
    this.modelResource = onnx.startsWith("/") ? onnx : "/" + onnx;
    this.tokenizerBytes = resource(anchor, Checks.notBlank("tokenizerJson", tokenizerJson));
    if (modelName == null) {
      modelName = onnx.substring(onnx.lastIndexOf('/') + 1).replace(".onnx", "");
    }
    return this;
  }

  /** Reads the Hugging Face {@code tokenizer.json}. */
  public OnnxTextEmbedderBuilder tokenizer(Path tokenizerJson) {
    Checks.notSetBefore("tokenizer", tokenizerBytes != null);
    this.tokenizerBytes = read("tokenizer", Checks.notNull("tokenizer", tokenizerJson));
    return this;
  }

  /** Uses the Hugging Face {@code tokenizer.json} held in {@code bytes}. */
  public OnnxTextEmbedderBuilder tokenizer(byte[] tokenizerJson) {
    Checks.notSetBefore("tokenizer", tokenizerBytes != null);
    this.tokenizerBytes = Checks.notNull("tokenizer", tokenizerJson).clone();
    return this;
  }

  /** Names the model in errors and telemetry. */
  public OnnxTextEmbedderBuilder modelName(String modelName) {
    this.modelName = Checks.notBlank("modelName", modelName);
    return this;
  }

  /** Sets the pooling; default {@link Pooling#MEAN}. */
  public OnnxTextEmbedderBuilder pooling(Pooling pooling) {
    Checks.notSetBefore("pooling", this.pooling != null);
    this.pooling = Checks.notNull("pooling", pooling);
    return this;
  }

  /** Whether vectors are scaled to unit length; default true. */
  public OnnxTextEmbedderBuilder normalize(boolean normalize) {
    Checks.notSetBefore("normalize", this.normalize != null);
    this.normalize = normalize;
    return this;
  }

  /** Sets the most tokens an input may have, special tokens included, in {@code [2, 65536]}. */
  public OnnxTextEmbedderBuilder maxTokens(int maxTokens) {
    Checks.notSetBefore("maxTokens", this.maxTokens != null);
    this.maxTokens = Checks.inRange("maxTokens", maxTokens, 2, 65_536);
    return this;
  }

  /** Sets what happens to longer inputs; default {@link Truncation#REJECT}. */
  public OnnxTextEmbedderBuilder truncation(Truncation truncation) {
    Checks.notSetBefore("truncation", this.truncation != null);
    this.truncation = Checks.notNull("truncation", truncation);
    return this;
  }

  /**
   * Sets ONNX Runtime's intra-op threads, in {@code [1, 256]}; default: available processors. A
   * count given here is respected: the {@link OnnxTextEmbedder#intraOpThreadsKnob knob} starts
   * pinned at it (the tuning engine leaves it until someone unpins it).
   */
  public OnnxTextEmbedderBuilder intraOpThreads(int threads) {
    Checks.notSetBefore("intraOpThreads", this.intraOpThreads != null);
    this.intraOpThreads = Checks.inRange("intraOpThreads", threads, 1, 256);
    this.intraOpThreadsGiven = true;
    return this;
  }

  /**
   * Whether the intra-op thread count may change at run time ({@link
   * OnnxTextEmbedder#setIntraOpThreads}, the {@link OnnxTextEmbedder#intraOpThreadsKnob knob});
   * default true. False fixes it and keeps nothing to rebuild the session from (a model given as
   * bytes is otherwise kept on the heap).
   */
  public OnnxTextEmbedderBuilder intraOpThreadsTuning(boolean tuning) {
    Checks.notSetBefore("intraOpThreadsTuning", this.intraOpThreadsTuning != null);
    this.intraOpThreadsTuning = tuning;
    return this;
  }

  /** Sets the most inputs in one forward pass, in {@code [1, 4096]}; default 16. */
  public OnnxTextEmbedderBuilder maxForwardBatch(int maxForwardBatch) {
    Checks.notSetBefore("maxForwardBatch", this.maxForwardBatch != null);
    this.maxForwardBatch = Checks.inRange("maxForwardBatch", maxForwardBatch, 1, 4096);
    return this;
  }

  /**
   * Sets how much padding a forward pass may carry, as padding tokens per real token, in {@code [0,
   * 100]}; default 0.25. Larger values make fewer, larger forward passes.
   */
  public OnnxTextEmbedderBuilder paddingTolerance(double paddingTolerance) {
    Checks.notSetBefore("paddingTolerance", this.paddingTolerance != null);
    this.paddingTolerance = Checks.inRange("paddingTolerance", paddingTolerance, 0.0, 100.0);
    return this;
  }

  /**
   * Loads the model and the tokenizer.
   *
   * @throws IllegalStateException if the model or the tokenizer was not given
   * @throws IllegalArgumentException if the model is not ONNX or not a text encoder
   */
  public OnnxTextEmbedder build() {
    if (modelBytes == null) {
      throw new IllegalStateException("model must be set");
    }
    if (tokenizerBytes == null) {
      throw new IllegalStateException("tokenizer must be set");
    }
    modelName = modelName == null ? "onnx-model" : modelName;
    pooling = pooling == null ? Pooling.MEAN : pooling;
    normalize = normalize == null || normalize;
    maxTokens = maxTokens == null ? 512 : maxTokens;
    truncation = truncation == null ? Truncation.REJECT : truncation;
    intraOpThreads =
        intraOpThreads == null ? Runtime.getRuntime().availableProcessors() : intraOpThreads;
    intraOpThreadsTuning = intraOpThreadsTuning == null || intraOpThreadsTuning;
    maxForwardBatch = maxForwardBatch == null ? 16 : maxForwardBatch;
    paddingTolerance = paddingTolerance == null ? 0.25 : paddingTolerance;
    return new OnnxTextEmbedder(this);
  }

  private static byte[] read(String setting, Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UncheckedIOException(setting + " file " + file + " cannot be read", e);
    }
  }

  private static byte[] resource(Class<?> anchor, String name) {
    String path = name.startsWith("/") ? name : "/" + name;
    try (InputStream in = anchor.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalArgumentException(
            "class-path resource " + path + " not found next to " + anchor.getName());
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("class-path resource " + path + " cannot be read", e);
    }
  }
}
