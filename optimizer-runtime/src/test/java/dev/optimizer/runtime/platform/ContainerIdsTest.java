package dev.optimizer.runtime.platform;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ContainerIdsTest {

  static final String ID = "3c9f1b6e0d2a4f5b8c7e6d5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c";
  static final String OTHER = "a".repeat(64);

  @ParameterizedTest
  @ValueSource(
      strings = {
        "12:memory:/docker/" + ID,
        "11:cpu,cpuacct:/kubepods/besteffort/pod8e1f3a6c-9a2b-4c1d-8e7f-0a1b2c3d4e5f/" + ID,
        "0::/system.slice/docker-" + ID + ".scope",
        "0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod8e1f_3a6c.slice/"
            + "cri-containerd-"
            + ID
            + ".scope",
        "1:name=systemd:/system.slice/containerd.service/"
            + "kubepods-burstable-pod8e1f_3a6c.slice:cri-containerd:"
            + ID,
        "0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1.slice/crio-"
            + ID
            + ".scope",
        "0::/machine.slice/libpod-" + ID + ".scope/container",
        "9:perf_event:/ecs/0f1e2d3c4b5a69788796a5b4c3d2e1f0/" + ID,
      })
  void findsTheIdInEachRuntimesCgroupForm(String line) {
    assertThat(ContainerIds.fromCgroup("13:rdma:/\n" + line + "\n")).contains(ID);
  }

  @Test
  void findsTheEcsFargateForm() {
    String id = "0f1e2d3c4b5a69788796a5b4c3d2e1f0-1234567890";

    assertThat(ContainerIds.fromCgroup("9:cpu:/ecs/0f1e2d3c4b5a69788796a5b4c3d2e1f0/" + id + "\n"))
        .contains(id);
  }

  @Test
  void takesTheInnermostOfNestedContainers() {
    assertThat(ContainerIds.fromCgroup("4:memory:/docker/" + OTHER + "/docker/" + ID + "\n"))
        .contains(ID);
  }

  @Test
  void skipsCrioConmonAndPlainPaths() {
    assertThat(ContainerIds.fromCgroup("0::/machine.slice/crio-conmon-" + ID + ".scope\n"))
        .isEmpty();
    assertThat(ContainerIds.fromCgroup("0::/\n")).isEmpty();
    assertThat(ContainerIds.fromCgroup("0::/user.slice/user-1000.slice/session-2.scope\n"))
        .isEmpty();
    assertThat(ContainerIds.fromCgroup("")).isEmpty();
  }

  @Test
  void rejectsAlmostIds() {
    assertThat(ContainerIds.fromCgroup("4:memory:/docker/" + ID.substring(1) + "\n")).isEmpty();
    assertThat(ContainerIds.fromCgroup("4:memory:/docker/" + ID + "0\n")).isEmpty();
    assertThat(ContainerIds.fromCgroup("4:memory:/docker/" + ID.toUpperCase() + "\n")).isEmpty();
    assertThat(ContainerIds.fromCgroup("4:memory:/docker/x" + ID + "\n")).isEmpty();
  }

  @Test
  void findsDockersHostnameMount() {
    String mountinfo =
        "620 600 0:52 / / rw,relatime master:1 - overlay overlay rw,lowerdir=/var/lib/docker/"
            + "overlay2/l/ABC,upperdir=/var/lib/docker/overlay2/"
            + OTHER
            + "/diff\n"
            + "640 620 254:1 /var/lib/docker/containers/"
            + ID
            + "/resolv.conf /etc/resolv.conf rw,relatime - ext4 /dev/vda1 rw\n"
            + "641 620 254:1 /var/lib/docker/containers/"
            + ID
            + "/hostname /etc/hostname rw,relatime - ext4 /dev/vda1 rw\n";

    assertThat(ContainerIds.fromMountinfo(mountinfo)).contains(ID);
  }

  @Test
  void findsCrioAndPodmanHostnameMounts() {
    String mountinfo =
        "1 0 0:1 /containers/storage/overlay-containers/"
            + ID
            + "/userdata/hostname /etc/hostname rw - xfs /dev/sda1 rw\n";

    assertThat(ContainerIds.fromMountinfo(mountinfo)).contains(ID);
  }

  @Test
  void ignoresContainerdSandboxesAndOverlayLayers() {
    String mountinfo =
        "700 650 0:60 / / rw - overlay overlay rw,upperdir=/var/lib/containerd/"
            + "io.containerd.snapshotter.v1.overlayfs/snapshots/42/fs\n"
            + "701 700 254:1 /var/lib/containerd/io.containerd.grpc.v1.cri/sandboxes/"
            + OTHER
            + "/hostname /etc/hostname rw - ext4 /dev/vda1 rw\n"
            + "702 700 254:1 /var/lib/kubelet/pods/8e1f3a6c/containers/app/"
            + "0f1e2d3c /dev/termination-log rw - ext4 /dev/vda1 rw\n"
            + "703 700 254:1 /docker/overlay2/"
            + OTHER
            + "/merged /x rw - ext4 /dev/vda1 rw\n";

    assertThat(ContainerIds.fromMountinfo(mountinfo)).isEmpty();
  }

  @Test
  void malformedMountinfoIsIgnored() {
    assertThat(ContainerIds.fromMountinfo("")).isEmpty();
    assertThat(ContainerIds.fromMountinfo("short line\n\n \n")).isEmpty();
  }
}
