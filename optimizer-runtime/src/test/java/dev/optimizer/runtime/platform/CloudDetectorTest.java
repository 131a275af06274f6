package dev.optimizer.runtime.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CloudDetectorTest {

  @TempDir Path tmp;

  private CloudDetector.Hint detect(Map<String, String> env) {
    return new CloudDetector(env, new FakeRoot(tmp).files()).detect(false);
  }

  private CloudDetector.Hint detectWithDmi(Map<String, String> dmi) {
    FakeRoot fake = new FakeRoot(tmp);
    dmi.forEach((name, value) -> fake.file("/sys/class/dmi/id/" + name, value + "\n"));
    return new CloudDetector(Map.of(), fake.files()).detect(false);
  }

  private static CloudDetector.Hint hint(CloudService service, String region) {
    return new CloudDetector.Hint(Optional.of(service), Optional.ofNullable(region));
  }

  @Test
  void awsLambda() {
    assertThat(detect(Map.of("AWS_LAMBDA_FUNCTION_NAME", "orders", "AWS_REGION", "eu-west-1")))
        .isEqualTo(hint(CloudService.AWS_LAMBDA, "eu-west-1"));
    assertThat(detect(Map.of("AWS_EXECUTION_ENV", "AWS_Lambda_java17")))
        .isEqualTo(hint(CloudService.AWS_LAMBDA, null));
  }

  @Test
  void awsEcs() {
    assertThat(
            detect(
                Map.of(
                    "ECS_CONTAINER_METADATA_URI_V4", "http://169.254.170.2/v4/abc",
                    "AWS_DEFAULT_REGION", "us-east-2")))
        .isEqualTo(hint(CloudService.AWS_ECS, "us-east-2"));
    assertThat(detect(Map.of("AWS_EXECUTION_ENV", "AWS_ECS_FARGATE")))
        .isEqualTo(hint(CloudService.AWS_ECS, null));
  }

  @Test
  void awsRegionPrefersAwsRegionOverTheDefault() {
    assertThat(
            detect(
                    Map.of(
                        "AWS_LAMBDA_FUNCTION_NAME", "f",
                        "AWS_REGION", "ap-south-1",
                        "AWS_DEFAULT_REGION", "us-east-1"))
                .region())
        .contains("ap-south-1");
  }

  @Test
  void awsEc2FromDmi() {
    assertThat(detectWithDmi(Map.of("sys_vendor", "Amazon EC2", "product_name", "m5.large")))
        .isEqualTo(hint(CloudService.AWS_EC2, null));
  }

  @Test
  void awsEc2OnXenFromTheBiosVersion() {
    assertThat(detectWithDmi(Map.of("sys_vendor", "Xen", "bios_version", "4.11.amazon")))
        .isEqualTo(hint(CloudService.AWS_EC2, null));
  }

  @Test
  void azureFunctionsWinOverTheAppServiceTheyRunOn() {
    assertThat(
            detect(
                Map.of(
                    "FUNCTIONS_WORKER_RUNTIME", "java",
                    "WEBSITE_SITE_NAME", "orders-fn",
                    "REGION_NAME", "West Europe")))
        .isEqualTo(hint(CloudService.AZURE_FUNCTIONS, "West Europe"));
  }

  @Test
  void azureAppService() {
    assertThat(detect(Map.of("WEBSITE_SITE_NAME", "orders", "REGION_NAME", "East US")))
        .isEqualTo(hint(CloudService.AZURE_APP_SERVICE, "East US"));
    assertThat(detect(Map.of("WEBSITE_INSTANCE_ID", "abc123")))
        .isEqualTo(hint(CloudService.AZURE_APP_SERVICE, null));
  }

  @Test
  void azureContainerApps() {
    assertThat(detect(Map.of("CONTAINER_APP_NAME", "orders", "CONTAINER_APP_REVISION", "r1")))
        .isEqualTo(hint(CloudService.AZURE_CONTAINER_APPS, null));
  }

  @Test
  void azureVmFromTheAssetTagOrTheVendor() {
    assertThat(detectWithDmi(Map.of("chassis_asset_tag", "7783-7084-3265-9085-8269-3286-77")))
        .isEqualTo(hint(CloudService.AZURE_VM, null));
  }

  @Test
  void azureVmFromTheVendorAndProduct() {
    assertThat(
            detectWithDmi(
                Map.of("sys_vendor", "Microsoft Corporation", "product_name", "Virtual Machine")))
        .isEqualTo(hint(CloudService.AZURE_VM, null));
  }

  @Test
  void microsoftHardwareThatIsNoVirtualMachineIsNoHint() {
    assertThat(
            detectWithDmi(Map.of("sys_vendor", "Microsoft Corporation", "product_name", "Surface")))
        .isEqualTo(CloudDetector.Hint.NONE);
  }

  @Test
  void gcpCloudFunctionsWinOverCloudRun() {
    assertThat(
            detect(
                Map.of(
                    "FUNCTION_TARGET", "com.example.Handler",
                    "K_SERVICE", "orders",
                    "K_REVISION", "orders-00001")))
        .isEqualTo(hint(CloudService.GCP_CLOUD_FUNCTIONS, null));
    assertThat(
            detect(
                Map.of(
                    "FUNCTION_NAME", "orders",
                    "FUNCTION_REGION", "europe-west1",
                    "GCP_PROJECT", "p")))
        .isEqualTo(hint(CloudService.GCP_CLOUD_FUNCTIONS, "europe-west1"));
  }

  @Test
  void gcpCloudRunServiceAndJob() {
    assertThat(detect(Map.of("K_SERVICE", "orders", "K_REVISION", "orders-00001")))
        .isEqualTo(hint(CloudService.GCP_CLOUD_RUN, null));
    assertThat(detect(Map.of("CLOUD_RUN_JOB", "nightly", "CLOUD_RUN_EXECUTION", "nightly-x")))
        .isEqualTo(hint(CloudService.GCP_CLOUD_RUN, null));
  }

  @Test
  void knativeInKubernetesIsNotCloudRun() {
    CloudDetector detector =
        new CloudDetector(
            Map.of("K_SERVICE", "orders", "K_REVISION", "orders-00001"), new FakeRoot(tmp).files());

    assertThat(detector.detect(true)).isEqualTo(CloudDetector.Hint.NONE);
  }

  @Test
  void gcpComputeEngineFromDmi() {
    assertThat(detectWithDmi(Map.of("product_name", "Google Compute Engine")))
        .isEqualTo(hint(CloudService.GCP_COMPUTE_ENGINE, null));
    assertThat(detectWithDmi(Map.of("bios_vendor", "Google")))
        .isEqualTo(hint(CloudService.GCP_COMPUTE_ENGINE, null));
  }

  @Test
  void environmentHintsWinOverDmi() {
    FakeRoot fake = new FakeRoot(tmp).file("/sys/class/dmi/id/sys_vendor", "Amazon EC2\n");

    assertThat(
            new CloudDetector(Map.of("ECS_CONTAINER_METADATA_URI_V4", "http://x"), fake.files())
                .detect(false))
        .isEqualTo(hint(CloudService.AWS_ECS, null));
  }

  @Test
  void noHintsMeansNoCloudAndNoRegion() {
    CloudDetector.Hint hint = detect(Map.of("AWS_REGION", "us-east-1", "HOME", "/root"));

    assertThat(hint).isEqualTo(CloudDetector.Hint.NONE);
    assertThat(hint.provider()).isEqualTo(CloudProvider.NONE);
  }

  @Test
  void blankVariablesAreNoHints() {
    assertThat(detect(Map.of("AWS_LAMBDA_FUNCTION_NAME", " ", "WEBSITE_SITE_NAME", "")))
        .isEqualTo(CloudDetector.Hint.NONE);
  }

  @Test
  void valuesThatDoNotLookLikeRegionsAreNotRecorded() {
    assertThat(
            detect(Map.of("AWS_LAMBDA_FUNCTION_NAME", "f", "AWS_REGION", "us-east-1;rm -rf /"))
                .region())
        .isEmpty();
    assertThat(
            detect(Map.of("AWS_LAMBDA_FUNCTION_NAME", "f", "AWS_REGION", "x".repeat(65))).region())
        .isEmpty();
    assertThat(
            detect(
                    Map.of(
                        "AWS_LAMBDA_FUNCTION_NAME", "f",
                        "AWS_REGION", "bad/value",
                        "AWS_DEFAULT_REGION", "us-west-2"))
                .region())
        .contains("us-west-2");
  }

  @Test
  void providerOfEachService() {
    for (CloudService service : CloudService.values()) {
      assertThat(service.platform())
          .startsWith(service.provider().semanticConventionValue().orElseThrow() + "_");
    }
  }
}
