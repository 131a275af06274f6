package dev.optimizer.runtime.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlatformProbeTest {

  private static final String ID = ContainerIdsTest.ID;

  @TempDir Path tmp;

  /** A ticker that advances by {@code step} nanoseconds at each reading. */
  private static dev.optimizer.api.Ticker stepping(long step) {
    AtomicLong now = new AtomicLong();
    return () -> now.getAndAdd(step);
  }

  private static PlatformProbe.Builder probe(FakeRoot fake, Map<String, String> env) {
    return PlatformProbe.builder()
        .root(fake.root)
        .environment(env)
        .availableProcessors(8)
        .maxMemory(128L << 20)
        .ticker(stepping(1_500_000));
  }

  @Test
  void podOnAwsWithCgroupV2Limits() {
    String leaf =
        "/sys/fs/cgroup/kubepods.slice/kubepods-pod1.slice/cri-containerd-" + ID + ".scope";
    FakeRoot fake =
        new FakeRoot(tmp)
            .cgroupV2()
            .file(leaf + "/cpu.max", "200000 100000\n")
            .file(leaf + "/memory.max", "536870912\n")
            .file(
                "/proc/self/cgroup",
                "0::/kubepods.slice/kubepods-pod1.slice/cri-containerd-" + ID + ".scope\n")
            .file("/var/run/secrets/kubernetes.io/serviceaccount/namespace", "shop\n")
            .file("/sys/class/dmi/id/sys_vendor", "Amazon EC2\n");
    Map<String, String> env =
        Map.of(
            "KUBERNETES_SERVICE_HOST", "10.0.0.1",
            "HOSTNAME", "web-7d4b9-x2x",
            "AWS_REGION", "eu-central-1",
            "AWS_SECRET_ACCESS_KEY", "do-not-leak");

    PlatformInfo info = probe(fake, env).build().probe();

    assertThat(info.effectiveCpus()).isEqualTo(2.0);
    assertThat(info.availableProcessors()).isEqualTo(8);
    assertThat(info.cpuLimit()).hasValue(2.0);
    assertThat(info.memoryLimitBytes()).hasValue(512L << 20);
    assertThat(info.maxHeapBytes()).isEqualTo(128L << 20);
    assertThat(info.cgroupVersion()).isEqualTo(CgroupVersion.V2);
    assertThat(info.containerId()).contains(ID);
    assertThat(info.kubernetes())
        .contains(new KubernetesInfo(Optional.of("shop"), Optional.of("web-7d4b9-x2x")));
    assertThat(info.cloudProvider()).isEqualTo(CloudProvider.AWS);
    assertThat(info.cloudService()).contains("ec2");
    assertThat(info.cloudPlatform()).contains("aws_ec2");
    assertThat(info.cloudRegion()).contains("eu-central-1");
    assertThat(info.probeDuration()).isEqualTo(Duration.ofNanos(1_500_000));
    assertThat(info.attributes())
        .containsExactly(
            entry("cloud.provider", "aws"),
            entry("cloud.platform", "aws_ec2"),
            entry("cloud.region", "eu-central-1"),
            entry("container.id", ID),
            entry("k8s.namespace.name", "shop"),
            entry("k8s.pod.name", "web-7d4b9-x2x"),
            entry("optimizer.platform.cpus.effective", "2.0"),
            entry("optimizer.platform.cpus.available", "8"),
            entry("optimizer.platform.memory.limit", "536870912"),
            entry("optimizer.platform.cgroup.version", "v2"));
    assertThat(info.toString())
        .isEqualTo(
            "PlatformInfo{cpus=2.0 (available 8, limit 2.0), memory=512 MiB, heap=128 MiB,"
                + " cgroup=v2, container="
                + ID.substring(0, 12)
                + ", k8s=shop/web-7d4b9-x2x, cloud=aws/ec2 eu-central-1, probed in 1.5 ms}");
    assertThat(info.toString() + info.attributes()).doesNotContain("do-not-leak");
  }

  @Test
  void lambdaWithoutCgroups() {
    Map<String, String> env =
        Map.of("AWS_LAMBDA_FUNCTION_NAME", "orders", "AWS_REGION", "us-east-1");

    PlatformInfo info = probe(new FakeRoot(tmp), env).build().probe();

    assertThat(info.cgroupVersion()).isEqualTo(CgroupVersion.NONE);
    assertThat(info.effectiveCpus()).isEqualTo(8.0);
    assertThat(info.cpuLimit()).isEmpty();
    assertThat(info.memoryLimitBytes()).isEmpty();
    assertThat(info.containerId()).isEmpty();
    assertThat(info.kubernetes()).isEmpty();
    assertThat(info.cloudService()).contains("lambda");
    assertThat(info.attributes())
        .containsExactly(
            entry("cloud.provider", "aws"),
            entry("cloud.platform", "aws_lambda"),
            entry("cloud.region", "us-east-1"),
            entry("optimizer.platform.cpus.effective", "8.0"),
            entry("optimizer.platform.cpus.available", "8"),
            entry("optimizer.platform.cgroup.version", "none"));
    assertThat(info.toString())
        .isEqualTo(
            "PlatformInfo{cpus=8.0 (available 8), memory=unlimited, heap=128 MiB, cgroup=none,"
                + " cloud=aws/lambda us-east-1, probed in 1.5 ms}");
  }

  @Test
  void nothingFoundAtAll() {
    PlatformInfo info = probe(new FakeRoot(tmp), Map.of()).build().probe();

    assertThat(info.cloudProvider()).isEqualTo(CloudProvider.NONE);
    assertThat(info.cloudService()).isEmpty();
    assertThat(info.cloudPlatform()).isEmpty();
    assertThat(info.cloudRegion()).isEmpty();
    assertThat(info.attributes()).doesNotContainKeys("cloud.provider", "container.id");
  }

  @Test
  void effectiveCpusIsTheSmallerOfQuotaAndProcessors() {
    FakeRoot fake = new FakeRoot(tmp).cgroupV2().file("/sys/fs/cgroup/cpu.max", "400000 100000\n");
    PlatformProbe.Builder oneProcessor =
        PlatformProbe.builder().root(fake.root).environment(Map.of()).availableProcessors(1);

    assertThat(oneProcessor.build().probe().effectiveCpus()).isEqualTo(1.0);
    assertThat(probe(fake, Map.of()).build().probe().effectiveCpus()).isEqualTo(4.0);
  }

  @Test
  void fractionalQuota() {
    FakeRoot fake = new FakeRoot(tmp).cgroupV2().file("/sys/fs/cgroup/cpu.max", "50000 100000\n");

    assertThat(probe(fake, Map.of()).build().probe().effectiveCpus()).isEqualTo(0.5);
  }

  @Test
  void containerIdFromMountinfoWhenTheCgroupPathIsNamespaced() {
    FakeRoot fake =
        new FakeRoot(tmp)
            .cgroupV2()
            .file("/proc/self/cgroup", "0::/\n")
            .file(
                "/proc/self/mountinfo",
                "641 620 254:1 /var/lib/docker/containers/"
                    + ID
                    + "/hostname /etc/hostname rw,relatime - ext4 /dev/vda1 rw\n");

    assertThat(probe(fake, Map.of()).build().probe().containerId()).contains(ID);
  }

  @Test
  void containerIdFromCgroupV1() {
    FakeRoot fake =
        new FakeRoot(tmp)
            .file("/sys/fs/cgroup/memory/memory.limit_in_bytes", "9223372036854771712\n")
            .file("/proc/self/cgroup", "4:memory:/docker/" + ID + "\n3:cpu,cpuacct:/docker/" + ID);

    PlatformInfo info = probe(fake, Map.of()).build().probe();

    assertThat(info.containerId()).contains(ID);
    assertThat(info.cgroupVersion()).isEqualTo(CgroupVersion.V1);
    assertThat(info.memoryLimitBytes()).isEmpty();
  }

  @Test
  void eachCloudVariantMapsToItsSemanticConventionValues() {
    Map<Map<String, String>, String> cases =
        Map.of(
            Map.of("ECS_CONTAINER_METADATA_URI_V4", "http://x"), "aws/aws_ecs/ecs",
            Map.of("FUNCTIONS_WORKER_RUNTIME", "java"), "azure/azure_functions/functions",
            Map.of("WEBSITE_SITE_NAME", "a"), "azure/azure_app_service/app-service",
            Map.of("CONTAINER_APP_NAME", "a"), "azure/azure_container_apps/container-apps",
            Map.of("FUNCTION_TARGET", "h"), "gcp/gcp_cloud_functions/cloud-functions",
            Map.of("K_SERVICE", "s", "K_REVISION", "r"), "gcp/gcp_cloud_run/cloud-run");
    cases.forEach(
        (env, expected) -> {
          PlatformInfo info = probe(new FakeRoot(tmp), env).build().probe();
          Map<String, String> attributes = info.attributes();
          assertThat(
                  attributes.get("cloud.provider")
                      + "/"
                      + attributes.get("cloud.platform")
                      + "/"
                      + info.cloudService().orElseThrow())
              .as("%s", env)
              .isEqualTo(expected);
        });
  }

  @Test
  void azureVmAndGceFromDmi() {
    FakeRoot azure =
        new FakeRoot(tmp.resolve("azure"))
            .file("/sys/class/dmi/id/sys_vendor", "Microsoft Corporation\n")
            .file("/sys/class/dmi/id/product_name", "Virtual Machine\n");
    FakeRoot google =
        new FakeRoot(tmp.resolve("google"))
            .file("/sys/class/dmi/id/product_name", "Google Compute Engine\n");

    assertThat(probe(azure, Map.of()).build().probe().attributes())
        .containsEntry("cloud.platform", "azure_vm");
    assertThat(probe(google, Map.of()).build().probe().attributes())
        .containsEntry("cloud.platform", "gcp_compute_engine")
        .containsEntry("cloud.provider", "gcp");
  }

  @Test
  void malformedFilesEverywhereAreTreatedAsAbsent() {
    FakeRoot fake =
        new FakeRoot(tmp)
            .cgroupV2()
            .file("/sys/fs/cgroup/cpu.max", "\u0000\u0001garbage\n")
            .file("/sys/fs/cgroup/memory.max", "NaN\n")
            .file("/proc/self/cgroup", "::::\n0::/\u0000bad\n\n")
            .file("/proc/self/mountinfo", "x\n")
            .file("/var/run/secrets/kubernetes.io/serviceaccount/namespace", "\n\n")
            .file("/sys/class/dmi/id/sys_vendor", "\uFFFF\n")
            .dir("/sys/class/dmi/id/product_name");

    PlatformInfo info = probe(fake, Map.of()).build().probe();

    assertThat(info.cgroupVersion()).isEqualTo(CgroupVersion.V2);
    assertThat(info.cpuLimit()).isEmpty();
    assertThat(info.memoryLimitBytes()).isEmpty();
    assertThat(info.containerId()).isEmpty();
    assertThat(info.kubernetes()).isEmpty();
    assertThat(info.cloudProvider()).isEqualTo(CloudProvider.NONE);
  }

  @Test
  void theEnvironmentIsCopied() {
    Map<String, String> env = new HashMap<>(Map.of("CONTAINER_APP_NAME", "a"));
    PlatformProbe probe = probe(new FakeRoot(tmp), env).build();
    env.clear();

    assertThat(probe.probe().cloudProvider()).isEqualTo(CloudProvider.AZURE);
  }

  @Test
  void probesOfTheSameStateAreEqual() {
    FakeRoot fake = new FakeRoot(tmp).cgroupV2().file("/sys/fs/cgroup/cpu.max", "100000 100000\n");

    PlatformInfo first = probe(fake, Map.of("K_SERVICE", "s", "K_REVISION", "r")).build().probe();
    PlatformInfo second = probe(fake, Map.of("K_SERVICE", "s", "K_REVISION", "r")).build().probe();

    assertThat(first).isEqualTo(second).hasSameHashCodeAs(second);
    assertThat(first).isNotEqualTo(probe(fake, Map.of()).build().probe());
  }

  @Test
  void builderRefusesBadAndRepeatedSettings() {
    assertThatThrownBy(() -> PlatformProbe.builder().availableProcessors(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("availableProcessors must be in [1, 2147483647], but was 0");
    assertThatThrownBy(() -> PlatformProbe.builder().maxMemory(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxMemory must be in [1, 9223372036854775807], but was -1");
    assertThatThrownBy(() -> PlatformProbe.builder().root(tmp).root(tmp))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("root was already set");
    assertThatThrownBy(() -> PlatformProbe.builder().root(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("root must not be null");
    Map<String, String> withNull = new HashMap<>();
    withNull.put("AWS_REGION", null);
    assertThatThrownBy(() -> PlatformProbe.builder().environment(withNull))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "environment must not contain null names or values, but had a null value for AWS_REGION");
  }

  @Test
  void bytesAreShownInBinaryUnits() {
    assertThat(PlatformInfo.bytes(512)).isEqualTo("512 B");
    assertThat(PlatformInfo.bytes(1536)).isEqualTo("1.5 KiB");
    assertThat(PlatformInfo.bytes(512L << 20)).isEqualTo("512 MiB");
    assertThat(PlatformInfo.bytes(3L << 30)).isEqualTo("3 GiB");
    assertThat(PlatformInfo.bytes(Long.MAX_VALUE)).isEqualTo("8 EiB");
  }

  @Test
  void probesTheRealMachineQuicklyWithoutThrowing() {
    long start = System.nanoTime();

    PlatformInfo info = PlatformProbe.create().probe();

    Duration took = Duration.ofNanos(System.nanoTime() - start);
    // The target is 50 ms; the bound is generous because build machines are shared and slow.
    assertThat(took).isLessThan(Duration.ofSeconds(2));
    assertThat(info.probeDuration()).isLessThanOrEqualTo(took);
    assertThat(info.effectiveCpus()).isPositive().isLessThanOrEqualTo(info.availableProcessors());
    assertThat(info.toString()).startsWith("PlatformInfo{cpus=");
    assertThat(info.attributes()).containsKey("optimizer.platform.cgroup.version");
  }
}
