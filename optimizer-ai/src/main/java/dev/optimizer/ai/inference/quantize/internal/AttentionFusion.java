package dev.optimizer.ai.inference.quantize.internal;

import com.google.protobuf.ByteString;
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
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Rewrites a BERT self-attention block, as exported by PyTorch, into one ONNX Runtime {@code
 * com.microsoft:Attention}: the query, key and value projections (their weights concatenated into
 * one {@code [hidden, 3·hidden]} matrix), the split into heads, {@code softmax(Q·Kᵀ/√d + mask)·V}
 * and the merge of the heads. The arithmetic is the same; the operator writes its result in the
 * layout the next layer reads, so the four {@code Transpose}s and the {@code Reshape}s of each
 * layer are gone, and the mask becomes the raw 0/1 attention mask (padded keys get ONNX Runtime's
 * mask filter value, -10000, in place of the exporter's large negative number: both give them a
 * weight of zero after the softmax).
 *
 * <p>Why: ONNX Runtime's own attention fusion does not recognise exports whose head shapes are
 * computed at run time ({@code Shape → Gather → Concat → Reshape}), so it leaves a dozen nodes per
 * layer. The rewrite speeds up the float model as well; {@link GraphQuantizer} then turns each
 * {@code Attention} into {@code DynamicQuantizeLinear} + {@code com.microsoft:QAttention}, as ONNX
 * Runtime's Python quantizer does.
 *
 * <p>Matched (everything else is left alone): {@code q, k, v = Add(MatMul(x, W), b)} on one input
 * {@code x}, {@code Reshape} to {@code [B, S, heads, size]} with constant heads and size, {@code
 * Transpose}s {@code (0,2,1,3)} for q and v and {@code (0,2,3,1)} for k, {@code MatMul}, a {@code
 * Div} by a constant, an {@code Add} of a mask computed as {@code (1 −
 * Cast(Unsqueeze(Unsqueeze(m)))) · c} from a rank-2 graph input {@code m}, {@code Softmax} over the
 * last axis, {@code MatMul} with v, {@code Transpose (0,2,1,3)} and {@code Reshape}. When a
 * rewritten graph would read a value that no longer exists, nothing is rewritten.
 */
public final class AttentionFusion {

  private AttentionFusion() {}

  /** The rewritten model and how many attention blocks became {@code Attention}. */
  public record Fused(ModelProto model, int fused) {}

  private record Projection(int matMul, int add, String weight, String bias) {}

  /** Fuses what it can; returns the model unchanged (and 0) when nothing matches. */
  public static Fused fuse(ModelProto model) {
    return fuse(model, Set.of());
  }

  /**
   * Like {@link #fuse(ModelProto)}, leaving alone every block that holds a node named in {@code
   * keep} (a node the user excluded from quantization must stay as it is, not be taken into an
   * {@code Attention} node that is then quantized).
   */
  public static Fused fuse(ModelProto model, Set<String> keep) {
    GraphIndex g = new GraphIndex(model.getGraph());
    Set<Integer> removed = new HashSet<>();
    List<NodeProto> added = new ArrayList<>();
    List<TensorProto> addedInitializers = new ArrayList<>();
    Set<String> maskCasts = new HashSet<>();
    int fused = 0;
    for (int i = 0; i < g.nodes.size(); i++) {
      NodeProto sm = g.nodes.get(i);
      if (!g.isOp(sm, "Softmax")
          || g.intAttr(sm, "axis", 1) != -1 && g.intAttr(sm, "axis", 1) != 3) {
        continue;
      }
      Block b = match(g, i);
      if (b == null || b.nodes.stream().anyMatch(n -> keep.contains(g.nodes.get(n).getName()))) {
        continue;
      }
      String mask32 = b.mask + "_int32";
      if (maskCasts.add(mask32)) {
        added.add(
            NodeProto.newBuilder()
                .setName(mask32 + "_Cast")
                .setOpType("Cast")
                .addInput(b.mask)
                .addOutput(mask32)
                .addAttribute(
                    AttributeProto.newBuilder()
                        .setName("to")
                        .setType(AttributeProto.AttributeType.INT)
                        .setI(TensorProto.DataType.INT32_VALUE))
                .build());
      }
      String prefix = b.output + "_attention";
      addedInitializers.add(concat(g, b, true, prefix + "_qkv_weight"));
      addedInitializers.add(concat(g, b, false, prefix + "_qkv_bias"));
      added.add(
          NodeProto.newBuilder()
              .setName(prefix)
              .setOpType("Attention")
              .setDomain(GraphQuantizer.MS_DOMAIN)
              .addInput(b.x)
              .addInput(prefix + "_qkv_weight")
              .addInput(prefix + "_qkv_bias")
              .addInput(mask32)
              .addOutput(b.output)
              .addAttribute(
                  AttributeProto.newBuilder()
                      .setName("num_heads")
                      .setType(AttributeProto.AttributeType.INT)
                      .setI(b.heads))
              .build());
      if (b.scale != 0) {
        NodeProto a = added.remove(added.size() - 1);
        added.add(
            a.toBuilder()
                .addAttribute(
                    AttributeProto.newBuilder()
                        .setName("scale")
                        .setType(AttributeProto.AttributeType.FLOAT)
                        .setF(b.scale))
                .build());
      }
      removed.addAll(b.nodes);
      fused++;
    }
    if (fused == 0) {
      return new Fused(model, 0);
    }
    ModelProto out = rebuild(model, g, removed, added, addedInitializers);
    return out == null ? new Fused(model, 0) : new Fused(out, fused);
  }

  private static final class Block {
    String x;
    Projection q;
    Projection k;
    Projection v;
    int heads;
    float scale;
    String mask;
    String output;
    final List<Integer> nodes = new ArrayList<>();
  }

  private static Block match(GraphIndex g, int softmax) {
    Block b = new Block();
    NodeProto sm = g.nodes.get(softmax);
    NodeProto addMask = g.producerOf(sm.getInput(0));
    if (addMask == null || !g.isOp(addMask, "Add") || g.readersOf(sm.getInput(0)).size() != 1) {
      return null;
    }
    // Scores = Div(MatMul(qh, kh), c); the other operand of the Add is the mask.
    NodeProto div = null;
    String mask = null;
    for (int k = 0; k < 2; k++) {
      NodeProto p = g.producerOf(addMask.getInput(k));
      if (p != null && g.isOp(p, "Div")) {
        div = p;
        mask = addMask.getInput(1 - k);
      }
    }
    if (div == null || g.readersOf(div.getOutput(0)).size() != 1) {
      return null;
    }
    float c = g.scalar(div.getInput(1));
    NodeProto qk = g.producerOf(div.getInput(0));
    if (!(c > 0)
        || qk == null
        || !g.isOp(qk, "MatMul")
        || g.readersOf(qk.getOutput(0)).size() != 1) {
      return null;
    }
    b.scale = 1f / c;
    b.mask = maskInput(g, mask);
    if (b.mask == null) {
      return null;
    }
    int ctxIndex = g.onlyReader(sm.getOutput(0), "MatMul");
    if (ctxIndex < 0) {
      return null;
    }
    NodeProto ctx = g.nodes.get(ctxIndex);
    if (!ctx.getInput(0).equals(sm.getOutput(0))) {
      return null;
    }
    int merge = g.onlyReader(ctx.getOutput(0), "Transpose");
    if (merge < 0 || !g.perm(g.nodes.get(merge), 0, 2, 1, 3)) {
      return null;
    }
    int flat = readerBesideShapes(g, g.nodes.get(merge).getOutput(0), "Reshape");
    if (flat < 0) {
      return null;
    }
    b.output = g.nodes.get(flat).getOutput(0);
    int[] qHead = head(g, qk.getInput(0), 0, 2, 1, 3);
    int[] kHead = head(g, qk.getInput(1), 0, 2, 3, 1);
    int[] vHead = head(g, ctx.getInput(1), 0, 2, 1, 3);
    if (qHead == null || kHead == null || vHead == null) {
      return null;
    }
    b.q = projection(g, g.nodes.get(qHead[0]).getInput(0));
    b.k = projection(g, g.nodes.get(kHead[0]).getInput(0));
    b.v = projection(g, g.nodes.get(vHead[0]).getInput(0));
    if (b.q == null || b.k == null || b.v == null) {
      return null;
    }
    b.x = g.nodes.get(b.q.matMul()).getInput(0);
    if (!b.x.equals(g.nodes.get(b.k.matMul()).getInput(0))
        || !b.x.equals(g.nodes.get(b.v.matMul()).getInput(0))) {
      return null;
    }
    long hidden = g.initializers.get(b.q.weight()).getDims(1);
    for (Projection p : List.of(b.k, b.v)) {
      TensorProto w = g.initializers.get(p.weight());
      if (w.getDims(1) != hidden || w.getDims(0) != g.initializers.get(b.q.weight()).getDims(0)) {
        return null;
      }
    }
    if (qHead[1] <= 0 || qHead[1] != kHead[1] || qHead[1] != vHead[1]) {
      return null;
    }
    if (hidden % qHead[1] != 0) {
      return null;
    }
    b.heads = qHead[1];
    // 0 = ONNX Runtime's default, 1/sqrt(head size): written only when the model divides by
    // something else (QAttention takes no scale).
    double size = (double) hidden / b.heads;
    if (Math.abs(c - Math.sqrt(size)) <= 1e-5 * Math.sqrt(size)) {
      b.scale = 0;
    }
    int division = g.producer.get(div.getOutput(0));
    b.nodes.addAll(
        List.of(
            softmax,
            g.producer.get(addMask.getOutput(0)),
            division,
            g.producer.get(qk.getOutput(0)),
            ctxIndex,
            merge,
            flat,
            qHead[0],
            qHead[2],
            kHead[0],
            kHead[2],
            vHead[0],
            vHead[2]));
    for (Projection p : List.of(b.q, b.k, b.v)) {
      b.nodes.add(p.matMul());
      b.nodes.add(p.add());
    }
    return b;
  }

  /**
   * The one node of type {@code op} reading {@code name} when every other reader is a {@code Shape}
   * (the exporter computes the next shape at run time; it dies with the rewrite); or -1.
   */
  private static int readerBesideShapes(GraphIndex g, String name, String op) {
    int found = -1;
    for (int r : g.readersOf(name)) {
      NodeProto n = g.nodes.get(r);
      if (g.isOp(n, op) && found < 0) {
        found = r;
      } else if (!g.isOp(n, "Shape")) {
        return -1;
      }
    }
    return g.outputs.contains(name) ? -1 : found;
  }

  /**
   * {@code Transpose(Reshape(t, [B, S, heads, size]), perm)} read only by the attention: returns
   * {reshape node, heads, transpose node}, or null.
   */
  private static int[] head(GraphIndex g, String name, int... perm) {
    NodeProto t = g.producerOf(name);
    if (t == null || !g.isOp(t, "Transpose") || !g.perm(t, perm) || g.readersOf(name).size() != 1) {
      return null;
    }
    NodeProto r = g.producerOf(t.getInput(0));
    if (r == null || !g.isOp(r, "Reshape") || g.readersOf(t.getInput(0)).size() != 1) {
      return null;
    }
    long[] shape = g.concatShape(r.getInput(1));
    if (shape == null || shape.length != 4 || shape[2] <= 0 || shape[3] <= 0) {
      return null;
    }
    return new int[] {g.producer.get(r.getOutput(0)), (int) shape[2], g.producer.get(name)};
  }

  /** {@code name = Add(MatMul(x, W), b)} with a 2-D weight and a matching 1-D bias; or null. */
  private static Projection projection(GraphIndex g, String name) {
    NodeProto add = g.producerOf(name);
    if (add == null || !g.isOp(add, "Add") || add.getInputCount() != 2) {
      return null;
    }
    for (int k = 0; k < 2; k++) {
      NodeProto mm = g.producerOf(add.getInput(k));
      String bias = add.getInput(1 - k);
      if (mm == null
          || !g.isOp(mm, "MatMul")
          || mm.getInputCount() != 2
          || g.readersOf(add.getInput(k)).size() != 1
          || !g.isVector(bias)) {
        continue;
      }
      TensorProto w = g.initializers.get(mm.getInput(1));
      if (w == null
          || g.inputRank.containsKey(mm.getInput(1))
          || w.getDataType() != TensorProto.DataType.FLOAT_VALUE
          || w.getDimsCount() != 2
          || w.getExternalDataCount() != 0
          || g.initializers.get(bias).getDims(0) != w.getDims(1)) {
        continue;
      }
      // The projection's output may also feed Shape nodes (the exporter computes head shapes at
      // run time); they die with the Reshape.
      for (int r : g.readersOf(name)) {
        NodeProto reader = g.nodes.get(r);
        if (!g.isOp(reader, "Reshape") && !g.isOp(reader, "Shape")) {
          return null;
        }
      }
      return new Projection(
          g.producer.get(mm.getOutput(0)), g.producer.get(name), mm.getInput(1), bias);
    }
    return null;
  }

  /**
   * The rank-2 graph input {@code m} behind an extended mask {@code (1 − Cast(Unsqueeze(Unsqueeze(
   * m)))) · c} with {@code c} ≤ −10000; or null.
   */
  private static String maskInput(GraphIndex g, String mask) {
    NodeProto mul = g.producerOf(mask);
    if (mul == null || !g.isOp(mul, "Mul")) {
      return null;
    }
    NodeProto sub = null;
    float c = Float.NaN;
    for (int k = 0; k < 2; k++) {
      NodeProto p = g.producerOf(mul.getInput(k));
      if (p != null && g.isOp(p, "Sub")) {
        sub = p;
        c = g.scalar(mul.getInput(1 - k));
      }
    }
    if (sub == null || !(c <= -10000f) || g.scalar(sub.getInput(0)) != 1f) {
      return null;
    }
    NodeProto cast = g.producerOf(sub.getInput(1));
    if (cast == null || !g.isOp(cast, "Cast") || g.intAttr(cast, "to", 0) != 1) {
      return null;
    }
    NodeProto u2 = g.producerOf(cast.getInput(0));
    if (u2 == null || !g.isOp(u2, "Unsqueeze") || !g.axes(u2, 2)) {
      return null;
    }
    NodeProto u1 = g.producerOf(u2.getInput(0));
    if (u1 == null || !g.isOp(u1, "Unsqueeze") || !g.axes(u1, 1)) {
      return null;
    }
    String m = u1.getInput(0);
    return g.inputRank.getOrDefault(m, -1) == 2 ? m : null;
  }

  /** The q, k and v weights side by side ({@code [in, 3·hidden]}), or their biases end to end. */
  private static TensorProto concat(GraphIndex g, Block b, boolean weights, String name) {
    List<Projection> ps = List.of(b.q, b.k, b.v);
    List<float[]> parts = new ArrayList<>();
    int[] cols = new int[3];
    for (int p = 0; p < 3; p++) {
      TensorProto t = g.initializers.get(weights ? ps.get(p).weight() : ps.get(p).bias());
      cols[p] = (int) t.getDims(t.getDimsCount() - 1);
      parts.add(GraphIndex.floats(t));
    }
    int rows = weights ? (int) g.initializers.get(b.q.weight()).getDims(0) : 1;
    int total = cols[0] + cols[1] + cols[2];
    ByteBuffer out = ByteBuffer.allocate(4 * rows * total).order(ByteOrder.LITTLE_ENDIAN);
    for (int r = 0; r < rows; r++) {
      for (int p = 0; p < 3; p++) {
        for (int c = 0; c < cols[p]; c++) {
          out.putFloat(parts.get(p)[r * cols[p] + c]);
        }
      }
    }
    TensorProto.Builder t =
        TensorProto.newBuilder()
            .setName(name)
            .setDataType(TensorProto.DataType.FLOAT_VALUE)
            .setRawData(ByteString.copyFrom(out.array()));
    if (weights) {
      t.addDims(rows);
    }
    return t.addDims(total).build();
  }

  /**
   * The graph with the blocks replaced and the nodes that nothing reads any more (the run-time
   * shape computations, the old mask) removed; null if some remaining node would read a value that
   * is no longer produced.
   */
  private static ModelProto rebuild(
      ModelProto model,
      GraphIndex g,
      Set<Integer> removed,
      List<NodeProto> added,
      List<TensorProto> addedInitializers) {
    List<NodeProto> kept = new ArrayList<>();
    // New nodes go where the first removed node of their block was: the Cast first (its input is a
    // graph input), then each Attention once its input exists, which holds at the projection.
    int firstRemoved = removed.stream().min(Integer::compare).orElse(0);
    for (int i = 0; i < g.nodes.size(); i++) {
      if (!removed.contains(i)) {
        kept.add(g.nodes.get(i));
      }
    }
    kept.addAll(0, added.stream().filter(n -> n.getOpType().equals("Cast")).toList());
    List<NodeProto> attentions = added.stream().filter(n -> !n.getOpType().equals("Cast")).toList();
    kept = placeAfterInputs(kept, attentions, g);
    if (kept == null) {
      return null;
    }
    // Drop dead nodes (repeat: a Shape → Gather → Unsqueeze → Concat chain dies from its end).
    Set<String> graphOutputs = new HashSet<>(g.outputs);
    boolean changed = true;
    while (changed) {
      Set<String> read = new HashSet<>(graphOutputs);
      for (NodeProto n : kept) {
        read.addAll(n.getInputList());
      }
      List<NodeProto> next = new ArrayList<>();
      for (NodeProto n : kept) {
        if (n.getOutputList().stream().anyMatch(read::contains)) {
          next.add(n);
        }
      }
      changed = next.size() != kept.size();
      kept = next;
    }
    Set<String> available = new HashSet<>(g.inputRank.keySet());
    available.addAll(g.initializers.keySet());
    addedInitializers.forEach(t -> available.add(t.getName()));
    available.add("");
    for (NodeProto n : kept) {
      for (String in : n.getInputList()) {
        if (!available.contains(in)) {
          return null;
        }
      }
      available.addAll(n.getOutputList());
    }
    Set<String> read = new HashSet<>(graphOutputs);
    kept.forEach(n -> read.addAll(n.getInputList()));
    GraphProto graph = model.getGraph();
    GraphProto.Builder out = graph.toBuilder().clearNode().addAllNode(kept).clearInitializer();
    for (TensorProto t : graph.getInitializerList()) {
      if (read.contains(t.getName()) || g.inputRank.containsKey(t.getName())) {
        out.addInitializer(t);
      }
    }
    out.addAllInitializer(addedInitializers);
    out.clearValueInfo();
    for (ValueInfoProto v : graph.getValueInfoList()) {
      if (available.contains(v.getName())) {
        out.addValueInfo(v);
      }
    }
    ModelProto.Builder m = model.toBuilder().setGraph(out);
    if (m.getOpsetImportList().stream()
        .noneMatch(o -> o.getDomain().equals(GraphQuantizer.MS_DOMAIN))) {
      m.addOpsetImport(
          OperatorSetIdProto.newBuilder().setDomain(GraphQuantizer.MS_DOMAIN).setVersion(1));
    }
    return m.build();
  }

  /** Inserts each node right after the producer of its first input (keeps topological order). */
  private static List<NodeProto> placeAfterInputs(
      List<NodeProto> kept, List<NodeProto> toPlace, GraphIndex g) {
    List<NodeProto> out = new ArrayList<>(kept);
    for (NodeProto n : toPlace) {
      String x = n.getInput(0);
      int at = -1;
      for (int i = 0; i < out.size(); i++) {
        if (out.get(i).getOutputList().contains(x)) {
          at = i;
        }
      }
      if (at < 0 && !g.inputRank.containsKey(x)) {
        return null;
      }
      out.add(at + 1, n);
    }
    return out;
  }
}
