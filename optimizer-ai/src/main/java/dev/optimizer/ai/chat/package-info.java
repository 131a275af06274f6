/**
 * The public vocabulary of the chat decorators: the decorated model's administration ({@link
 * dev.optimizer.ai.chat.OptimizedChatModel}), routing ({@link dev.optimizer.ai.chat.ModelRouter},
 * {@link dev.optimizer.ai.chat.RuleBasedRouter}), prices, budgets and accounting. The decorators
 * themselves are in {@code .internal}: {@code cache} (key, cacheability, tiers), {@code coalesce}
 * (stream fan-out), {@code resilience} (retries, breakers, fallbacks, timeouts), {@code accounting}
 * and {@code telemetry}.
 */
package dev.optimizer.ai.chat;
