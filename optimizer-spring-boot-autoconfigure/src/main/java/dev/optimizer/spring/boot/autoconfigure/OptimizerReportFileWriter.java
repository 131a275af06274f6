package dev.optimizer.spring.boot.autoconfigure;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationContextAware;
import org.springframework.context.ApplicationListener;
import org.springframework.context.event.ContextClosedEvent;

/**
 * Writes the report to {@code optimizer.report.file} when the application context closes: on {@link
 * ContextClosedEvent}, which comes before any bean is destroyed, so the data sources and clients
 * still answer for their counters. A failure to write is logged, never thrown: closing the
 * application matters more than the report.
 */
public class OptimizerReportFileWriter
    implements ApplicationListener<ContextClosedEvent>, ApplicationContextAware {
  private static final Log LOG = LogFactory.getLog(OptimizerReportFileWriter.class);

  private final OptimizerReporter reporter;
  private final Path file;
  private ApplicationContext context;

  /** Writes {@code reporter}'s JSON to {@code file} at close; nothing when {@code file} is null. */
  public OptimizerReportFileWriter(OptimizerReporter reporter, Path file) {
    this.reporter = reporter;
    this.file = file;
  }

  @Override
  public void setApplicationContext(ApplicationContext context) {
    this.context = context;
  }

  /** The file written at close. */
  public Path file() {
    return file;
  }

  @Override
  public void onApplicationEvent(ContextClosedEvent event) {
    // A child context (actuator's management context) closing publishes to its parent too.
    if (file == null || event.getApplicationContext() != context) {
      return;
    }
    try {
      write();
    } catch (IOException | RuntimeException e) {
      LOG.warn("could not write the optimizer report to " + file.toAbsolutePath(), e);
    }
  }

  /** Writes the report now (whole or not at all: through a temporary file in the same folder). */
  public void write() throws IOException {
    Path target = file.toAbsolutePath();
    Files.createDirectories(target.getParent());
    Path tmp = Files.createTempFile(target.getParent(), target.getFileName().toString(), ".tmp");
    try {
      Files.writeString(tmp, reporter.json(), StandardCharsets.UTF_8);
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
    LOG.info("optimizer report written to " + target);
  }
}
