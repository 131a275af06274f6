package dev.optimizer.runtime.platform;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Builds a fake filesystem tree that stands for {@code /} in tests. */
final class FakeRoot {

  final Path root;

  FakeRoot(Path root) {
    this.root = root;
  }

  /** Writes a file at an absolute path below the root, creating its directories. */
  FakeRoot file(String absolutePath, String content) {
    Path file = path(absolutePath);
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, content, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return this;
  }

  /** Creates a directory at an absolute path below the root. */
  FakeRoot dir(String absolutePath) {
    try {
      Files.createDirectories(path(absolutePath));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return this;
  }

  /** A cgroup v2 mount with no limits at its root. */
  FakeRoot cgroupV2() {
    return file("/sys/fs/cgroup/cgroup.controllers", "cpuset cpu io memory pids\n");
  }

  Path path(String absolutePath) {
    return root.resolve(absolutePath.substring(1));
  }

  SystemFiles files() {
    return new SystemFiles(root);
  }
}
