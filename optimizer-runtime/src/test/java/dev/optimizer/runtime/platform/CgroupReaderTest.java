package dev.optimizer.runtime.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CgroupReaderTest {

  private static final long MIB = 1024 * 1024;

  @TempDir Path tmp;

  private CgroupLimits read(FakeRoot fake, String procSelfCgroup) {
    return new CgroupReader(fake.files()).read(procSelfCgroup);
  }

  @Test
  void v2WithLimits() {
    FakeRoot fake =
        new FakeRoot(tmp)
            .cgroupV2()
            .file("/sys/fs/cgroup/cpu.max", "200000 100000\n")
            .file("/sys/fs/cgroup/memory.max", "536870912\n");

    CgroupLimits limits = read(fake, "0::/\n");

    assertThat(limits.version()).isEqualTo(CgroupVersion.V2);
    assertThat(limits.cpuLimit()).hasValue(2.0);
    assertThat(limits.memoryLimitBytes()).hasValue(512 * MIB);
  }

  @Test
  void v2WithoutLimits() {
    FakeRoot fake =
        new FakeRoot(tmp)
            .cgroupV2()
            .file("/sys/fs/cgroup/cpu.max", "max 100000\n")
            .file("/sys/fs/cgroup/memory.max", "max\n");

    CgroupLimits limits = read(fake, "0::/\n");

    assertThat(limits.version()).isEqualTo(CgroupVersion.V2);
    assertThat(limits.cpuLimit()).isEmpty();
    assertThat(limits.memoryLimitBytes()).isEmpty();
  }

  @Test
  void v2FractionalCpu() {
    FakeRoot fake = new FakeRoot(tmp).cgroupV2().file("/sys/fs/cgroup/cpu.max", "50000 100000\n");

    assertThat(read(fake, "0::/\n").cpuLimit()).hasValue(0.5);
  }

  @Test
  void v2NestedPathTakesTheSmallestLimitOnTheWayUp() {
    String pod = "/sys/fs/cgroup/kubepods.slice/kubepods-pod1.slice";
    String container = pod + "/cri-containerd-abc.scope";
    FakeRoot fake =
        new FakeRoot(tmp)
            .cgroupV2()
            .file("/sys/fs/cgroup/cpu.max", "max 100000\n")
            .file(pod + "/cpu.max", "150000 100000\n")
            .file(pod + "/memory.max", "1073741824\n")
            .file(container + "/cpu.max", "400000 100000\n")
            .file(container + "/memory.max", "max\n");

    CgroupLimits limits =
        read(fake, "0::/kubepods.slice/kubepods-pod1.slice/cri-containerd-abc.scope\n");

    assertThat(limits.cpuLimit()).hasValue(1.5);
    assertThat(limits.memoryLimitBytes()).hasValue(1024 * MIB);
  }

  @Test
  void v2NestedPathWithTheLimitInTheLeaf() {
    String leaf = "/sys/fs/cgroup/system.slice/app.service";
    FakeRoot fake =
        new FakeRoot(tmp)
            .cgroupV2()
            .file(leaf + "/cpu.max", "300000 100000\n")
            .file(leaf + "/memory.max", "268435456\n")
            .file("/sys/fs/cgroup/system.slice/cpu.max", "max 100000\n");

    CgroupLimits limits = read(fake, "0::/system.slice/app.service\n");

    assertThat(limits.cpuLimit()).hasValue(3.0);
    assertThat(limits.memoryLimitBytes()).hasValue(256 * MIB);
  }

  @Test
  void v2InvisiblePathFallsBackToTheMountRoot() {
    FakeRoot fake =
        new FakeRoot(tmp)
            .cgroupV2()
            .file("/sys/fs/cgroup/cpu.max", "100000 100000\n")
            .file("/sys/fs/cgroup/memory.max", "134217728\n");

    CgroupLimits limits = read(fake, "0::/system.slice/docker-0123.scope\n");

    assertThat(limits.cpuLimit()).hasValue(1.0);
    assertThat(limits.memoryLimitBytes()).hasValue(128 * MIB);
  }

  @Test
  void v2PathLeavingTheNamespaceFallsBackToTheMountRoot() {
    FakeRoot fake =
        new FakeRoot(tmp)
            .cgroupV2()
            .file("/sys/fs/cgroup/cpu.max", "100000 100000\n")
            .file("/sys/cpu.max", "1000 100000\n");

    assertThat(read(fake, "0::/../..\n").cpuLimit()).hasValue(1.0);
  }

  @Test
  void v2WithUnreadableProcSelfCgroupUsesTheMountRoot() {
    FakeRoot fake = new FakeRoot(tmp).cgroupV2().file("/sys/fs/cgroup/cpu.max", "200000 100000\n");

    assertThat(read(fake, "").cpuLimit()).hasValue(2.0);
  }

  @Test
  void v1WithLimits() {
    FakeRoot fake =
        new FakeRoot(tmp)
            .file("/sys/fs/cgroup/cpu/cpu.cfs_quota_us", "150000\n")
            .file("/sys/fs/cgroup/cpu/cpu.cfs_period_us", "100000\n")
            .file("/sys/fs/cgroup/memory/memory.limit_in_bytes", "268435456\n");

    CgroupLimits limits = read(fake, "4:memory:/\n3:cpu,cpuacct:/\n");

    assertThat(limits.version()).isEqualTo(CgroupVersion.V1);
    assertThat(limits.cpuLimit()).hasValue(1.5);
    assertThat(limits.memoryLimitBytes()).hasValue(256 * MIB);
  }

  @Test
  void v1UnlimitedValues() {
    FakeRoot fake =
        new FakeRoot(tmp)
            .file("/sys/fs/cgroup/cpu/cpu.cfs_quota_us", "-1\n")
            .file("/sys/fs/cgroup/cpu/cpu.cfs_period_us", "100000\n")
            .file("/sys/fs/cgroup/memory/memory.limit_in_bytes", "9223372036854771712\n");

    CgroupLimits limits = read(fake, "");

    assertThat(limits.version()).isEqualTo(CgroupVersion.V1);
    assertThat(limits.cpuLimit()).isEmpty();
    assertThat(limits.memoryLimitBytes()).isEmpty();
  }

  @Test
  void v1CombinedControllerDirectoryAndNestedPath() {
    String cpu = "/sys/fs/cgroup/cpu,cpuacct/docker/abc";
    String memory = "/sys/fs/cgroup/memory/docker/abc";
    FakeRoot fake =
        new FakeRoot(tmp)
            .file(cpu + "/cpu.cfs_quota_us", "25000\n")
            .file(cpu + "/cpu.cfs_period_us", "100000\n")
            .file("/sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us", "-1\n")
            .file(memory + "/memory.limit_in_bytes", "9223372036854771712\n")
            .file("/sys/fs/cgroup/memory/docker/memory.limit_in_bytes", "1073741824\n");

    CgroupLimits limits = read(fake, "11:memory:/docker/abc\n4:cpuacct,cpu:/docker/abc\n");

    assertThat(limits.cpuLimit()).hasValue(0.25);
    assertThat(limits.memoryLimitBytes()).hasValue(1024 * MIB);
  }

  @Test
  void v1InvisiblePathFallsBackToTheMountRoot() {
    FakeRoot fake =
        new FakeRoot(tmp)
            .file("/sys/fs/cgroup/cpu/cpu.cfs_quota_us", "200000\n")
            .file("/sys/fs/cgroup/cpu/cpu.cfs_period_us", "100000\n");

    CgroupLimits limits = read(fake, "3:cpu,cpuacct:/docker/0123\n");

    assertThat(limits.cpuLimit()).hasValue(2.0);
    assertThat(limits.memoryLimitBytes()).isEmpty();
  }

  @Test
  void hybridLayoutReadsTheV1Controllers() {
    FakeRoot fake =
        new FakeRoot(tmp)
            .dir("/sys/fs/cgroup/unified")
            .file("/sys/fs/cgroup/unified/cgroup.controllers", "")
            .file("/sys/fs/cgroup/memory/memory.limit_in_bytes", "268435456\n");

    CgroupLimits limits = read(fake, "0::/\n4:memory:/\n");

    assertThat(limits.version()).isEqualTo(CgroupVersion.V1);
    assertThat(limits.memoryLimitBytes()).hasValue(256 * MIB);
  }

  @Test
  void noCgroupFilesystem() {
    assertThat(read(new FakeRoot(tmp), "")).isEqualTo(CgroupLimits.NONE);
  }

  @Test
  void malformedV2FilesCountAsNoLimit() {
    String[] cpuValues = {"abc", "100000", "0 100000", "-5 100000", "100000 0", "1 2 3", "max"};
    String[] memoryValues = {"lots", "-1", "0", "12.5", "", "99999999999999999999"};
    for (int i = 0; i < Math.max(cpuValues.length, memoryValues.length); i++) {
      FakeRoot fake =
          new FakeRoot(tmp.resolve("case" + i))
              .cgroupV2()
              .file("/sys/fs/cgroup/cpu.max", cpuValues[i % cpuValues.length] + "\n")
              .file("/sys/fs/cgroup/memory.max", memoryValues[i % memoryValues.length] + "\n");

      CgroupLimits limits = read(fake, "0::/\n");

      assertThat(limits.version()).isEqualTo(CgroupVersion.V2);
      assertThat(limits.cpuLimit()).as("cpu.max %s", cpuValues[i % cpuValues.length]).isEmpty();
      assertThat(limits.memoryLimitBytes())
          .as("memory.max %s", memoryValues[i % memoryValues.length])
          .isEmpty();
    }
  }

  @Test
  void malformedV1FilesCountAsNoLimit() {
    FakeRoot fake =
        new FakeRoot(tmp)
            .file("/sys/fs/cgroup/cpu/cpu.cfs_quota_us", "150000\n")
            .file("/sys/fs/cgroup/cpu/cpu.cfs_period_us", "often\n")
            .file("/sys/fs/cgroup/memory/memory.limit_in_bytes", "-4096\n");

    CgroupLimits limits = read(fake, "garbage\n::\n");

    assertThat(limits.version()).isEqualTo(CgroupVersion.V1);
    assertThat(limits.cpuLimit()).isEmpty();
    assertThat(limits.memoryLimitBytes()).isEmpty();
  }

  @Test
  void ownPathFindsTheV2LineAndTheV1ControllerLine() {
    String text =
        "12:pids:/a\n11:memory:/mem/path\n4:cpu,cpuacct:/cpu/path\n1:name=systemd:/s\n0::/unified\n";

    assertThat(CgroupReader.ownPath(text, null)).contains("/unified");
    assertThat(CgroupReader.ownPath(text, "memory")).contains("/mem/path");
    assertThat(CgroupReader.ownPath(text, "cpu")).contains("/cpu/path");
    assertThat(CgroupReader.ownPath(text, "cpuset")).isEmpty();
    assertThat(CgroupReader.ownPath("0::/a:b:c\n", null)).contains("/a:b:c");
  }
}
