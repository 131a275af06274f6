package dev.optimizer.runtime.platform;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds this process's container id in {@code /proc/self/cgroup} or {@code /proc/self/mountinfo}.
 *
 * <p>The cgroup path names the container on cgroup v1 and on v2 without a cgroup namespace, in
 * forms that differ by runtime: {@code /docker/<id>}, {@code /kubepods/besteffort/pod<uid>/<id>},
 * {@code docker-<id>.scope}, {@code cri-containerd-<id>.scope}, {@code crio-<id>.scope}, {@code
 * libpod-<id>.scope}, systemd's {@code ...slice:cri-containerd:<id>}, and ECS Fargate's {@code
 * /ecs/<task>/<32 hex>-<10 digits>}. With a cgroup namespace (the v2 default) the path is just
 * {@code /}, and the id can only be found in the bind mounts the runtime made for {@code
 * /etc/hostname} and friends: {@code .../containers/<id>/hostname} (Docker) or {@code
 * .../overlay-containers/<id>/userdata/hostname} (CRI-O, Podman).
 *
 * <p>Deliberately not taken: containerd's {@code .../sandboxes/<id>/hostname} names the pod's
 * sandbox, not this container, and {@code crio-conmon-<id>} names CRI-O's monitor process. A wrong
 * id is worse than none, because it would join this process's telemetry to another container's.
 */
final class ContainerIds {

  /**
   * One path segment holding an id: bare, or after a runtime prefix, optionally a systemd scope.
   */
  private static final Pattern CGROUP_SEGMENT =
      Pattern.compile("^(?:([A-Za-z0-9_.:-]*)[-:])?([0-9a-f]{64})(?:\\.scope)?$");

  private static final Pattern ECS_FARGATE_ID = Pattern.compile("^[0-9a-f]{32}-[0-9]{10}$");

  private static final Pattern HEX64 = Pattern.compile("^[0-9a-f]{64}$");

  private ContainerIds() {}

  /** The container id named by the cgroup paths in {@code /proc/self/cgroup}, if any. */
  static Optional<String> fromCgroup(String procSelfCgroup) {
    for (String line : procSelfCgroup.split("\n")) {
      String[] fields = line.split(":", 3);
      if (fields.length != 3) {
        continue;
      }
      Optional<String> id = fromCgroupPath(fields[2].trim());
      if (id.isPresent()) {
        return id;
      }
    }
    return Optional.empty();
  }

  /**
   * The id in one cgroup path, looking from the innermost segment outwards: with nested containers
   * ({@code /docker/<outer>/docker/<inner>}) the innermost one is this process's.
   */
  static Optional<String> fromCgroupPath(String path) {
    String[] segments = path.split("/");
    for (int i = segments.length - 1; i >= 0; i--) {
      String segment = segments[i];
      Matcher matcher = CGROUP_SEGMENT.matcher(segment);
      if (matcher.matches()) {
        String prefix = matcher.group(1);
        if (prefix != null && prefix.contains("conmon")) {
          continue;
        }
        return Optional.of(matcher.group(2));
      }
      if (ECS_FARGATE_ID.matcher(segment).matches()) {
        return Optional.of(segment);
      }
    }
    return Optional.empty();
  }

  /** The container id named by a runtime's bind mounts in {@code /proc/self/mountinfo}, if any. */
  static Optional<String> fromMountinfo(String mountinfo) {
    for (String line : mountinfo.split("\n")) {
      // Field 4 is the mounted path inside its filesystem, e.g.
      // /var/lib/docker/containers/<id>/hostname; the rest of the line is not looked at so that
      // overlay options (upperdir=.../overlay2/<layer id>/diff) cannot be mistaken for an id.
      String[] fields = line.trim().split(" ");
      if (fields.length < 5) {
        continue;
      }
      String[] segments = fields[3].split("/");
      for (int i = 1; i < segments.length; i++) {
        String parent = segments[i - 1];
        if ((parent.equals("containers") || parent.equals("overlay-containers"))
            && HEX64.matcher(segments[i]).matches()) {
          return Optional.of(segments[i]);
        }
      }
    }
    return Optional.empty();
  }
}
