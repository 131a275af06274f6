package dev.optimizer.runtime.platform;

/**
 * The cloud services the probe recognises, with the short kind shown in logs and the OpenTelemetry
 * {@code cloud.platform} value.
 *
 * <p>The Azure values follow the names the OpenTelemetry resource detectors emit ({@code
 * azure_vm}); newer, still experimental semantic conventions spell them {@code azure.vm}, and this
 * table is the one place to change if that becomes stable.
 */
enum CloudService {
  AWS_LAMBDA(CloudProvider.AWS, "lambda", "aws_lambda"),
  AWS_ECS(CloudProvider.AWS, "ecs", "aws_ecs"),
  AWS_EC2(CloudProvider.AWS, "ec2", "aws_ec2"),
  AZURE_FUNCTIONS(CloudProvider.AZURE, "functions", "azure_functions"),
  AZURE_CONTAINER_APPS(CloudProvider.AZURE, "container-apps", "azure_container_apps"),
  AZURE_APP_SERVICE(CloudProvider.AZURE, "app-service", "azure_app_service"),
  AZURE_VM(CloudProvider.AZURE, "vm", "azure_vm"),
  GCP_CLOUD_FUNCTIONS(CloudProvider.GCP, "cloud-functions", "gcp_cloud_functions"),
  GCP_CLOUD_RUN(CloudProvider.GCP, "cloud-run", "gcp_cloud_run"),
  GCP_COMPUTE_ENGINE(CloudProvider.GCP, "gce", "gcp_compute_engine");

  private final CloudProvider provider;
  private final String kind;
  private final String platform;

  CloudService(CloudProvider provider, String kind, String platform) {
    this.provider = provider;
    this.kind = kind;
    this.platform = platform;
  }

  CloudProvider provider() {
    return provider;
  }

  /** The short kind, e.g. {@code "lambda"}. */
  String kind() {
    return kind;
  }

  /** The OpenTelemetry {@code cloud.platform} value, e.g. {@code "aws_lambda"}. */
  String platform() {
    return platform;
  }
}
