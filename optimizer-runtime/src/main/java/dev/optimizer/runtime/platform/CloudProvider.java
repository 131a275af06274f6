package dev.optimizer.runtime.platform;

import java.util.Optional;

/** The cloud the process appears to run in, judged from local hints only. */
public enum CloudProvider {
  /** Amazon Web Services. */
  AWS("aws"),
  /** Microsoft Azure. */
  AZURE("azure"),
  /** Google Cloud Platform. */
  GCP("gcp"),
  /** No hint of a known cloud: on premises, a laptop, or a cloud this probe does not know. */
  NONE(null);

  private final String semanticConventionValue;

  CloudProvider(String semanticConventionValue) {
    this.semanticConventionValue = semanticConventionValue;
  }

  /**
   * The OpenTelemetry {@code cloud.provider} value ({@code "aws"}, {@code "azure"}, {@code "gcp"});
   * empty for {@link #NONE}.
   */
  public Optional<String> semanticConventionValue() {
    return Optional.ofNullable(semanticConventionValue);
  }
}
