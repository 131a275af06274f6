package dev.optimizer.ai.inference.quantize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelFilesTest {

  @TempDir Path dir;

  @Test
  void replacingAFileKeepsItsPermissions() throws Exception {
    assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"));
    Path model = dir.resolve("model.onnx");
    Files.write(model, new byte[] {1});
    Files.setPosixFilePermissions(model, PosixFilePermissions.fromString("rw-rw-r--"));
    ModelFiles.write(model, new byte[] {2, 3}, "model");
    assertThat(Files.readAllBytes(model)).containsExactly(2, 3);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(model)))
        .isEqualTo("rw-rw-r--");
  }

  @Test
  void aNewFileGetsTheModeAPlainWriteWouldGiveIt() throws Exception {
    assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"));
    Path plain = dir.resolve("plain.bin");
    Files.write(plain, new byte[] {1});
    Path model = dir.resolve("new.onnx");
    ModelFiles.write(model, new byte[] {1}, "model");
    // Not the 0600 of a temporary file: readable by others wherever the umask allows it.
    assertThat(Files.getPosixFilePermissions(model))
        .isEqualTo(Files.getPosixFilePermissions(plain));
    try (var leftovers = Files.list(dir)) {
      assertThat(leftovers.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("plain.bin", "new.onnx");
    }
  }
}
