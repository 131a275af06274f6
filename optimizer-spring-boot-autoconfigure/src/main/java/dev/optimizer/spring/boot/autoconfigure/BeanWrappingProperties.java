package dev.optimizer.spring.boot.autoconfigure;

import java.util.ArrayList;
import java.util.List;

/**
 * The switch every wrapping module shares: {@code optimizer.<module>.enabled} and {@code
 * optimizer.<module>.excluded-beans}. {@link DbProperties}, {@link HttpProperties} and {@link
 * AiProperties} extend it, so the two properties keep their names under each module's prefix.
 *
 * <p>The metadata descriptions name each module's own bean types; they are in {@code
 * META-INF/additional-spring-configuration-metadata.json}, because the configuration processor
 * takes an inherited property's description from this class's one field.
 */
public abstract class BeanWrappingProperties {

  /** Whether this module wraps the application's beans. Default true. */
  private boolean enabled = true;

  /** Names of beans this module leaves unwrapped. Default none. */
  private List<String> excludedBeans = new ArrayList<>();

  /** Subclasses only: one per module. */
  protected BeanWrappingProperties() {}

  public boolean isEnabled() {
    return enabled;
  }

  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  public List<String> getExcludedBeans() {
    return excludedBeans;
  }

  public void setExcludedBeans(List<String> excludedBeans) {
    this.excludedBeans = excludedBeans == null ? new ArrayList<>() : excludedBeans;
  }
}
