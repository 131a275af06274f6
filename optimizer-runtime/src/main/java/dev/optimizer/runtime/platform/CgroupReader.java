package dev.optimizer.runtime.platform;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.function.Function;

/**
 * Reads the CPU quota and memory limit of this process's cgroup, v2 or v1.
 *
 * <p>The process's own cgroup comes from {@code /proc/self/cgroup} ({@code 0::/path} on v2, {@code
 * N:cpu,cpuacct:/path} on v1). Inside a container with its own cgroup namespace that path is {@code
 * /} and the mount root already is the container's cgroup; without one, the path names a
 * subdirectory that may or may not be visible, so the reader uses it when it exists and falls back
 * to the mount root otherwise.
 *
 * <p>A limit set on any ancestor applies too (systemd slices, Kubernetes pod cgroups above the
 * container), so the reader walks from the process's directory up to the mount root and keeps the
 * smallest limit it finds. {@code cpu.weight} and {@code cpu.shares} are deliberately ignored: they
 * are relative priorities under contention, not limits, and the JDK stopped deriving CPU counts
 * from them (JDK-8281181) because that misled sizing on lightly loaded hosts.
 */
final class CgroupReader {

  static final String MOUNT = "/sys/fs/cgroup";

  /**
   * v1 reports "no memory limit" as {@code Long.MAX_VALUE} rounded down to the page size (e.g.
   * 9223372036854771712); anything this large is no real limit.
   */
  static final long UNLIMITED_THRESHOLD = 1L << 62;

  /** Guards the walk up the hierarchy against a pathological path. */
  private static final int MAX_DEPTH = 64;

  private final SystemFiles files;

  CgroupReader(SystemFiles files) {
    this.files = files;
  }

  /**
   * Reads the limits.
   *
   * @param procSelfCgroup the text of {@code /proc/self/cgroup}, empty when unreadable
   */
  CgroupLimits read(String procSelfCgroup) {
    Path mount = files.resolve(MOUNT);
    if (files.isRegularFile(mount.resolve("cgroup.controllers"))) {
      return readV2(mount, ownPath(procSelfCgroup, null));
    }
    Optional<Path> cpuMount =
        firstDirectory(
            mount.resolve("cpu"), mount.resolve("cpu,cpuacct"), mount.resolve("cpuacct,cpu"));
    Optional<Path> memoryMount = firstDirectory(mount.resolve("memory"));
    if (cpuMount.isEmpty() && memoryMount.isEmpty()) {
      return CgroupLimits.NONE;
    }
    OptionalDouble cpu =
        cpuMount
            .map(m -> minCpu(hierarchy(m, ownPath(procSelfCgroup, "cpu")), this::v1Cpu))
            .orElse(OptionalDouble.empty());
    OptionalLong memory =
        memoryMount
            .map(m -> minMemory(hierarchy(m, ownPath(procSelfCgroup, "memory")), this::v1Memory))
            .orElse(OptionalLong.empty());
    return new CgroupLimits(CgroupVersion.V1, cpu, memory);
  }

  private CgroupLimits readV2(Path mount, Optional<String> ownPath) {
    List<Path> dirs = hierarchy(mount, ownPath);
    return new CgroupLimits(
        CgroupVersion.V2, minCpu(dirs, this::v2Cpu), minMemory(dirs, this::v2Memory));
  }

  /** v2 {@code cpu.max}: {@code "max 100000"} (no limit) or {@code "200000 100000"} (2 CPUs). */
  private OptionalDouble v2Cpu(Path dir) {
    Path file = dir.resolve("cpu.max");
    Optional<String> line = files.firstLine(file);
    if (line.isEmpty()) {
      return OptionalDouble.empty();
    }
    String[] parts = line.get().split("\\s+");
    if (parts.length == 2 && parts[0].equals("max")) {
      return OptionalDouble.empty();
    }
    if (parts.length != 2) {
      SystemFiles.malformed(file, line.get());
      return OptionalDouble.empty();
    }
    return ratio(
        file, SystemFiles.parseLong(file, parts[0]), SystemFiles.parseLong(file, parts[1]));
  }

  /** v1 {@code cpu.cfs_quota_us} / {@code cpu.cfs_period_us}; a quota of -1 means no limit. */
  private OptionalDouble v1Cpu(Path dir) {
    Path quotaFile = dir.resolve("cpu.cfs_quota_us");
    OptionalLong quota = files.readLong(quotaFile);
    if (quota.isEmpty() || quota.getAsLong() == -1) {
      return OptionalDouble.empty();
    }
    return ratio(quotaFile, quota, files.readLong(dir.resolve("cpu.cfs_period_us")));
  }

  private static OptionalDouble ratio(Path source, OptionalLong quota, OptionalLong period) {
    if (quota.isEmpty() || period.isEmpty()) {
      return OptionalDouble.empty();
    }
    if (quota.getAsLong() <= 0 || period.getAsLong() <= 0) {
      SystemFiles.malformed(source, quota.getAsLong() + " " + period.getAsLong());
      return OptionalDouble.empty();
    }
    return OptionalDouble.of((double) quota.getAsLong() / period.getAsLong());
  }

  /** v2 {@code memory.max}: {@code "max"} or a byte count. */
  private OptionalLong v2Memory(Path dir) {
    Path file = dir.resolve("memory.max");
    Optional<String> line = files.firstLine(file);
    if (line.isEmpty() || line.get().equals("max")) {
      return OptionalLong.empty();
    }
    return memoryValue(file, SystemFiles.parseLong(file, line.get()));
  }

  /** v1 {@code memory.limit_in_bytes}: a byte count, huge when unlimited. */
  private OptionalLong v1Memory(Path dir) {
    Path file = dir.resolve("memory.limit_in_bytes");
    return memoryValue(file, files.readLong(file));
  }

  private static OptionalLong memoryValue(Path source, OptionalLong bytes) {
    if (bytes.isEmpty() || bytes.getAsLong() >= UNLIMITED_THRESHOLD) {
      return OptionalLong.empty();
    }
    if (bytes.getAsLong() <= 0) {
      SystemFiles.malformed(source, Long.toString(bytes.getAsLong()));
      return OptionalLong.empty();
    }
    return bytes;
  }

  /**
   * The process's cgroup path from {@code /proc/self/cgroup}: the v2 line ({@code 0::/path}) when
   * {@code controller} is null, else the v1 line whose controller list names it.
   */
  static Optional<String> ownPath(String procSelfCgroup, String controller) {
    for (String line : procSelfCgroup.split("\n")) {
      // The path may itself contain ':' (systemd's "...slice:cri-containerd:<id>"), hence limit 3.
      String[] fields = line.split(":", 3);
      if (fields.length != 3) {
        continue;
      }
      boolean matches =
          controller == null
              ? fields[0].equals("0") && fields[1].isEmpty()
              : List.of(fields[1].split(",")).contains(controller);
      if (matches) {
        return Optional.of(fields[2].trim());
      }
    }
    return Optional.empty();
  }

  /**
   * The directories whose limits apply, innermost first: the process's own directory and its
   * ancestors up to the mount root when that directory is visible, else the mount root alone.
   */
  private List<Path> hierarchy(Path mount, Optional<String> ownPath) {
    List<Path> dirs = new ArrayList<>();
    Optional<Path> own = ownPath.flatMap(CgroupReader::relative).flatMap(r -> resolve(mount, r));
    if (own.isPresent() && files.isDirectory(own.get())) {
      Path dir = own.get();
      while (dir != null && !dir.equals(mount) && dirs.size() < MAX_DEPTH) {
        dirs.add(dir);
        dir = dir.getParent();
      }
    }
    dirs.add(mount);
    return dirs;
  }

  /**
   * The cgroup path as a relative path, or empty when it is not a plain absolute path: a path with
   * {@code ..} (a process outside its cgroup namespace sees {@code /../..}) must not lead the
   * reader out of the mount.
   */
  private static Optional<String> relative(String cgroupPath) {
    if (!cgroupPath.startsWith("/")) {
      return Optional.empty();
    }
    String relative = cgroupPath.substring(1);
    for (String segment : relative.split("/")) {
      if (segment.equals("..") || segment.equals(".")) {
        return Optional.empty();
      }
    }
    return Optional.of(relative);
  }

  private static Optional<Path> resolve(Path mount, String relative) {
    try {
      return Optional.of(mount.resolve(relative));
    } catch (InvalidPathException e) {
      // A path this filesystem cannot name (a NUL byte, say) cannot be our directory.
      SystemFiles.malformed(mount, relative);
      return Optional.empty();
    }
  }

  private Optional<Path> firstDirectory(Path... candidates) {
    for (Path candidate : candidates) {
      if (files.isDirectory(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  private static OptionalDouble minCpu(List<Path> dirs, Function<Path, OptionalDouble> reader) {
    OptionalDouble min = OptionalDouble.empty();
    for (Path dir : dirs) {
      OptionalDouble value = reader.apply(dir);
      if (value.isPresent() && (min.isEmpty() || value.getAsDouble() < min.getAsDouble())) {
        min = value;
      }
    }
    return min;
  }

  private static OptionalLong minMemory(List<Path> dirs, Function<Path, OptionalLong> reader) {
    OptionalLong min = OptionalLong.empty();
    for (Path dir : dirs) {
      OptionalLong value = reader.apply(dir);
      if (value.isPresent() && (min.isEmpty() || value.getAsLong() < min.getAsLong())) {
        min = value;
      }
    }
    return min;
  }
}
