package dev.optimizer.ai.inference.quantize.internal;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.optimizer.ai.inference.quantize.internal.onnx.Onnx.AttributeProto;
import dev.optimizer.ai.inference.quantize.internal.onnx.Onnx.GraphProto;
import dev.optimizer.ai.inference.quantize.internal.onnx.Onnx.ModelProto;
import dev.optimizer.ai.inference.quantize.internal.onnx.Onnx.NodeProto;
import dev.optimizer.ai.inference.quantize.internal.onnx.Onnx.OperatorSetIdProto;
import dev.optimizer.ai.inference.quantize.internal.onnx.Onnx.TensorProto;
import dev.optimizer.ai.inference.quantize.internal.onnx.Onnx.ValueInfoProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Rewrites an ONNX graph for dynamic int8 quantization, the way ONNX Runtime's Python quantizer
 * does for {@code quantize_dynamic}: every {@code MatMul} (and plain {@code Gemm}) whose second
 * input is a 2-D float initializer multiplies int8 weights by run-time-quantized uint8 activations.
 * By default each activation is quantized once by a {@code DynamicQuantizeLinear} shared by all the
 * MatMuls that read it (the query, key and value projections read the same one), each MatMul
 * becomes a {@code com.microsoft:MatMulIntegerToFloat}, and a bias {@code Add} that follows it is
 * folded in; otherwise each node becomes one {@code com.microsoft:DynamicQuantizeMatMul}.
 *
 * <p>Weights {@code W[K, N]} are quantized symmetrically per output column: {@code scale[n] = max_k
 * |W[k, n]| / 127}, {@code q = round(W / scale)} in {@code [-127, 127]}, zero point 0 (so no
 * zero-point tensor is written). At run time the operator quantizes the activations to uint8 with a
 * per-tensor scale and zero point computed from their min and max (what {@code
 * DynamicQuantizeLinear} does), multiplies in integers and rescales to float. Symmetric weights
 * keep the integer kernel free of a zero-point correction; 127 rather than 128 keeps the range
 * symmetric.
 *
 * <p>Before that, by default, residual {@code Add} + layer normalization pairs become {@code
 * com.microsoft:SkipLayerNormalization} ({@link LayerNormFusion}) and projections that read the
 * same activation are merged ({@link SiblingFusion}).
 *
 * <p>A node is left in float when its weight is also a graph input (its value may be replaced at
 * run time), is not 2-D, lives in external data, or has fewer elements than the configured minimum,
 * and a Gemm unless it is a plain {@code A·B (+ C)}. A float weight that other nodes still read is
 * kept beside its quantized copy; otherwise it is removed.
 */
public final class GraphQuantizer {

  static final String MS_DOMAIN = "com.microsoft";

  private final int minWeightElements;
  private final boolean reduceRange;
  private final Set<String> excludedNodes;
  private final boolean shareActivations;
  private final boolean fuseSiblings;
  private final boolean fuseNorms;
  private final boolean fuseAttention;

  /**
   * @param minWeightElements weights with fewer elements stay float
   * @param reduceRange quantize weights to 7 bits ({@code [-63, 63]}), for CPUs whose integer dot
   *     products saturate (x86 without VNNI)
   * @param excludedNodes node names left in float
   * @param shareActivations quantize each activation once ({@code DynamicQuantizeLinear}) for all
   *     the MatMuls that read it, and fold a following bias {@code Add} into {@code
   *     com.microsoft:MatMulIntegerToFloat}; otherwise one {@code DynamicQuantizeMatMul} per node
   * @param fuseSiblings merge projections that read the same activation first ({@link
   *     SiblingFusion})
   * @param fuseNorms rewrite residual Add + layer normalization into {@code SkipLayerNormalization}
   *     first ({@link LayerNormFusion})
   * @param fuseAttention rewrite self-attention blocks into {@code Attention} first ({@link
   *     AttentionFusion}), then quantize each into {@code QAttention}
   */
  public GraphQuantizer(
      int minWeightElements,
      boolean reduceRange,
      Set<String> excludedNodes,
      boolean shareActivations,
      boolean fuseSiblings,
      boolean fuseNorms,
      boolean fuseAttention) {
    this.fuseSiblings = fuseSiblings;
    this.fuseNorms = fuseNorms;
    this.fuseAttention = fuseAttention;
    this.minWeightElements = minWeightElements;
    this.reduceRange = reduceRange;
    this.excludedNodes = Set.copyOf(excludedNodes);
    this.shareActivations = shareActivations;
  }

  /** What a rewrite did. */
  public record Outcome(
      byte[] model,
      int quantizedNodes,
      int floatMatMulNodes,
      long weightBytesBefore,
      long weightBytesAfter,
      int fusedNorms) {}

  /**
   * Parses an ONNX model, rejecting bytes that are not one.
   *
   * @throws IllegalArgumentException if {@code bytes} is not a serialized ONNX ModelProto
   */
  public static ModelProto parse(byte[] bytes, String source) {
    ModelProto model;
    try {
      model = ModelProto.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw notOnnx(
          source, bytes.length, "it does not parse as an ONNX ModelProto: " + e.getMessage());
    }
    if (model.getIrVersion() <= 0
        || model.getOpsetImportCount() == 0
        || !model.hasGraph()
        || model.getGraph().getNodeCount() == 0) {
      throw notOnnx(
          source,
          bytes.length,
          "ir_version="
              + model.getIrVersion()
              + ", opset imports="
              + model.getOpsetImportCount()
              + ", graph nodes="
              + (model.hasGraph() ? model.getGraph().getNodeCount() : 0)
              + " (an ONNX model has ir_version >= 1, an opset import and a graph with nodes)");
    }
    return model;
  }

  /**
   * Refuses an excluded name that is no node of the model: a typo would otherwise leave the node
   * quantized with nothing said. Names the closest nodes (longest common prefix).
   */
  private void checkExcludedExist(Set<String> names) {
    List<String> unknown = new ArrayList<>();
    for (String e : excludedNodes) {
      if (!names.contains(e)) {
        unknown.add(e);
      }
    }
    if (unknown.isEmpty()) {
      return;
    }
    unknown.sort(null);
    String first = unknown.get(0);
    List<String> close =
        names.stream()
            .sorted(
                java.util.Comparator.comparingInt((String n) -> -commonPrefix(n, first))
                    .thenComparing(n -> n))
            .limit(3)
            .toList();
    throw new IllegalArgumentException(
        "excludeNode names no node of the model: "
            + unknown
            + " (of "
            + names.size()
            + " nodes; closest to '"
            + first
            + "': "
            + close
            + ")");
  }

  private static int commonPrefix(String a, String b) {
    int n = Math.min(a.length(), b.length());
    int i = 0;
    while (i < n && a.charAt(i) == b.charAt(i)) {
      i++;
    }
    return i;
  }

  private static IllegalArgumentException notOnnx(String source, int size, String why) {
    return new IllegalArgumentException(
        "'" + source + "' (" + size + " bytes) is not an ONNX model: " + why);
  }

  /** Quantizes a parsed model. */
  public Outcome quantize(ModelProto model) {
    int originalMatMuls = 0;
    Set<String> nodeNames = new HashSet<>();
    for (NodeProto n : model.getGraph().getNodeList()) {
      nodeNames.add(n.getName());
      if (isMatMulLike(n)) {
        originalMatMuls++;
      }
    }
    checkExcludedExist(nodeNames);
    int fusedNorms = 0;
    if (fuseNorms) {
      LayerNormFusion.Fused f = LayerNormFusion.fuse(model);
      model = f.model();
      fusedNorms = f.fused();
    }
    if (fuseAttention) {
      model = AttentionFusion.fuse(model, excludedNodes).model();
    }
    Map<String, Integer> merged = Map.of();
    if (fuseSiblings) {
      SiblingFusion.Fused f = SiblingFusion.fuse(model, excludedNodes);
      model = f.model();
      merged = f.merged();
    }
    GraphProto graph = model.getGraph();
    Map<String, TensorProto> initializers = new HashMap<>();
    for (TensorProto t : graph.getInitializerList()) {
      initializers.put(t.getName(), t);
    }
    Set<String> graphInputs = new HashSet<>();
    for (ValueInfoProto v : graph.getInputList()) {
      graphInputs.add(v.getName());
    }
    // Which nodes may be rewritten, then which weights lose every float reader.
    List<NodeProto> nodes = graph.getNodeList();
    boolean[] rewrite = new boolean[nodes.size()];
    for (int i = 0; i < nodes.size(); i++) {
      NodeProto n = nodes.get(i);
      if (!isMatMulLike(n) && !isAttention(n)) {
        continue;
      }
      String w = n.getInput(1);
      TensorProto t = initializers.get(w);
      rewrite[i] =
          !excludedNodes.contains(n.getName())
              && t != null
              && !graphInputs.contains(w)
              && t.getDataType() == TensorProto.DataType.FLOAT_VALUE
              && t.getDimsCount() == 2
              && t.getExternalDataCount() == 0
              && t.getDims(0) * t.getDims(1) >= minWeightElements
              && gemmIsPlain(n, initializers);
    }
    Map<String, Integer> floatReaders = new HashMap<>();
    for (int i = 0; i < nodes.size(); i++) {
      NodeProto n = nodes.get(i);
      for (int k = 0; k < n.getInputCount(); k++) {
        if (rewrite[i] && k == 1) {
          continue;
        }
        floatReaders.merge(n.getInput(k), 1, Integer::sum);
      }
    }
    for (ValueInfoProto v : graph.getOutputList()) {
      floatReaders.merge(v.getName(), 1, Integer::sum);
    }

    // A MatMul whose only reader is "Add(y, bias)" with a 1-D float initializer bias takes the
    // bias into MatMulIntegerToFloat; the Add disappears.
    Map<String, Integer> readers = new HashMap<>();
    Map<String, Integer> readerIndex = new HashMap<>();
    for (int i = 0; i < nodes.size(); i++) {
      for (String in : nodes.get(i).getInputList()) {
        readers.merge(in, 1, Integer::sum);
        readerIndex.put(in, i);
      }
    }
    Set<String> graphOutputs = new HashSet<>();
    for (ValueInfoProto v : graph.getOutputList()) {
      graphOutputs.add(v.getName());
    }
    String[] biasOf = new String[nodes.size()];
    boolean[] folded = new boolean[nodes.size()];
    Set<String> foldedOutputs = new HashSet<>();
    if (shareActivations) {
      for (int i = 0; i < nodes.size(); i++) {
        NodeProto n = nodes.get(i);
        if (!rewrite[i] || !n.getOpType().equals("MatMul")) {
          continue;
        }
        String y = n.getOutput(0);
        Integer j = readerIndex.get(y);
        if (j == null || readers.get(y) != 1 || graphOutputs.contains(y)) {
          continue;
        }
        NodeProto add = nodes.get(j);
        if (!add.getOpType().equals("Add")
            || !add.getDomain().isEmpty()
            || add.getInputCount() != 2) {
          continue;
        }
        String other = add.getInput(0).equals(y) ? add.getInput(1) : add.getInput(0);
        TensorProto b = initializers.get(other);
        TensorProto w = initializers.get(n.getInput(1));
        if (b != null
            && !graphInputs.contains(other)
            && b.getDataType() == TensorProto.DataType.FLOAT_VALUE
            && b.getDimsCount() == 1
            && b.getDims(0) == w.getDims(1)) {
          biasOf[i] = other;
          folded[j] = true;
          foldedOutputs.add(y);
        }
      }
    }

    GraphProto.Builder out = graph.toBuilder().clearNode();
    Map<String, String[]> quantizedActivations = new HashMap<>();
    Map<String, String[]> quantizedWeights = new HashMap<>();
    List<TensorProto> added = new ArrayList<>();
    Set<String> dropped = new HashSet<>();
    int quantized = 0;
    long before = 0;
    long after = 0;
    for (int i = 0; i < nodes.size(); i++) {
      NodeProto n = nodes.get(i);
      if (folded[i]) {
        continue;
      }
      if (!rewrite[i]) {
        out.addNode(n);
        continue;
      }
      String w = n.getInput(1);
      boolean transB = n.getOpType().equals("Gemm") && intAttr(n, "transB", 0) == 1;
      String key = w + (transB ? "#T" : "");
      String[] names = quantizedWeights.get(key);
      if (names == null) {
        TensorProto t = initializers.get(w);
        names =
            new String[] {
              w + "_quantized" + (transB ? "_t" : ""), w + "_scale" + (transB ? "_t" : "")
            };
        added.addAll(quantizeWeight(t, transB, names[0], names[1]));
        quantizedWeights.put(key, names);
        before += 4L * t.getDims(0) * t.getDims(1);
        after += t.getDims(0) * t.getDims(1) + 4L * (transB ? t.getDims(0) : t.getDims(1));
        if (!floatReaders.containsKey(w)) {
          dropped.add(w);
        }
      }
      if (isAttention(n)) {
        String[] a = activation(n.getInput(0), quantizedActivations, out);
        NodeProto.Builder qa =
            NodeProto.newBuilder()
                .setName(n.getName() + "_quant")
                .setOpType("QAttention")
                .setDomain(MS_DOMAIN)
                .addInput(a[0])
                .addInput(names[0])
                .addInput(n.getInput(2))
                .addInput(a[1])
                .addInput(names[1])
                .addInput(n.getInputCount() > 3 ? n.getInput(3) : "")
                .addInput(a[2])
                .addAllAttribute(n.getAttributeList())
                .addOutput(n.getOutput(0));
        out.addNode(qa);
        quantized += 3;
        continue;
      }
      if (shareActivations) {
        String x = n.getInput(0);
        String[] a = quantizedActivations.get(x);
        if (a == null) {
          a = new String[] {x + "_quantized", x + "_scale", x + "_zero_point"};
          out.addNode(
              NodeProto.newBuilder()
                  .setName(x + "_DynamicQuantizeLinear")
                  .setOpType("DynamicQuantizeLinear")
                  .addInput(x)
                  .addOutput(a[0])
                  .addOutput(a[1])
                  .addOutput(a[2]));
          quantizedActivations.put(x, a);
        }
        String bias =
            biasOf[i] != null
                ? biasOf[i]
                : n.getOpType().equals("Gemm") && n.getInputCount() > 2 ? n.getInput(2) : "";
        String output =
            biasOf[i] != null
                ? nodes.get(readerIndex.get(n.getOutput(0))).getOutput(0)
                : n.getOutput(0);
        NodeProto.Builder mm =
            NodeProto.newBuilder()
                .setName(n.getName().isEmpty() ? "quant_" + i : n.getName() + "_quant")
                .setOpType("MatMulIntegerToFloat")
                .setDomain(MS_DOMAIN)
                .addInput(a[0])
                .addInput(names[0])
                .addInput(a[1])
                .addInput(names[1])
                .addInput(a[2])
                .addInput("");
        if (!bias.isEmpty()) {
          mm.addInput(bias);
        }
        out.addNode(mm.addOutput(output));
        quantized += merged.getOrDefault(n.getName(), 1);
        continue;
      }
      NodeProto.Builder q =
          NodeProto.newBuilder()
              .setName(n.getName().isEmpty() ? "quant_" + i : n.getName() + "_quant")
              .setOpType("DynamicQuantizeMatMul")
              .setDomain(MS_DOMAIN)
              .addInput(n.getInput(0))
              .addInput(names[0])
              .addInput(names[1]);
      if (n.getOpType().equals("Gemm") && n.getInputCount() > 2 && !n.getInput(2).isEmpty()) {
        q.addInput("").addInput(n.getInput(2));
      }
      q.addOutput(n.getOutput(0));
      out.addNode(q);
      quantized += merged.getOrDefault(n.getName(), 1);
    }
    out.clearInitializer();
    for (TensorProto t : graph.getInitializerList()) {
      if (!dropped.contains(t.getName())) {
        out.addInitializer(t);
      }
    }
    out.addAllInitializer(added);
    // Shapes recorded for dropped weights would describe values that no longer exist.
    List<ValueInfoProto> infos = new ArrayList<>(out.getValueInfoList());
    out.clearValueInfo();
    for (ValueInfoProto v : infos) {
      if (!dropped.contains(v.getName()) && !foldedOutputs.contains(v.getName())) {
        out.addValueInfo(v);
      }
    }

    ModelProto.Builder m = model.toBuilder().setGraph(out);
    if (quantized > 0
        && m.getOpsetImportList().stream().noneMatch(o -> o.getDomain().equals(MS_DOMAIN))) {
      m.addOpsetImport(OperatorSetIdProto.newBuilder().setDomain(MS_DOMAIN).setVersion(1));
    }
    return new Outcome(
        m.build().toByteArray(), quantized, originalMatMuls, before, after, fusedNorms);
  }

  /**
   * An {@code Attention} from {@link AttentionFusion}: input, packed weight, bias and mask, with
   * the default scale (QAttention has no scale setting).
   */
  private static boolean isAttention(NodeProto n) {
    return n.getDomain().equals(MS_DOMAIN)
        && n.getOpType().equals("Attention")
        && (n.getInputCount() == 3 || n.getInputCount() == 4)
        && !n.getInput(2).isEmpty()
        && n.getAttributeList().stream()
            .allMatch(a -> a.getName().equals("num_heads") || a.getName().equals("unidirectional"));
  }

  /** The uint8 quantization of activation {@code x}: one DynamicQuantizeLinear per activation. */
  private static String[] activation(
      String x, Map<String, String[]> quantizedActivations, GraphProto.Builder out) {
    String[] a = quantizedActivations.get(x);
    if (a == null) {
      a = new String[] {x + "_quantized", x + "_scale", x + "_zero_point"};
      out.addNode(
          NodeProto.newBuilder()
              .setName(x + "_DynamicQuantizeLinear")
              .setOpType("DynamicQuantizeLinear")
              .addInput(x)
              .addOutput(a[0])
              .addOutput(a[1])
              .addOutput(a[2]));
      quantizedActivations.put(x, a);
    }
    return a;
  }

  private static boolean isMatMulLike(NodeProto n) {
    return n.getDomain().isEmpty()
        && (n.getOpType().equals("MatMul") || n.getOpType().equals("Gemm"))
        && n.getInputCount() >= 2;
  }

  /** A Gemm is rewritten only when it is a plain {@code A·B (+ C)} with a 1-D bias. */
  private static boolean gemmIsPlain(NodeProto n, Map<String, TensorProto> initializers) {
    if (!n.getOpType().equals("Gemm")) {
      return true;
    }
    if (intAttr(n, "transA", 0) != 0
        || floatAttr(n, "alpha", 1f) != 1f
        || (n.getInputCount() > 2 && !n.getInput(2).isEmpty() && floatAttr(n, "beta", 1f) != 1f)) {
      return false;
    }
    if (n.getInputCount() > 2 && !n.getInput(2).isEmpty()) {
      TensorProto c = initializers.get(n.getInput(2));
      return c != null && c.getDimsCount() == 1;
    }
    return true;
  }

  private static long intAttr(NodeProto n, String name, long dflt) {
    for (AttributeProto a : n.getAttributeList()) {
      if (a.getName().equals(name)) {
        return a.getI();
      }
    }
    return dflt;
  }

  private static float floatAttr(NodeProto n, String name, float dflt) {
    for (AttributeProto a : n.getAttributeList()) {
      if (a.getName().equals(name)) {
        return a.getF();
      }
    }
    return dflt;
  }

  private List<TensorProto> quantizeWeight(
      TensorProto t, boolean transposed, String qName, String sName) {
    float[] w = GraphIndex.floats(t);
    int rows = (int) t.getDims(0);
    int cols = (int) t.getDims(1);
    // Logical weight is [K, N]; a transposed Gemm weight is stored as [N, K].
    int k = transposed ? cols : rows;
    int n = transposed ? rows : cols;
    float qmax = reduceRange ? 63f : 127f;
    float[] scale = new float[n];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        int col = transposed ? r : c;
        scale[col] = Math.max(scale[col], Math.abs(w[r * cols + c]));
      }
    }
    for (int j = 0; j < n; j++) {
      scale[j] = scale[j] == 0f ? 1f : scale[j] / qmax;
    }
    byte[] q = new byte[k * n];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        int kk = transposed ? c : r;
        int nn = transposed ? r : c;
        float v = Math.round(w[r * cols + c] / scale[nn]);
        q[kk * n + nn] = (byte) Math.max(-qmax, Math.min(qmax, v));
      }
    }
    ByteBuffer sb = ByteBuffer.allocate(4 * n).order(ByteOrder.LITTLE_ENDIAN);
    for (float s : scale) {
      sb.putFloat(s);
    }
    return List.of(
        TensorProto.newBuilder()
            .setName(qName)
            .setDataType(TensorProto.DataType.INT8_VALUE)
            .addDims(k)
            .addDims(n)
            .setRawData(ByteString.copyFrom(q))
            .build(),
        TensorProto.newBuilder()
            .setName(sName)
            .setDataType(TensorProto.DataType.FLOAT_VALUE)
            .addDims(n)
            .setRawData(ByteString.copyFrom(sb.array()))
            .build());
  }
}
