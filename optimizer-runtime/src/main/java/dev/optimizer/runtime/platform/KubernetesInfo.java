package dev.optimizer.runtime.platform;

import java.util.Objects;
import java.util.Optional;

/**
 * Where in Kubernetes the process runs. Present in {@link PlatformInfo#kubernetes()} whenever
 * Kubernetes was detected, even when the namespace or pod name could not be read.
 */
public final class KubernetesInfo {

  private final Optional<String> namespace;
  private final Optional<String> podName;

  KubernetesInfo(Optional<String> namespace, Optional<String> podName) {
    this.namespace = Objects.requireNonNull(namespace, "namespace");
    this.podName = Objects.requireNonNull(podName, "podName");
  }

  /** The namespace ({@code k8s.namespace.name}), from the service account mount. */
  public Optional<String> namespace() {
    return namespace;
  }

  /** The pod name ({@code k8s.pod.name}), from {@code POD_NAME} or the host name. */
  public Optional<String> podName() {
    return podName;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KubernetesInfo other
        && namespace.equals(other.namespace)
        && podName.equals(other.podName);
  }

  @Override
  public int hashCode() {
    return Objects.hash(namespace, podName);
  }

  /** {@code namespace/pod}, with {@code ?} for a part that is unknown. */
  @Override
  public String toString() {
    return namespace.orElse("?") + "/" + podName.orElse("?");
  }
}
