/**
 * Spring Boot auto-configuration of optimizer: one {@link dev.optimizer.runtime.Optimizer} bean
 * configured by {@code optimizer.*} ({@link
 * dev.optimizer.spring.boot.autoconfigure.OptimizerProperties}), each module's wrappers applied to
 * the application's beans where the module and the library it adapts are on the class path, and the
 * {@code /actuator/optimizer} endpoint when Spring Boot Actuator is. Use it through {@code
 * dev.optimizer:optimizer-spring-boot-starter}.
 */
package dev.optimizer.spring.boot.autoconfigure;
