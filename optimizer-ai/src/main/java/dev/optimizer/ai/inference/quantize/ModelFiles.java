package dev.optimizer.ai.inference.quantize;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Reads and writes model files; a reader never sees half a model. */
final class ModelFiles {

  private ModelFiles() {}

  static byte[] read(Path input, String what) {
    try {
      return Files.readAllBytes(input);
    } catch (IOException e) {
      throw new UncheckedIOException(what + " " + input + " cannot be read", e);
    }
  }

  /** Writes to a temporary file beside {@code output}, then moves it into place. */
  static void write(Path output, byte[] bytes, String what) {
    Path dir = output.toAbsolutePath().getParent();
    Path tmp = null;
    try {
      tmp = Files.createTempFile(dir, output.getFileName().toString(), ".tmp");
      Files.write(tmp, bytes);
      try {
        Files.move(
            tmp, output, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, output, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      if (tmp != null) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
          // The write already failed; that is the error to report.
        }
      }
      throw new UncheckedIOException(what + " cannot be written to " + output, e);
    }
  }
}
