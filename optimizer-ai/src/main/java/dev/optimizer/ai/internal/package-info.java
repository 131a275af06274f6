/** Small internals shared by the module's packages; not public API. */
package dev.optimizer.ai.internal;
