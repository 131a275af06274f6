package dev.optimizer.runtime.platform;

import dev.optimizer.api.Ticker;
import dev.optimizer.api.internal.Checks;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * Finds out what the machine lets this JVM use and where it runs, from local files and environment
 * variables only: cgroup CPU and memory limits (v1 and v2), the container id, the Kubernetes
 * namespace and pod, and the cloud (AWS, Azure, GCP) with its service and region.
 *
 * <p>The tuner sizes pools, batches and concurrency limits from these numbers: a container limited
 * to two CPUs on a 64-core host must not be treated as a 64-core machine, and a pool sized for the
 * host's memory would be killed by the container's limit.
 *
 * <p>The probe makes no network call (cloud metadata endpoints are slow, or blocked, or absent in
 * sandboxes), reads each file only up to 64 KiB, takes a few milliseconds, and never throws because
 * of the machine: a file that is missing, unreadable or malformed counts as absent. It reads the
 * {@code namespace} of the Kubernetes service account mount but never the token beside it, and
 * keeps no environment value other than the hints it parses.
 *
 * <pre>{@code
 * PlatformInfo info = PlatformProbe.create().probe();
 * logger.info("Running on {}", info);
 * }</pre>
 *
 * <p>Tests point it at a fake tree and environment:
 *
 * <pre>{@code
 * PlatformProbe probe = PlatformProbe.builder()
 *     .root(tempDir)
 *     .environment(Map.of("AWS_LAMBDA_FUNCTION_NAME", "orders", "AWS_REGION", "eu-west-1"))
 *     .availableProcessors(8)
 *     .build();
 * }</pre>
 *
 * <p>A probe is immutable and thread-safe; each {@link #probe()} reads afresh, since limits can
 * change while a process runs (in-place pod resize).
 */
public final class PlatformProbe {

  private final Path root;
  private final Map<String, String> environment;
  private final IntSupplier availableProcessors;
  private final LongSupplier maxMemory;
  private final Ticker ticker;

  private PlatformProbe(Builder builder) {
    this.root = builder.root;
    this.environment = builder.environment;
    this.availableProcessors = builder.availableProcessors;
    this.maxMemory = builder.maxMemory;
    this.ticker = builder.ticker;
  }

  /** A probe of this machine: root {@code /}, the process environment, the JVM's counts. */
  public static PlatformProbe create() {
    return builder().build();
  }

  /** A builder whose settings all default to this machine. */
  public static Builder builder() {
    return new Builder();
  }

  /** Reads the platform now. Never throws because of what it finds (or fails to find). */
  public PlatformInfo probe() {
    long start = ticker.read();
    SystemFiles files = new SystemFiles(root);
    String procSelfCgroup = files.read("/proc/self/cgroup").orElse("");
    CgroupLimits limits = new CgroupReader(files).read(procSelfCgroup);
    Optional<String> containerId =
        ContainerIds.fromCgroup(procSelfCgroup)
            .or(() -> files.read("/proc/self/mountinfo").flatMap(ContainerIds::fromMountinfo));
    Optional<KubernetesInfo> kubernetes = new KubernetesDetector(environment, files).detect();
    CloudDetector.Hint cloud = new CloudDetector(environment, files).detect(kubernetes.isPresent());
    int processors = availableProcessors.getAsInt();
    long heap = maxMemory.getAsLong();
    Duration took = Duration.ofNanos(Math.max(0, ticker.read() - start));
    return new PlatformInfo(processors, heap, limits, containerId, kubernetes, cloud, took);
  }

  /**
   * Settings for a {@link PlatformProbe}. Each may be given once; all default to this machine, so
   * tests set only what they fake.
   */
  public static final class Builder {

    private Path root = Path.of("/");
    private Map<String, String> environment = System.getenv();
    private IntSupplier availableProcessors = () -> Runtime.getRuntime().availableProcessors();
    private LongSupplier maxMemory = () -> Runtime.getRuntime().maxMemory();
    private Ticker ticker = Ticker.system();
    private boolean rootSet;
    private boolean environmentSet;
    private boolean availableProcessorsSet;
    private boolean maxMemorySet;
    private boolean tickerSet;

    private Builder() {}

    /**
     * The directory that stands for {@code /}: {@code /proc/self/cgroup} is read from {@code
     * root/proc/self/cgroup}. Default {@code /}.
     */
    public Builder root(Path root) {
      Checks.notSetBefore("root", rootSet);
      this.root = Checks.notNull("root", root);
      rootSet = true;
      return this;
    }

    /**
     * The environment variables to read hints from. Default {@link System#getenv()}. Copied; only
     * the variables the probe knows are looked at.
     */
    public Builder environment(Map<String, String> environment) {
      Checks.notSetBefore("environment", environmentSet);
      Checks.notNull("environment", environment);
      environment.forEach(
          (name, value) -> {
            if (name == null || value == null) {
              throw new IllegalArgumentException(
                  "environment must not contain null names or values, but had "
                      + (name == null ? "a null name" : "a null value for " + name));
            }
          });
      this.environment = Map.copyOf(environment);
      environmentSet = true;
      return this;
    }

    /**
     * The processor count to use instead of {@link Runtime#availableProcessors()}, which is read at
     * each probe by default. Must be in [1, {@link Integer#MAX_VALUE}].
     */
    public Builder availableProcessors(int availableProcessors) {
      Checks.notSetBefore("availableProcessors", availableProcessorsSet);
      int checked =
          Checks.inRange("availableProcessors", availableProcessors, 1, Integer.MAX_VALUE);
      this.availableProcessors = () -> checked;
      availableProcessorsSet = true;
      return this;
    }

    /**
     * The maximum heap size to report instead of {@link Runtime#maxMemory()}, which is read at each
     * probe by default. Must be in [1, {@link Long#MAX_VALUE}].
     */
    public Builder maxMemory(long maxMemoryBytes) {
      Checks.notSetBefore("maxMemory", maxMemorySet);
      long checked = Checks.inRange("maxMemory", maxMemoryBytes, 1, Long.MAX_VALUE);
      this.maxMemory = () -> checked;
      maxMemorySet = true;
      return this;
    }

    /** The ticker that times the probe. Default {@link Ticker#system()}. */
    public Builder ticker(Ticker ticker) {
      Checks.notSetBefore("ticker", tickerSet);
      this.ticker = Checks.notNull("ticker", ticker);
      tickerSet = true;
      return this;
    }

    /** Builds the probe. */
    public PlatformProbe build() {
      return new PlatformProbe(this);
    }
  }
}
