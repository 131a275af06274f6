package dev.optimizer.runtime.platform;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * What {@link PlatformProbe} found: the CPUs and memory this process may really use, its cgroup,
 * container, Kubernetes pod and cloud. Immutable.
 *
 * <p>Holds no secrets and no environment values other than the hints parsed from them (a region, a
 * namespace, a pod name), so it is safe to log and to export as telemetry resource attributes.
 */
public final class PlatformInfo {

  private final double effectiveCpus;
  private final int availableProcessors;
  private final CgroupLimits cgroup;
  private final long maxHeapBytes;
  private final Optional<String> containerId;
  private final Optional<KubernetesInfo> kubernetes;
  private final CloudDetector.Hint cloud;
  private final Duration probeDuration;

  PlatformInfo(
      int availableProcessors,
      long maxHeapBytes,
      CgroupLimits cgroup,
      Optional<String> containerId,
      Optional<KubernetesInfo> kubernetes,
      CloudDetector.Hint cloud,
      Duration probeDuration) {
    this.availableProcessors = availableProcessors;
    this.maxHeapBytes = maxHeapBytes;
    this.cgroup = Objects.requireNonNull(cgroup, "cgroup");
    this.containerId = Objects.requireNonNull(containerId, "containerId");
    this.kubernetes = Objects.requireNonNull(kubernetes, "kubernetes");
    this.cloud = Objects.requireNonNull(cloud, "cloud");
    this.probeDuration = Objects.requireNonNull(probeDuration, "probeDuration");
    // The JVM's count already reflects CPU affinity (cpusets); the quota can only lower it.
    this.effectiveCpus =
        cgroup.cpuLimit().isPresent()
            ? Math.min(availableProcessors, cgroup.cpuLimit().getAsDouble())
            : availableProcessors;
  }

  /**
   * The CPUs this process may use: the smaller of {@link Runtime#availableProcessors()} and the
   * cgroup CPU quota. May be fractional (a quota of half a CPU gives 0.5).
   */
  public double effectiveCpus() {
    return effectiveCpus;
  }

  /** {@link Runtime#availableProcessors()} at the time of the probe (or the injected value). */
  public int availableProcessors() {
    return availableProcessors;
  }

  /** The cgroup CPU quota in CPUs (quota / period); empty when there is none. */
  public OptionalDouble cpuLimit() {
    return cgroup.cpuLimit();
  }

  /** The cgroup hard memory limit in bytes; empty when there is none. */
  public OptionalLong memoryLimitBytes() {
    return cgroup.memoryLimitBytes();
  }

  /** {@link Runtime#maxMemory()} at the time of the probe (or the injected value). */
  public long maxHeapBytes() {
    return maxHeapBytes;
  }

  /** The cgroup hierarchy the limits were read from. */
  public CgroupVersion cgroupVersion() {
    return cgroup.version();
  }

  /** The container id (64 hex digits, or ECS Fargate's form); empty when not found. */
  public Optional<String> containerId() {
    return containerId;
  }

  /** The Kubernetes namespace and pod; empty when not running in Kubernetes. */
  public Optional<KubernetesInfo> kubernetes() {
    return kubernetes;
  }

  /** The cloud provider the hints point to; {@link CloudProvider#NONE} when there are none. */
  public CloudProvider cloudProvider() {
    return cloud.provider();
  }

  /**
   * The kind of cloud service: {@code "lambda"}, {@code "ecs"}, {@code "ec2"}, {@code "functions"},
   * {@code "app-service"}, {@code "container-apps"}, {@code "vm"}, {@code "cloud-functions"},
   * {@code "cloud-run"} or {@code "gce"}; empty when no cloud was detected.
   */
  public Optional<String> cloudService() {
    return cloud.service().map(CloudService::kind);
  }

  /** The OpenTelemetry {@code cloud.platform} value, e.g. {@code "aws_lambda"}; may be empty. */
  public Optional<String> cloudPlatform() {
    return cloud.service().map(CloudService::platform);
  }

  /** The region, when an environment variable of the detected cloud names one. */
  public Optional<String> cloudRegion() {
    return cloud.region();
  }

  /** How long the probe took. */
  public Duration probeDuration() {
    return probeDuration;
  }

  /**
   * The findings as telemetry resource attributes, in a stable order. OpenTelemetry
   * semantic-convention names where they exist ({@code cloud.provider}, {@code cloud.platform},
   * {@code cloud.region}, {@code container.id}, {@code k8s.namespace.name}, {@code k8s.pod.name});
   * the limits, which have none, under {@code optimizer.platform.*}. Unknown values are left out.
   */
  public Map<String, String> attributes() {
    Map<String, String> attributes = new LinkedHashMap<>();
    cloudProvider().semanticConventionValue().ifPresent(v -> attributes.put("cloud.provider", v));
    cloudPlatform().ifPresent(v -> attributes.put("cloud.platform", v));
    cloudRegion().ifPresent(v -> attributes.put("cloud.region", v));
    containerId.ifPresent(v -> attributes.put("container.id", v));
    kubernetes
        .flatMap(KubernetesInfo::namespace)
        .ifPresent(v -> attributes.put("k8s.namespace.name", v));
    kubernetes.flatMap(KubernetesInfo::podName).ifPresent(v -> attributes.put("k8s.pod.name", v));
    attributes.put("optimizer.platform.cpus.effective", Double.toString(effectiveCpus));
    attributes.put("optimizer.platform.cpus.available", Integer.toString(availableProcessors));
    memoryLimitBytes()
        .ifPresent(v -> attributes.put("optimizer.platform.memory.limit", Long.toString(v)));
    attributes.put("optimizer.platform.cgroup.version", cgroup.version().label());
    return Collections.unmodifiableMap(attributes);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PlatformInfo other
        && availableProcessors == other.availableProcessors
        && maxHeapBytes == other.maxHeapBytes
        && cgroup.equals(other.cgroup)
        && containerId.equals(other.containerId)
        && kubernetes.equals(other.kubernetes)
        && cloud.equals(other.cloud)
        && probeDuration.equals(other.probeDuration);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        availableProcessors, maxHeapBytes, cgroup, containerId, kubernetes, cloud, probeDuration);
  }

  /**
   * One line for logs, e.g. {@code PlatformInfo{cpus=2.0 (available 8, limit 2.0), memory=512 MiB,
   * heap=128 MiB, cgroup=v2, container=0123456789ab, k8s=shop/web-1, cloud=aws/ecs us-east-1,
   * probed in 1.2 ms}}. The container id is shortened to 12 digits, as {@code docker ps} shows it.
   */
  @Override
  public String toString() {
    StringBuilder s = new StringBuilder("PlatformInfo{cpus=").append(effectiveCpus);
    s.append(" (available ").append(availableProcessors);
    cgroup.cpuLimit().ifPresent(limit -> s.append(", limit ").append(limit));
    s.append("), memory=")
        .append(
            memoryLimitBytes().isPresent() ? bytes(memoryLimitBytes().getAsLong()) : "unlimited");
    s.append(", heap=").append(bytes(maxHeapBytes));
    s.append(", cgroup=").append(cgroup.version().label());
    containerId.ifPresent(id -> s.append(", container=").append(id, 0, Math.min(12, id.length())));
    kubernetes.ifPresent(k -> s.append(", k8s=").append(k));
    cloud
        .service()
        .ifPresent(
            service -> {
              s.append(", cloud=").append(service.provider().semanticConventionValue().orElse(""));
              s.append('/').append(service.kind());
              cloud.region().ifPresent(region -> s.append(' ').append(region));
            });
    s.append(", probed in ")
        .append(String.format(Locale.ROOT, "%.1f ms", probeDuration.toNanos() / 1e6));
    return s.append('}').toString();
  }

  /**
   * Bytes in binary units, e.g. {@code 512 MiB}; exact byte counts stay in {@link #attributes()}.
   */
  static String bytes(long bytes) {
    String[] units = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    double value = bytes;
    int unit = 0;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit++;
    }
    return unit == 0
        ? bytes + " B"
        : String.format(
            Locale.ROOT, value == Math.rint(value) ? "%.0f %s" : "%.1f %s", value, units[unit]);
  }
}
