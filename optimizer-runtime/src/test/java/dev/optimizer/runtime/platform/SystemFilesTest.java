package dev.optimizer.runtime.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SystemFilesTest {

  @TempDir Path tmp;

  @Test
  void readsAFileBelowTheRoot() {
    FakeRoot fake = new FakeRoot(tmp).file("/proc/self/cgroup", "0::/\n");

    assertThat(fake.files().read("/proc/self/cgroup")).contains("0::/\n");
    assertThat(fake.files().resolve("/proc/self/cgroup"))
        .isEqualTo(tmp.resolve("proc/self/cgroup"));
  }

  @Test
  void missingFilesAndDirectoriesAreAbsent() {
    FakeRoot fake = new FakeRoot(tmp).dir("/sys/fs/cgroup");

    assertThat(fake.files().read("/nope")).isEmpty();
    assertThat(fake.files().read("/sys/fs/cgroup")).isEmpty();
    assertThat(fake.files().firstLine("/nope")).isEmpty();
  }

  @Test
  void firstLineIsTrimmedAndBlankIsAbsent() {
    FakeRoot fake = new FakeRoot(tmp).file("/a", "  max 100000 \nsecond\n").file("/blank", " \n");

    assertThat(fake.files().firstLine("/a")).contains("max 100000");
    assertThat(fake.files().firstLine("/blank")).isEmpty();
  }

  @Test
  void readLongParsesOrIsAbsent() {
    FakeRoot fake = new FakeRoot(tmp).file("/n", "42\n").file("/bad", "forty-two\n");

    assertThat(fake.files().readLong(fake.path("/n"))).hasValue(42);
    assertThat(fake.files().readLong(fake.path("/bad"))).isEmpty();
    assertThat(fake.files().readLong(fake.path("/missing"))).isEmpty();
  }

  @Test
  void largeFilesAreCutAtTheLastCompleteLineWithinTheBound() {
    String line = "x".repeat(99) + "\n";
    FakeRoot fake = new FakeRoot(tmp).file("/big", line.repeat(2_000));

    String read = fake.files().read("/big").orElseThrow();

    assertThat(read.length()).isLessThanOrEqualTo(SystemFiles.MAX_BYTES);
    assertThat(read).endsWith("\n").hasSize(SystemFiles.MAX_BYTES / 100 * 100);
  }

  @Test
  void unreadableFileIsAbsent() throws Exception {
    FakeRoot fake = new FakeRoot(tmp).file("/secret", "x");
    Files.setPosixFilePermissions(
        fake.path("/secret"), PosixFilePermissions.fromString("---------"));
    assumeThat(Files.isReadable(fake.path("/secret"))).as("not running as root").isFalse();

    assertThat(fake.files().read("/secret")).isEmpty();
  }

  @Test
  void aFifoIsNotOpenedSoTheProbeCannotBlock() throws Exception {
    Path fifo = tmp.resolve("fifo");
    boolean made;
    try {
      Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
      made = mkfifo.waitFor(10, TimeUnit.SECONDS) && mkfifo.exitValue() == 0;
    } catch (IOException e) {
      made = false; // no mkfifo on this machine: nothing to test
    }
    assumeThat(made).as("mkfifo available").isTrue();

    assertThat(new SystemFiles(tmp).read("/fifo")).isEmpty();
  }
}
