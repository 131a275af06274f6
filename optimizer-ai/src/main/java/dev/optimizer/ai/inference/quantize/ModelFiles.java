package dev.optimizer.ai.inference.quantize;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.security.SecureRandom;

/** Reads and writes model files; a reader never sees half a model. */
final class ModelFiles {

  private static final SecureRandom RANDOM = new SecureRandom();

  private ModelFiles() {}

  static byte[] read(Path input, String what) {
    try {
      return Files.readAllBytes(input);
    } catch (IOException e) {
      throw new UncheckedIOException(what + " " + input + " cannot be read", e);
    }
  }

  /**
   * Writes to a temporary file beside {@code output}, then moves it into place. The file keeps the
   * permissions of the one it replaces; a new one gets those of a plain write (0666 less the
   * umask), not the owner-only mode of {@link Files#createTempFile}.
   */
  static void write(Path output, byte[] bytes, String what) {
    Path dir = output.toAbsolutePath().getParent();
    Path tmp = null;
    try {
      tmp = createSibling(dir, output.getFileName().toString());
      Files.write(tmp, bytes);
      if (Files.exists(output)
          && Files.getFileStore(tmp).supportsFileAttributeView(PosixFileAttributeView.class)) {
        Files.setPosixFilePermissions(tmp, Files.getPosixFilePermissions(output));
      }
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

  /** A new empty file named after {@code name} in {@code dir}, created with the default mode. */
  private static Path createSibling(Path dir, String name) throws IOException {
    for (int attempt = 0; ; attempt++) {
      Path tmp = dir.resolve(name + "." + Long.toUnsignedString(RANDOM.nextLong(), 36) + ".tmp");
      try {
        Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
        return tmp;
      } catch (FileAlreadyExistsException e) {
        if (attempt == 9) {
          throw e;
        }
      }
    }
  }
}
