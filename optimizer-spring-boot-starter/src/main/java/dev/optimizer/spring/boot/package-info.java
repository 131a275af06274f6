/**
 * Spring Boot auto-configuration of optimizer: one Optimizer bean, and each module's wrappers
 * applied where their classes are present. Filled by the Spring Boot starter issue; it builds empty
 * until then.
 */
package dev.optimizer.spring.boot;
