package dev.optimizer.runtime.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.StringLength;

/** Properties over arbitrary file contents: the probe finds what it should and never throws. */
class PlatformProbePropertiesTest {

  @Provide
  Arbitrary<String> containerIds() {
    return Arbitraries.strings().withChars("0123456789abcdef").ofLength(64);
  }

  @Provide
  Arbitrary<String> cgroupForms() {
    return Arbitraries.of(
        "4:memory:/docker/%s",
        "0::/system.slice/docker-%s.scope",
        "0::/kubepods.slice/kubepods-pod1_2.slice/cri-containerd-%s.scope",
        "1:name=systemd:/kubepods-pod1_2.slice:cri-containerd:%s",
        "0::/kubepods/besteffort/pod1-2-3/crio-%s.scope",
        "3:cpu,cpuacct:/kubepods/burstable/pod1-2-3/%s",
        "0::/machine.slice/libpod-%s.scope/container");
  }

  @Property
  void anyIdInAnyRuntimeFormIsFound(
      @ForAll("containerIds") String id, @ForAll("cgroupForms") String form) {
    assertThat(ContainerIds.fromCgroup("12:pids:/\n" + form.formatted(id) + "\n")).contains(id);
  }

  @Property
  void containerIdParsingNeverThrowsAndOnlyReturnsIds(@ForAll String text) {
    ContainerIds.fromCgroup(text).ifPresent(id -> assertThat(id).hasSizeBetween(43, 64));
    ContainerIds.fromMountinfo(text).ifPresent(id -> assertThat(id).hasSize(64));
  }

  @Property(tries = 200)
  void arbitraryCgroupFilesNeverThrowAndGiveOnlyPositiveLimits(
      @ForAll @StringLength(max = 40) String cpuMax,
      @ForAll @StringLength(max = 40) String memoryMax,
      @ForAll @StringLength(max = 80) String procSelfCgroup,
      @ForAll boolean v1) {
    Path dir = createTempDirectory();
    try {
      FakeRoot fake = new FakeRoot(dir).file("/proc/self/cgroup", procSelfCgroup);
      if (v1) {
        fake.file("/sys/fs/cgroup/cpu/cpu.cfs_quota_us", cpuMax)
            .file("/sys/fs/cgroup/cpu/cpu.cfs_period_us", memoryMax)
            .file("/sys/fs/cgroup/memory/memory.limit_in_bytes", memoryMax);
      } else {
        fake.cgroupV2()
            .file("/sys/fs/cgroup/cpu.max", cpuMax)
            .file("/sys/fs/cgroup/memory.max", memoryMax);
      }

      PlatformInfo info =
          PlatformProbe.builder()
              .root(dir)
              .environment(Map.of())
              .availableProcessors(4)
              .build()
              .probe();

      assertThat(info.cgroupVersion()).isEqualTo(v1 ? CgroupVersion.V1 : CgroupVersion.V2);
      info.cpuLimit().ifPresent(cpus -> assertThat(cpus).isPositive());
      info.memoryLimitBytes().ifPresent(bytes -> assertThat(bytes).isPositive());
      assertThat(info.effectiveCpus()).isPositive().isLessThanOrEqualTo(4.0);
    } finally {
      deleteRecursively(dir);
    }
  }

  private static Path createTempDirectory() {
    try {
      return Files.createTempDirectory("platform-probe");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void deleteRecursively(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(PlatformProbePropertiesTest::delete);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void delete(Path path) {
    try {
      Files.delete(path);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
