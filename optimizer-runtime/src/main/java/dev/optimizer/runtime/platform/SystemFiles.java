package dev.optimizer.runtime.platform;

import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Supplier;

/**
 * Reads small text files below a root directory, treating anything unreadable as absent.
 *
 * <p>The probe runs inside the application, so it must never fail it: a missing, unreadable or
 * oversized file is not an error here, only missing information. Reads are bounded to {@link
 * #MAX_BYTES} because {@code /proc/self/mountinfo} can be large on busy hosts, and only regular
 * files are opened because a FIFO or device planted at one of these paths would block the caller.
 */
final class SystemFiles {

  /** The most bytes read from one file. */
  static final int MAX_BYTES = 64 * 1024;

  private final Path root;

  SystemFiles(Path root) {
    this.root = root;
  }

  /** Resolves an absolute path such as {@code /proc/self/cgroup} below the root. */
  Path resolve(String absolutePath) {
    String relative = absolutePath.startsWith("/") ? absolutePath.substring(1) : absolutePath;
    return root.resolve(relative);
  }

  /** The file's text, or empty when it is absent or unreadable. */
  Optional<String> read(String absolutePath) {
    return read(resolve(absolutePath));
  }

  /** The file's text, or empty when it is absent or unreadable. */
  Optional<String> read(Path file) {
    if (!isRegularFile(file)) {
      return Optional.empty();
    }
    byte[] bytes;
    try (InputStream in = Files.newInputStream(file)) {
      bytes = in.readNBytes(MAX_BYTES);
    } catch (IOException | SecurityException e) {
      // Permissions, a file that vanished between the check and the open, or an I/O error: the
      // information is simply not available, and the probe must not fail the application.
      debug(() -> "platform probe could not read " + file + ": " + e);
      return Optional.empty();
    }
    String text = new String(bytes, StandardCharsets.UTF_8);
    if (bytes.length == MAX_BYTES) {
      // Possibly cut off: drop the partial last line so that no caller parses half a record.
      int lastNewline = text.lastIndexOf('\n');
      text = lastNewline < 0 ? "" : text.substring(0, lastNewline + 1);
    }
    return Optional.of(text);
  }

  /** The first line of the file, trimmed; empty when absent, unreadable or blank. */
  Optional<String> firstLine(String absolutePath) {
    return firstLine(resolve(absolutePath));
  }

  /** The first line of the file, trimmed; empty when absent, unreadable or blank. */
  Optional<String> firstLine(Path file) {
    return read(file)
        .map(text -> text.lines().findFirst().orElse("").trim())
        .filter(line -> !line.isEmpty());
  }

  /** The file's first line as a decimal {@code long}; empty when absent or not a number. */
  OptionalLong readLong(Path file) {
    Optional<String> line = firstLine(file);
    return line.isPresent() ? parseLong(file, line.get()) : OptionalLong.empty();
  }

  /** Whether the path is a directory; false when it cannot be checked. */
  boolean isDirectory(Path path) {
    try {
      return Files.isDirectory(path);
    } catch (SecurityException e) {
      // A security manager that forbids the check means the directory is unusable to us.
      debug(() -> "platform probe may not inspect " + path + ": " + e);
      return false;
    }
  }

  /** Whether the path is a regular file; false when it cannot be checked. */
  boolean isRegularFile(Path path) {
    try {
      return Files.isRegularFile(path);
    } catch (SecurityException e) {
      // A security manager that forbids the check means the file is unusable to us.
      debug(() -> "platform probe may not inspect " + path + ": " + e);
      return false;
    }
  }

  /** Parses a decimal {@code long}; empty, with a debug message naming the file, when malformed. */
  static OptionalLong parseLong(Path source, String text) {
    try {
      return OptionalLong.of(Long.parseLong(text.trim()));
    } catch (NumberFormatException e) {
      // A kernel we do not know, or a fake file: a malformed value counts as no value.
      malformed(source, text);
      return OptionalLong.empty();
    }
  }

  /** Records, at debug level, that a file held something the probe could not understand. */
  static void malformed(Path source, String text) {
    String shown = text.length() > 80 ? text.substring(0, 80) + "..." : text;
    debug(() -> "platform probe ignored malformed " + source + ": '" + shown.strip() + "'");
  }

  private static void debug(Supplier<String> message) {
    Log.LOGGER.log(Level.DEBUG, message);
  }

  /**
   * Holds the logger so that it is created only when there is something to log: setting up the
   * platform logging backend costs more than the whole probe.
   */
  private static final class Log {
    static final System.Logger LOGGER = System.getLogger(SystemFiles.class.getName());
  }
}
