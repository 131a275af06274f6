package dev.optimizer.ai.inference.quantize;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The command line: {@code quantize <in.onnx> <out.onnx> [--tokenizer tokenizer.json --calibration
 * texts.txt [--min-cosine 0.98]]}. The calibration file holds one text a line. {@code fuse
 * <in.onnx> <out.onnx>} writes the float model with the same graph rewrites the quantizer applies
 * ({@link OnnxFusion}), the fair float32 baseline. Exit status 0 when written, 1 when refused or
 * failed, 2 on bad usage.
 */
public final class QuantizeCommand {

  private QuantizeCommand() {}

  /** Runs the command. */
  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  static int run(String[] args, PrintStream out, PrintStream err) {
    List<String> a = List.of(args);
    if (!a.isEmpty() && a.get(0).equals("fuse")) {
      return fuse(a.subList(1, a.size()), out, err);
    }
    if (!a.isEmpty() && a.get(0).equals("quantize")) {
      a = a.subList(1, a.size());
    }
    if (a.size() < 2 || a.size() % 2 != 0) {
      err.println(
          "usage: quantize <in.onnx> <out.onnx> [--tokenizer tokenizer.json --calibration"
              + " texts.txt [--min-cosine 0.98]]");
      return 2;
    }
    try {
      Path tokenizer = null;
      Path calibration = null;
      Double minCosine = null;
      for (int i = 2; i < a.size(); i += 2) {
        String v = a.get(i + 1);
        switch (a.get(i)) {
          case "--tokenizer" -> tokenizer = Path.of(v);
          case "--calibration" -> calibration = Path.of(v);
          case "--min-cosine" -> {
            try {
              minCosine = Double.valueOf(v);
            } catch (NumberFormatException e) {
              // Named here: Double's own message ("For input string: ...") names no option.
              err.println("--min-cosine must be a number in (0, 1], but was '" + v + "'");
              return 2;
            }
          }
          default -> {
            err.println("unknown option " + a.get(i));
            return 2;
          }
        }
      }
      if ((tokenizer == null) != (calibration == null)) {
        err.println("--tokenizer and --calibration go together");
        return 2;
      }
      OnnxQuantizer.Builder b = OnnxQuantizer.builder();
      if (tokenizer != null) {
        List<String> texts =
            Files.readAllLines(calibration).stream()
                .filter(s -> !s.isBlank())
                .collect(Collectors.toList());
        EmbeddingAccuracyGuard.Builder g =
            EmbeddingAccuracyGuard.builder().tokenizer(tokenizer).calibrationTexts(texts);
        if (minCosine != null) {
          g.minMeanCosine(minCosine);
        }
        b.accuracyGuard(g.build());
      }
      QuantizationResult r = b.build().quantize(Path.of(a.get(0)), Path.of(a.get(1)));
      out.printf(
          Locale.ROOT,
          "wrote %s: %d of %d MatMul/Gemm nodes int8, weights %d -> %d bytes, model %d -> %d"
              + " bytes%s%n",
          r.output(),
          r.quantizedNodes(),
          r.matMulNodes(),
          r.weightBytesBefore(),
          r.weightBytesAfter(),
          r.modelBytesBefore(),
          r.modelBytesAfter(),
          Double.isNaN(r.meanCosine())
              ? ""
              : String.format(
                  Locale.ROOT,
                  ", mean cosine vs float32 %.5f on %d texts",
                  r.meanCosine(),
                  r.calibrationSize()));
      return 0;
    } catch (IOException | RuntimeException e) {
      err.println("quantize failed: " + e.getMessage());
      return 1;
    }
  }

  private static int fuse(List<String> a, PrintStream out, PrintStream err) {
    if (a.size() != 2) {
      err.println("usage: fuse <in.onnx> <out.onnx>");
      return 2;
    }
    try {
      OnnxFusion.Result r = OnnxFusion.fuse(Path.of(a.get(0)), Path.of(a.get(1)));
      out.printf(
          Locale.ROOT,
          "wrote %s: %d layer normalizations as SkipLayerNormalization, %d attention blocks as"
              + " Attention%n",
          a.get(1),
          r.layerNorms(),
          r.attentionBlocks());
      return 0;
    } catch (RuntimeException e) {
      err.println("fuse failed: " + e.getMessage());
      return 1;
    }
  }
}
