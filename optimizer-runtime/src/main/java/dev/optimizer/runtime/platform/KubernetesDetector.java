package dev.optimizer.runtime.platform;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Detects Kubernetes from the variables the kubelet injects into every container and from the
 * service account mount, and reads the namespace and pod name.
 *
 * <p>Only the {@code namespace} file of the service account mount is read; the token beside it is
 * never opened. The pod name is {@code POD_NAME} when the deployment sets it through the downward
 * API, else the host name, which Kubernetes sets to the pod name unless the pod spec overrides it.
 * Values that are not valid Kubernetes names are dropped rather than recorded.
 */
final class KubernetesDetector {

  private static final List<String> NAMESPACE_FILES =
      List.of(
          "/var/run/secrets/kubernetes.io/serviceaccount/namespace",
          "/run/secrets/kubernetes.io/serviceaccount/namespace");

  /** A DNS-1123 label, the form of a namespace name. */
  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

  /** A DNS-1123 subdomain, the form of a pod name. */
  private static final Pattern DNS_SUBDOMAIN =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

  private static final int MAX_SUBDOMAIN_LENGTH = 253;

  private final Map<String, String> env;
  private final SystemFiles files;

  KubernetesDetector(Map<String, String> env, SystemFiles files) {
    this.env = env;
    this.files = files;
  }

  /** What is known about the pod, or empty when not in Kubernetes. */
  Optional<KubernetesInfo> detect() {
    Optional<String> namespaceFile = Optional.empty();
    for (String path : NAMESPACE_FILES) {
      namespaceFile = files.firstLine(path);
      if (namespaceFile.isPresent()) {
        break;
      }
    }
    if (namespaceFile.isEmpty() && !has("KUBERNETES_SERVICE_HOST")) {
      return Optional.empty();
    }
    Optional<String> namespace =
        namespaceFile.or(() -> variable("POD_NAMESPACE")).filter(KubernetesDetector::isLabel);
    Optional<String> pod =
        variable("POD_NAME")
            .filter(KubernetesDetector::isSubdomain)
            .or(() -> variable("HOSTNAME").filter(KubernetesDetector::isSubdomain))
            .or(() -> files.firstLine("/etc/hostname").filter(KubernetesDetector::isSubdomain));
    return Optional.of(new KubernetesInfo(namespace, pod));
  }

  private boolean has(String variable) {
    return variable(variable).isPresent();
  }

  private Optional<String> variable(String name) {
    return Optional.ofNullable(env.get(name)).map(String::trim).filter(v -> !v.isEmpty());
  }

  private static boolean isLabel(String value) {
    return DNS_LABEL.matcher(value).matches();
  }

  private static boolean isSubdomain(String value) {
    return value.length() <= MAX_SUBDOMAIN_LENGTH && DNS_SUBDOMAIN.matcher(value).matches();
  }
}
