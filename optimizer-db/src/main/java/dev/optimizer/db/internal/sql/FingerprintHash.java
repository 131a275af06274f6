package dev.optimizer.db.internal.sql;

/**
 * The 64-bit id of a normalized statement: FNV-1a (64-bit offset basis and prime) taking one UTF-16
 * code unit per step, finished with the SplitMix64 mixer. FNV-1a is simple and stable enough to
 * write down and recompute anywhere (the id must not change between releases, or stored statistics
 * lose their key), but its high bits mix poorly for short inputs; the finisher spreads every input
 * bit over the whole word.
 *
 * <p>Only normalized text is ever hashed. A hash of the raw statement would be a function of its
 * literal values, which a small value domain (a PIN, a flag) would let anyone reverse by trying
 * them all, and which would give every execution of a statement its own id.
 */
final class FingerprintHash {

  private static final long FNV_OFFSET_BASIS = 0xcbf29ce484222325L;
  private static final long FNV_PRIME = 0x100000001b3L;

  private FingerprintHash() {}

  static long of(CharSequence text) {
    long h = FNV_OFFSET_BASIS;
    for (int i = 0, n = text.length(); i < n; i++) {
      h = (h ^ text.charAt(i)) * FNV_PRIME;
    }
    return mix(h);
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }
}
