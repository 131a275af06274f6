package dev.optimizer.ai.inference.quantize.internal;

import com.google.protobuf.ByteString;
import dev.optimizer.ai.inference.quantize.internal.onnx.Onnx.AttributeProto;
import dev.optimizer.ai.inference.quantize.internal.onnx.Onnx.GraphProto;
import dev.optimizer.ai.inference.quantize.internal.onnx.Onnx.ModelProto;
import dev.optimizer.ai.inference.quantize.internal.onnx.Onnx.NodeProto;
import dev.optimizer.ai.inference.quantize.internal.onnx.Onnx.OperatorSetIdProto;
import dev.optimizer.ai.inference.quantize.internal.onnx.Onnx.TensorProto;
import dev.optimizer.ai.inference.quantize.internal.onnx.Onnx.ValueInfoProto;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Merges sibling projections — several {@code MatMul(x, W_i) + b_i} that read the same activation
 * {@code x}, like the query, key and value projections of an attention layer — into one {@code
 * MatMul(x, [W_1 … W_n]) + [b_1 … b_n]} followed by a {@code Split}. One wide matrix product uses
 * the integer kernel better than three narrow ones. Per-column quantization of the merged weight is
 * exactly the quantization of each part, so accuracy is unchanged.
 */
final class SiblingFusion {

  private SiblingFusion() {}

  /** The fused model, and for each merged MatMul's name how many MatMuls it replaced. */
  record Fused(ModelProto model, Map<String, Integer> merged) {}

  private record Projection(int matMul, int add, String weight, String bias, int k, int n) {}

  /** Merges sibling projections, leaving out the MatMuls named in {@code keep} (kept in float). */
  static Fused fuse(ModelProto model, Set<String> keep) {
    GraphProto graph = model.getGraph();
    List<NodeProto> nodes = graph.getNodeList();
    Map<String, TensorProto> init = new HashMap<>();
    for (TensorProto t : graph.getInitializerList()) {
      init.put(t.getName(), t);
    }
    Set<String> protectedNames = new HashSet<>();
    for (ValueInfoProto v : graph.getInputList()) {
      protectedNames.add(v.getName());
    }
    for (ValueInfoProto v : graph.getOutputList()) {
      protectedNames.add(v.getName());
    }
    Map<String, Integer> readers = new HashMap<>();
    Map<String, Integer> reader = new HashMap<>();
    for (int i = 0; i < nodes.size(); i++) {
      for (String in : nodes.get(i).getInputList()) {
        readers.merge(in, 1, Integer::sum);
        reader.put(in, i);
      }
    }
    Map<String, List<Projection>> byInput = new LinkedHashMap<>();
    for (int i = 0; i < nodes.size(); i++) {
      NodeProto n = nodes.get(i);
      if (!n.getDomain().isEmpty()
          || !n.getOpType().equals("MatMul")
          || n.getInputCount() != 2
          || keep.contains(n.getName())) {
        continue;
      }
      TensorProto w = init.get(n.getInput(1));
      String y = n.getOutput(0);
      if (!isFloat(w, 2, protectedNames)
          || readers.getOrDefault(y, 0) != 1
          || protectedNames.contains(y)) {
        continue;
      }
      NodeProto add = nodes.get(reader.get(y));
      if (!add.getDomain().isEmpty()
          || !add.getOpType().equals("Add")
          || add.getInputCount() != 2) {
        continue;
      }
      String b = add.getInput(0).equals(y) ? add.getInput(1) : add.getInput(0);
      TensorProto bias = init.get(b);
      if (!isFloat(bias, 1, protectedNames) || bias.getDims(0) != w.getDims(1)) {
        continue;
      }
      byInput
          .computeIfAbsent(n.getInput(0), x -> new ArrayList<>())
          .add(
              new Projection(
                  i, reader.get(y), w.getName(), b, (int) w.getDims(0), (int) w.getDims(1)));
    }
    long opset = 0;
    for (OperatorSetIdProto o : model.getOpsetImportList()) {
      if (o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx")) {
        opset = o.getVersion();
      }
    }
    Map<Integer, List<NodeProto>> replaceAt = new HashMap<>();
    Set<Integer> removed = new HashSet<>();
    List<TensorProto> added = new ArrayList<>();
    Map<String, Integer> released = new HashMap<>();
    Map<String, Integer> merged = new HashMap<>();
    for (Map.Entry<String, List<Projection>> e : byInput.entrySet()) {
      List<Projection> group = e.getValue();
      if (group.size() < 2 || group.stream().anyMatch(p -> p.k() != group.get(0).k())) {
        continue;
      }
      // The fused nodes stand where the last Add stood: every input exists there, and every
      // reader of the outputs comes after it.
      int at = group.stream().mapToInt(Projection::add).max().getAsInt();
      int k = group.get(0).k();
      int total = group.stream().mapToInt(Projection::n).sum();
      float[][] ws = new float[group.size()][];
      ByteBuffer w = ByteBuffer.allocate(4 * k * total).order(ByteOrder.LITTLE_ENDIAN);
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      for (int g = 0; g < group.size(); g++) {
        ws[g] = floats(init.get(group.get(g).weight()));
        b.writeBytes(
            init.get(group.get(g).bias()).getRawData().isEmpty()
                ? toRaw(floats(init.get(group.get(g).bias())))
                : init.get(group.get(g).bias()).getRawData().toByteArray());
      }
      for (int r = 0; r < k; r++) {
        for (int g = 0; g < group.size(); g++) {
          int n = group.get(g).n();
          for (int c = 0; c < n; c++) {
            w.putFloat(ws[g][r * n + c]);
          }
        }
      }
      String base = e.getKey() + "_fused_projection";
      added.add(tensor(base + "_weight", TensorProto.DataType.FLOAT_VALUE, w.array(), k, total));
      added.add(tensor(base + "_bias", TensorProto.DataType.FLOAT_VALUE, b.toByteArray(), total));
      List<NodeProto> fused = new ArrayList<>();
      fused.add(
          NodeProto.newBuilder()
              .setName(base + "_MatMul")
              .setOpType("MatMul")
              .addInput(e.getKey())
              .addInput(base + "_weight")
              .addOutput(base + "_matmul")
              .build());
      fused.add(
          NodeProto.newBuilder()
              .setName(base + "_Add")
              .setOpType("Add")
              .addInput(base + "_matmul")
              .addInput(base + "_bias")
              .addOutput(base + "_add")
              .build());
      NodeProto.Builder split =
          NodeProto.newBuilder()
              .setName(base + "_Split")
              .setOpType("Split")
              .addInput(base + "_add")
              .addAttribute(
                  AttributeProto.newBuilder()
                      .setName("axis")
                      .setType(AttributeProto.AttributeType.INT)
                      .setI(-1));
      long[] sizes = group.stream().mapToLong(Projection::n).toArray();
      if (opset >= 13) {
        ByteBuffer s = ByteBuffer.allocate(8 * sizes.length).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : sizes) {
          s.putLong(v);
        }
        added.add(
            tensor(base + "_split", TensorProto.DataType.INT64_VALUE, s.array(), sizes.length));
        split.addInput(base + "_split");
      } else {
        AttributeProto.Builder a =
            AttributeProto.newBuilder().setName("split").setType(AttributeProto.AttributeType.INTS);
        for (long v : sizes) {
          a.addInts(v);
        }
        split.addAttribute(a);
      }
      for (Projection p : group) {
        split.addOutput(nodes.get(p.add()).getOutput(0));
        removed.add(p.matMul());
        removed.add(p.add());
        released.merge(p.weight(), 1, Integer::sum);
        released.merge(p.bias(), 1, Integer::sum);
      }
      fused.add(split.build());
      merged.put(base + "_MatMul", group.size());
      replaceAt.put(at, fused);
    }
    if (replaceAt.isEmpty()) {
      return new Fused(model, Map.of());
    }
    GraphProto.Builder out = graph.toBuilder().clearNode();
    for (int i = 0; i < nodes.size(); i++) {
      if (replaceAt.containsKey(i)) {
        out.addAllNode(replaceAt.get(i));
      } else if (!removed.contains(i)) {
        out.addNode(nodes.get(i));
      }
    }
    out.clearInitializer();
    for (TensorProto t : graph.getInitializerList()) {
      Integer gone = released.get(t.getName());
      if (gone == null || readers.getOrDefault(t.getName(), 0) > gone) {
        out.addInitializer(t);
      }
    }
    out.addAllInitializer(added);
    return new Fused(model.toBuilder().setGraph(out).build(), merged);
  }

  private static boolean isFloat(TensorProto t, int rank, Set<String> protectedNames) {
    return t != null
        && t.getDataType() == TensorProto.DataType.FLOAT_VALUE
        && t.getDimsCount() == rank
        && t.getExternalDataCount() == 0
        && !protectedNames.contains(t.getName());
  }

  private static TensorProto tensor(String name, int type, byte[] raw, long... dims) {
    TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(type);
    for (long d : dims) {
      t.addDims(d);
    }
    return t.setRawData(ByteString.copyFrom(raw)).build();
  }

  private static byte[] toRaw(float[] v) {
    ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
    for (float f : v) {
      b.putFloat(f);
    }
    return b.array();
  }

  static float[] floats(TensorProto t) {
    int count = 1;
    for (long d : t.getDimsList()) {
      count *= (int) d;
    }
    float[] out = new float[count];
    if (!t.getRawData().isEmpty()) {
      t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
    } else {
      for (int i = 0; i < count; i++) {
        out[i] = t.getFloatData(i);
      }
    }
    return out;
  }
}
