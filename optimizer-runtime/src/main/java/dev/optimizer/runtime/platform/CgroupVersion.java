package dev.optimizer.runtime.platform;

/** Which cgroup hierarchy the CPU and memory limits were read from. */
public enum CgroupVersion {
  /**
   * The legacy per-controller hierarchies ({@code /sys/fs/cgroup/cpu}, {@code .../memory}), also on
   * hybrid hosts that mount the unified hierarchy beside them, since the limits live in v1 there.
   */
  V1("v1"),
  /** The unified hierarchy ({@code /sys/fs/cgroup/cgroup.controllers} exists). */
  V2("v2"),
  /** No cgroup filesystem was found (not Linux, or {@code /sys/fs/cgroup} not mounted). */
  NONE("none");

  private final String label;

  CgroupVersion(String label) {
    this.label = label;
  }

  /**
   * A short lower-case label for logs and attributes: {@code "v1"}, {@code "v2"}, {@code "none"}.
   */
  public String label() {
    return label;
  }
}
