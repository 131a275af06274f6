package dev.optimizer.runtime.platform;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Guesses the cloud service from environment variables the platforms set and from the DMI (SMBIOS)
 * strings the hypervisor exposes under {@code /sys/class/dmi/id}. No metadata endpoint is called:
 * the probe must be instant and must work in sandboxes without network.
 *
 * <p>Serverless and container services are checked before virtual machines because they run on VMs
 * too, and more specific services before the ones they are built on (Azure Functions sets the App
 * Service variables; Cloud Functions sets Cloud Run's). Knative sets the same {@code K_*} variables
 * as Cloud Run, but Cloud Run never sets {@code KUBERNETES_SERVICE_HOST}, so inside Kubernetes
 * those variables are not taken as a GCP hint. A local Hyper-V VM carries the same "Microsoft
 * Corporation / Virtual Machine" DMI strings as an Azure VM; that is an accepted ambiguity of a
 * hint that needs no network.
 *
 * <p>Only the region is taken from a variable's value, and only when it looks like a region name;
 * other values (function names, metadata URIs) are tested for presence and never kept.
 */
final class CloudDetector {

  /** What was detected: a service (empty when none) and a region hint. */
  record Hint(Optional<CloudService> service, Optional<String> region) {
    static final Hint NONE = new Hint(Optional.empty(), Optional.empty());

    CloudProvider provider() {
      return service.map(CloudService::provider).orElse(CloudProvider.NONE);
    }
  }

  private static final String DMI = "/sys/class/dmi/id/";

  /** The chassis asset tag Azure sets on every VM (cloud-init uses it the same way). */
  private static final String AZURE_ASSET_TAG = "7783-7084-3265-9085-8269-3286-77";

  /** Region names: "us-east-1", "europe-west4", "West Europe". Anything else is not recorded. */
  private static final Pattern REGION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9 _-]{0,63}");

  private static final List<String> AWS_REGION_VARIABLES =
      List.of("AWS_REGION", "AWS_DEFAULT_REGION");
  private static final List<String> AZURE_REGION_VARIABLES = List.of("REGION_NAME");
  private static final List<String> GCP_REGION_VARIABLES =
      List.of("FUNCTION_REGION", "GOOGLE_CLOUD_REGION");

  private final Map<String, String> env;
  private final SystemFiles files;

  CloudDetector(Map<String, String> env, SystemFiles files) {
    this.env = env;
    this.files = files;
  }

  /**
   * Detects the cloud service.
   *
   * @param inKubernetes whether the process runs in Kubernetes, which rules out the serverless GCP
   *     services whose variables Knative imitates
   */
  Hint detect(boolean inKubernetes) {
    Optional<CloudService> service = fromEnvironment(inKubernetes).or(this::fromDmi);
    return service.map(s -> new Hint(service, region(s.provider()))).orElse(Hint.NONE);
  }

  private Optional<CloudService> fromEnvironment(boolean inKubernetes) {
    String executionEnv = env.getOrDefault("AWS_EXECUTION_ENV", "");
    if (has("AWS_LAMBDA_FUNCTION_NAME") || executionEnv.startsWith("AWS_Lambda_")) {
      return Optional.of(CloudService.AWS_LAMBDA);
    }
    if (has("ECS_CONTAINER_METADATA_URI_V4")
        || has("ECS_CONTAINER_METADATA_URI")
        || executionEnv.startsWith("AWS_ECS_")) {
      return Optional.of(CloudService.AWS_ECS);
    }
    if (has("FUNCTIONS_WORKER_RUNTIME") || has("FUNCTIONS_EXTENSION_VERSION")) {
      return Optional.of(CloudService.AZURE_FUNCTIONS);
    }
    if (has("CONTAINER_APP_NAME")) {
      return Optional.of(CloudService.AZURE_CONTAINER_APPS);
    }
    if (has("WEBSITE_SITE_NAME") || has("WEBSITE_INSTANCE_ID")) {
      return Optional.of(CloudService.AZURE_APP_SERVICE);
    }
    if (!inKubernetes) {
      if (has("FUNCTION_TARGET") || (has("FUNCTION_NAME") && has("FUNCTION_REGION"))) {
        return Optional.of(CloudService.GCP_CLOUD_FUNCTIONS);
      }
      if ((has("K_SERVICE") && (has("K_REVISION") || has("K_CONFIGURATION")))
          || has("CLOUD_RUN_JOB")) {
        return Optional.of(CloudService.GCP_CLOUD_RUN);
      }
    }
    return Optional.empty();
  }

  private Optional<CloudService> fromDmi() {
    String sysVendor = dmi("sys_vendor");
    String productName = dmi("product_name");
    String boardVendor = dmi("board_vendor");
    String biosVendor = dmi("bios_vendor");
    if (anyEquals("Amazon EC2", sysVendor, boardVendor, biosVendor)
        // Older Xen-based instances say "Xen" everywhere except in the BIOS version.
        || dmi("bios_version").toLowerCase(Locale.ROOT).contains("amazon")) {
      return Optional.of(CloudService.AWS_EC2);
    }
    if (productName.startsWith("Google Compute Engine")
        || anyEquals("Google", sysVendor, boardVendor, biosVendor)) {
      return Optional.of(CloudService.GCP_COMPUTE_ENGINE);
    }
    if (dmi("chassis_asset_tag").equals(AZURE_ASSET_TAG)
        || (sysVendor.equals("Microsoft Corporation") && productName.equals("Virtual Machine"))) {
      return Optional.of(CloudService.AZURE_VM);
    }
    return Optional.empty();
  }

  private Optional<String> region(CloudProvider provider) {
    List<String> variables =
        switch (provider) {
          case AWS -> AWS_REGION_VARIABLES;
          case AZURE -> AZURE_REGION_VARIABLES;
          case GCP -> GCP_REGION_VARIABLES;
          case NONE -> List.of();
        };
    for (String variable : variables) {
      String value = env.getOrDefault(variable, "").trim();
      if (REGION.matcher(value).matches()) {
        return Optional.of(value);
      }
    }
    return Optional.empty();
  }

  private boolean has(String variable) {
    String value = env.get(variable);
    return value != null && !value.isBlank();
  }

  private String dmi(String name) {
    return files.firstLine(DMI + name).orElse("");
  }

  private static boolean anyEquals(String expected, String... values) {
    for (String value : values) {
      if (value.equals(expected)) {
        return true;
      }
    }
    return false;
  }
}
