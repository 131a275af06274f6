package dev.optimizer.runtime.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KubernetesDetectorTest {

  private static final String NAMESPACE_FILE =
      "/var/run/secrets/kubernetes.io/serviceaccount/namespace";

  @TempDir Path tmp;

  private Optional<KubernetesInfo> detect(FakeRoot fake, Map<String, String> env) {
    return new KubernetesDetector(env, fake.files()).detect();
  }

  @Test
  void readsNamespaceFromTheServiceAccountAndPodFromTheHostName() {
    FakeRoot fake =
        new FakeRoot(tmp)
            .file(NAMESPACE_FILE, "shop\n")
            .file("/var/run/secrets/kubernetes.io/serviceaccount/token", "secret-token");

    Optional<KubernetesInfo> info =
        detect(fake, Map.of("KUBERNETES_SERVICE_HOST", "10.0.0.1", "HOSTNAME", "web-7d4b9-x2x"));

    assertThat(info)
        .contains(new KubernetesInfo(Optional.of("shop"), Optional.of("web-7d4b9-x2x")));
    assertThat(info.orElseThrow().toString())
        .isEqualTo("shop/web-7d4b9-x2x")
        .doesNotContain("secret");
  }

  @Test
  void theServiceAccountMountAloneIsEnough() {
    FakeRoot fake =
        new FakeRoot(tmp).file("/run/secrets/kubernetes.io/serviceaccount/namespace", "ops");

    assertThat(detect(fake, Map.of()))
        .contains(new KubernetesInfo(Optional.of("ops"), Optional.empty()));
  }

  @Test
  void theServiceVariableAloneIsEnough() {
    assertThat(detect(new FakeRoot(tmp), Map.of("KUBERNETES_SERVICE_HOST", "10.0.0.1")))
        .contains(new KubernetesInfo(Optional.empty(), Optional.empty()));
  }

  @Test
  void downwardApiVariablesAreUsedWhenTheFilesSayNothing() {
    Map<String, String> env =
        Map.of(
            "KUBERNETES_SERVICE_HOST", "10.0.0.1",
            "POD_NAMESPACE", "batch",
            "POD_NAME", "job-abc12",
            "HOSTNAME", "custom-host");

    assertThat(detect(new FakeRoot(tmp), env))
        .contains(new KubernetesInfo(Optional.of("batch"), Optional.of("job-abc12")));
  }

  @Test
  void hostnameFileIsTheLastResortForThePodName() {
    FakeRoot fake = new FakeRoot(tmp).file(NAMESPACE_FILE, "shop").file("/etc/hostname", "web-1\n");

    assertThat(detect(fake, Map.of()).flatMap(KubernetesInfo::podName)).contains("web-1");
  }

  @Test
  void invalidNamesAreDropped() {
    FakeRoot fake = new FakeRoot(tmp).file(NAMESPACE_FILE, "Not_A_Namespace\n");

    Optional<KubernetesInfo> info =
        detect(fake, Map.of("HOSTNAME", "Web_1", "POD_NAME", "x".repeat(254)));

    assertThat(info).contains(new KubernetesInfo(Optional.empty(), Optional.empty()));
  }

  @Test
  void notKubernetesWithoutTheVariableOrTheMount() {
    assertThat(detect(new FakeRoot(tmp), Map.of("HOSTNAME", "laptop", "POD_NAME", "x"))).isEmpty();
  }
}
