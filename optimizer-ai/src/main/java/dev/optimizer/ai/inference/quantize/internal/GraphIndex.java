package dev.optimizer.ai.inference.quantize.internal;

import dev.optimizer.ai.inference.quantize.internal.onnx.Onnx.AttributeProto;
import dev.optimizer.ai.inference.quantize.internal.onnx.Onnx.GraphProto;
import dev.optimizer.ai.inference.quantize.internal.onnx.Onnx.NodeProto;
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

/** Who produces and who reads each value of a graph, and the constants, for pattern matching. */
final class GraphIndex {
  final List<NodeProto> nodes;
  final Map<String, Integer> producer = new HashMap<>();
  final Map<String, List<Integer>> readers = new HashMap<>();
  final Map<String, TensorProto> initializers = new HashMap<>();
  final Map<String, Integer> inputRank = new HashMap<>();
  final Set<String> outputs = new HashSet<>();

  GraphIndex(GraphProto g) {
    nodes = g.getNodeList();
    for (int i = 0; i < nodes.size(); i++) {
      for (String o : nodes.get(i).getOutputList()) {
        producer.put(o, i);
      }
      for (String in : nodes.get(i).getInputList()) {
        readers.computeIfAbsent(in, k -> new ArrayList<>()).add(i);
      }
    }
    for (TensorProto t : g.getInitializerList()) {
      initializers.put(t.getName(), t);
    }
    for (ValueInfoProto v : g.getInputList()) {
      int rank =
          v.hasType() && v.getType().hasTensorType() && v.getType().getTensorType().hasShape()
              ? v.getType().getTensorType().getShape().getDimCount()
              : -1;
      inputRank.put(v.getName(), rank);
    }
    for (ValueInfoProto v : g.getOutputList()) {
      outputs.add(v.getName());
    }
  }

  List<Integer> readersOf(String name) {
    return readers.getOrDefault(name, List.of());
  }

  /** The single node reading {@code name}, of type {@code op}; -1 otherwise. */
  int onlyReader(String name, String op) {
    List<Integer> r = readersOf(name);
    if (r.size() != 1 || outputs.contains(name)) {
      return -1;
    }
    return isOp(nodes.get(r.get(0)), op) ? r.get(0) : -1;
  }

  NodeProto producerOf(String name) {
    Integer i = producer.get(name);
    return i == null ? null : nodes.get(i);
  }

  boolean isOp(NodeProto n, String op) {
    return n.getDomain().isEmpty() && n.getOpType().equals(op);
  }

  /** A 1-D float initializer that is not also a graph input (so its value is fixed). */
  boolean isVector(String name) {
    TensorProto t = initializers.get(name);
    return t != null
        && !inputRank.containsKey(name)
        && t.getDataType() == TensorProto.DataType.FLOAT_VALUE
        && t.getDimsCount() == 1
        && t.getExternalDataCount() == 0;
  }

  boolean isConstant(String name) {
    NodeProto p = producerOf(name);
    return initializers.containsKey(name) || (p != null && p.getOpType().equals("Constant"));
  }

  /** The tensor behind a constant (initializer or Constant node); null if not one. */
  TensorProto constant(String name) {
    if (inputRank.containsKey(name)) {
      return null;
    }
    TensorProto t = initializers.get(name);
    if (t != null) {
      return t;
    }
    NodeProto p = producerOf(name);
    if (p == null || !p.getOpType().equals("Constant")) {
      return null;
    }
    for (AttributeProto a : p.getAttributeList()) {
      if (a.getName().equals("value") && a.hasT()) {
        return a.getT();
      }
    }
    return null;
  }

  /** The value of a float scalar constant; NaN if not one. */
  float scalar(String name) {
    TensorProto t = constant(name);
    if (t == null || t.getDataType() != TensorProto.DataType.FLOAT_VALUE || elements(t) != 1) {
      return Float.NaN;
    }
    if (!t.getRawData().isEmpty()) {
      return t.getRawData().size() == 4
          ? t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).getFloat()
          : Float.NaN;
    }
    return t.getFloatDataCount() == 1 ? t.getFloatData(0) : Float.NaN;
  }

  /** The values of an int64 constant of at most 8 elements; null if not one. */
  long[] longs(String name) {
    TensorProto t = constant(name);
    if (t == null || t.getDataType() != TensorProto.DataType.INT64_VALUE || elements(t) > 8) {
      return null;
    }
    int n = (int) elements(t);
    long[] out = new long[n];
    if (!t.getRawData().isEmpty()) {
      if (t.getRawData().size() != 8 * n) {
        return null;
      }
      t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(out);
      return out;
    }
    if (t.getInt64DataCount() != n) {
      return null;
    }
    for (int i = 0; i < n; i++) {
      out[i] = t.getInt64Data(i);
    }
    return out;
  }

  /**
   * The target shape of a Reshape given as a constant, or as a {@code Concat} of one-element pieces
   * where the run-time ones (not constant) read as -1; null otherwise.
   */
  long[] concatShape(String name) {
    long[] direct = longs(name);
    if (direct != null) {
      return direct;
    }
    NodeProto c = producerOf(name);
    if (c == null || !isOp(c, "Concat") || intAttr(c, "axis", -1) != 0) {
      return null;
    }
    long[] out = new long[c.getInputCount()];
    for (int i = 0; i < out.length; i++) {
      long[] v = longs(c.getInput(i));
      if (v != null && v.length != 1) {
        return null;
      }
      out[i] = v == null ? -1 : v[0];
    }
    return out;
  }

  long intAttr(NodeProto n, String name, long dflt) {
    for (AttributeProto a : n.getAttributeList()) {
      if (a.getName().equals(name)) {
        return a.getI();
      }
    }
    return dflt;
  }

  /** Whether a Transpose has exactly this permutation. */
  boolean perm(NodeProto n, int... perm) {
    for (AttributeProto a : n.getAttributeList()) {
      if (a.getName().equals("perm")) {
        if (a.getIntsCount() != perm.length) {
          return false;
        }
        for (int i = 0; i < perm.length; i++) {
          if (a.getInts(i) != perm[i]) {
            return false;
          }
        }
        return true;
      }
    }
    return false;
  }

  /** Whether an Unsqueeze (opset below 13: axes as an attribute) inserts exactly this axis. */
  boolean axes(NodeProto n, int axis) {
    for (AttributeProto a : n.getAttributeList()) {
      if (a.getName().equals("axes")) {
        return a.getIntsCount() == 1 && a.getInts(0) == axis;
      }
    }
    return false;
  }

  static long elements(TensorProto t) {
    long count = 1;
    for (long d : t.getDimsList()) {
      count *= d;
    }
    return count;
  }

  /** The values of a float initializer. */
  static float[] floats(TensorProto t) {
    int count = (int) elements(t);
    float[] out = new float[count];
    if (!t.getRawData().isEmpty()) {
      ByteBuffer b = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
      b.asFloatBuffer().get(out);
      return out;
    }
    for (int i = 0; i < count; i++) {
      out[i] = t.getFloatData(i);
    }
    return out;
  }
}
