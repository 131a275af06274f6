package dev.optimizer.ai.inference.onnx;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * Where an {@link OnnxTextEmbedder}'s model came from, to load the same model again when a new
 * session is built (a new intra-op thread count). A file or a class-path resource is read again
 * rather than kept on the heap (all-MiniLM-L6-v2 is 90 MB), and checked against the checksum of
 * what was first loaded: a file replaced since must not become a different model behind the
 * application's back. Bytes given as such are kept.
 */
abstract sealed class ModelSource {

  private final String description;
  private final long length;
  private final long crc;

  private ModelSource(String description, byte[] loaded) {
    this.description = description;
    this.length = loaded.length;
    this.crc = crc(loaded);
  }

  static ModelSource ofBytes(byte[] bytes) {
    return new Bytes(bytes);
  }

  static ModelSource ofFile(Path file, byte[] loaded) {
    return new FileSource(file, loaded);
  }

  static ModelSource ofResource(Class<?> anchor, String path, byte[] loaded) {
    return new Resource(anchor, path, loaded);
  }

  /**
   * The model's bytes, the same as when the embedder was built.
   *
   * @throws IllegalStateException if they cannot be read or are no longer the same
   */
  final byte[] read() {
    byte[] bytes;
    try {
      bytes = readNow();
    } catch (IOException | UncheckedIOException e) {
      throw new IllegalStateException("the model " + description + " cannot be read again", e);
    }
    if (bytes.length != length || crc(bytes) != crc) {
      throw new IllegalStateException(
          "the model "
              + description
              + " changed since the embedder was built ("
              + length
              + " bytes then, "
              + bytes.length
              + " now); not loading a different model");
    }
    return bytes;
  }

  abstract byte[] readNow() throws IOException;

  private static long crc(byte[] bytes) {
    CRC32C c = new CRC32C();
    c.update(bytes);
    return c.getValue();
  }

  private static final class Bytes extends ModelSource {
    private final byte[] bytes;

    Bytes(byte[] bytes) {
      super("given as bytes", bytes);
      this.bytes = bytes;
    }

    @Override
    byte[] readNow() {
      return bytes;
    }
  }

  private static final class FileSource extends ModelSource {
    private final Path file;

    FileSource(Path file, byte[] loaded) {
      super("file " + file, loaded);
      this.file = file;
    }

    @Override
    byte[] readNow() throws IOException {
      return Files.readAllBytes(file);
    }
  }

  private static final class Resource extends ModelSource {
    private final Class<?> anchor;
    private final String path;

    Resource(Class<?> anchor, String path, byte[] loaded) {
      super("class-path resource " + path, loaded);
      this.anchor = anchor;
      this.path = path;
    }

    @Override
    byte[] readNow() throws IOException {
      try (InputStream in = anchor.getResourceAsStream(path)) {
        if (in == null) {
          throw new IOException("class-path resource " + path + " not found");
        }
        return in.readAllBytes();
      }
    }
  }
}
