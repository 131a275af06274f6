package dev.optimizer.db.cache.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The per-key version slots are bounded by bytes; a table refused them is versioned as a whole. */
class TableVersionsTest {
  private static final String[] A = {"a"};
  private static final String[] B = {"b"};

  @Test
  void keySlotsAreGivenToNoMoreTablesThanTheBudgetHolds() {
    TableVersions v = new TableVersions(TableVersions.KEY_SLOT_BYTES);
    for (int t = 0; t < 1_000; t++) {
      v.snapshot(new String[] {"t" + t}, "t" + t, 1);
      v.bumpKey("u" + t, 1);
    }
    assertThat(v.keySlotBytes()).isEqualTo(TableVersions.KEY_SLOT_BYTES);
  }

  @Test
  void aTableWithKeySlotsInvalidatesOnlyTheWrittenKey() {
    TableVersions v = new TableVersions(TableVersions.KEY_SLOT_BYTES);
    long[] one = v.snapshot(A, "a", 1);
    long[] two = v.snapshot(A, "a", 2);
    v.bumpKey("a", 1);
    assertThat(v.snapshot(A, "a", 1)).isNotEqualTo(one);
    assertThat(v.snapshot(A, "a", 2)).isEqualTo(two);
  }

  @Test
  void aTableWithoutKeySlotsInvalidatesEveryKeyOnAnyWrite() {
    TableVersions v = new TableVersions(TableVersions.KEY_SLOT_BYTES);
    v.snapshot(A, "a", 1); // takes the only slots
    long[] one = v.snapshot(B, "b", 1);
    long[] two = v.snapshot(B, "b", 2);
    long[] whole = v.snapshot(B);
    assertThat(v.snapshot(B, "b", 1)).isEqualTo(one);
    v.bumpKey("b", 1);
    assertThat(v.snapshot(B, "b", 1)).isNotEqualTo(one);
    assertThat(v.snapshot(B, "b", 2)).isNotEqualTo(two);
    assertThat(v.snapshot(B)).isNotEqualTo(whole);
    long[] again = v.snapshot(B, "b", 2);
    v.bump("b");
    assertThat(v.snapshot(B, "b", 2)).isNotEqualTo(again);
  }
}
