package dev.optimizer.runtime.judge;

import dev.optimizer.api.Evidence;
import dev.optimizer.api.Verdict;

/**
 * A verdict with the evidence behind it.
 *
 * @param verdict keep, revert or inconclusive
 * @param evidence both arms, every test run, and the deciding reason
 */
public record Judgement(Verdict verdict, Evidence evidence) {}
