/**
 * DJL adapter: dynamic batching of single {@code Predictor} calls into {@code batchPredict} on a
 * pool of predictors ({@link dev.optimizer.ai.inference.djl.DjlBatching}). Needs {@code ai.djl:api}
 * and the engine the model uses; DJL stays the application's dependency.
 */
package dev.optimizer.ai.inference.djl;
