package dev.optimizer.runtime.platform;

import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * What the cgroup files say about this process.
 *
 * @param version the hierarchy the limits came from
 * @param cpuLimit the CPU quota in CPUs (quota / period), empty when unlimited or unknown
 * @param memoryLimitBytes the hard memory limit, empty when unlimited or unknown
 */
record CgroupLimits(CgroupVersion version, OptionalDouble cpuLimit, OptionalLong memoryLimitBytes) {

  static final CgroupLimits NONE =
      new CgroupLimits(CgroupVersion.NONE, OptionalDouble.empty(), OptionalLong.empty());
}
