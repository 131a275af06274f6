package dev.optimizer.ai.inference.vector;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The ids of a {@link QuantizedVectorIndex}'s slots, and the lookup from an id to its live slot,
 * held in primitive arrays: no String, no map node and no boxed Integer per id.
 *
 * <p>An id is kept as its characters' bytes: one byte a character when all are Latin-1 (as a
 * compact String keeps them), else two (UTF-16, big-endian). Both are lossless for any String,
 * unpaired surrogates included, and never larger than the String's own array. The ids of a page of
 * {@link QuantizedVectorIndex#PAGE} slots lie back to back in one byte array, with an int per slot
 * for where its id ends (the next slot's starts there) and its encoding. An id of more than {@link
 * #MAX_INLINE_BYTES} bytes has an array of its own instead, so that a page's array stays within a
 * few MiB and never reaches the largest array Java allows, whatever the ids. A page's array grows
 * by doubling while its slots are written and is cut to size once the page is full, so the slack is
 * within the page being written. Ids are not copied into Strings until asked for ({@link #get}):
 * lookups compare the characters with the stored bytes, and hash them as {@link String#hashCode()}
 * would.
 *
 * <p>Shared ({@link QuantizedVectorIndex.Builder#sharedIds()}): a slot holds a reference to the
 * String it was given instead, for a caller that keeps its ids anyway, so that each is held once; a
 * dead slot's reference is let go at once.
 *
 * <p>The lookup is open addressing with linear probing over an int per cell (the slot + 1; 0:
 * empty), at most three quarters full. Not thread-safe: the index guards it with its lock.
 */
final class IdTable {

  /** Ids of more bytes than this have an array of their own rather than a share of the page's. */
  static final int MAX_INLINE_BYTES = 4096;

  private static final int SHIFT = QuantizedVectorIndex.PAGE_SHIFT;
  private static final int PAGE = QuantizedVectorIndex.PAGE;
  // Flags in a slot's end: its id is UTF-16 (else Latin-1); its id has an array of its own (then
  // its end is its start: it takes nothing of the page's array).
  private static final int UTF16 = 1 << 31;
  private static final int LARGE = 1 << 30;
  private static final int END = LARGE - 1;

  // Slot s: page s >>> SHIFT, at s & (PAGE - 1). Only the first page may hold fewer than PAGE.
  private byte[][] text = new byte[0][];
  private int[][] ends = new int[0][];
  private byte[][][] large = new byte[0][][]; // per page: null until an id of the page is large
  private int capacity; // slots
  private int size; // slots written
  private int[] table = new int[16];
  private int live;
  // Shared: the ids themselves, by page (null for a dead slot); text, ends and large stay empty.
  private final boolean shared;
  private String[][] strings = new String[0][];

  /** An empty table; {@code shared}: holding the callers' Strings, not copies of their bytes. */
  IdTable(boolean shared) {
    this.shared = shared;
  }

  /** The number of live ids (those in the lookup). */
  int live() {
    return live;
  }

  /** Appends {@code id} as the id of the next slot, which must be {@code ord}. */
  void append(int ord, String id) {
    assert ord == size;
    if (shared) {
      ensureCapacity(size + 1);
      strings[size >>> SHIFT][size & (PAGE - 1)] = id;
      size++;
      return;
    }
    boolean latin1 = isLatin1(id);
    int n = latin1 ? id.length() : 2 * id.length();
    if (n > MAX_INLINE_BYTES) {
      byte[] own = new byte[n];
      encode(id, latin1, own, 0);
      appendLarge(own, !latin1);
    } else {
      int start = reserve(n);
      encode(id, latin1, text[size >>> SHIFT], start);
      finish(start + n, latin1 ? 0 : UTF16);
    }
  }

  /** Makes room for {@code n} more bytes in the page of slot {@code size}; returns their start. */
  private int reserve(int n) {
    ensureCapacity(size + 1);
    int p = size >>> SHIFT;
    int start = start(p, size & (PAGE - 1));
    if (start + n > text[p].length) {
      // At most PAGE * MAX_INLINE_BYTES (4 MiB): no overflow.
      text[p] = Arrays.copyOf(text[p], Math.max(start + n, Math.max(64, 2 * text[p].length)));
    }
    return start;
  }

  private void appendLarge(byte[] own, boolean utf16) {
    ensureCapacity(size + 1);
    int p = size >>> SHIFT;
    int at = size & (PAGE - 1);
    if (large[p] == null) {
      large[p] = new byte[PAGE][];
    }
    large[p][at] = own;
    finish(start(p, at), LARGE | (utf16 ? UTF16 : 0));
  }

  /** Records the end of slot {@code size}'s id; cuts the page's array to size when it is full. */
  private void finish(int end, int flags) {
    int p = size >>> SHIFT;
    int at = size & (PAGE - 1);
    ends[p][at] = end | flags;
    size++;
    if (at == PAGE - 1 && text[p].length != end) {
      text[p] = Arrays.copyOf(text[p], end);
    }
  }

  /** The first page doubles (from 64 slots) up to a whole page; then whole pages are added. */
  private void ensureCapacity(int n) {
    while (n > capacity) {
      if (capacity < PAGE) {
        int cap = Math.min(PAGE, Math.max(Math.max(64, n), 2 * capacity));
        if (capacity == 0) {
          addPage(0);
        }
        if (shared) {
          strings[0] = Arrays.copyOf(strings[0], cap);
        } else {
          ends[0] = Arrays.copyOf(ends[0], cap);
        }
        capacity = cap;
      } else {
        addPage(PAGE);
        capacity += PAGE;
      }
    }
  }

  private void addPage(int slots) {
    if (shared) {
      strings = Arrays.copyOf(strings, strings.length + 1);
      strings[strings.length - 1] = new String[slots];
      return;
    }
    int p = ends.length;
    text = Arrays.copyOf(text, p + 1);
    ends = Arrays.copyOf(ends, p + 1);
    large = Arrays.copyOf(large, p + 1);
    text[p] = new byte[0];
    ends[p] = new int[slots];
  }

  private int start(int p, int at) {
    return at == 0 ? 0 : ends[p][at - 1] & END;
  }

  /** The array holding slot {@code at} of page {@code p}, whose end word is {@code e}. */
  private byte[] bytesOf(int p, int at, int e) {
    return (e & LARGE) != 0 ? large[p][at] : text[p];
  }

  /** The id of slot {@code ord}, as a new String. */
  String get(int ord) {
    int p = ord >>> SHIFT;
    int at = ord & (PAGE - 1);
    if (shared) {
      return strings[p][at]; // the caller's own String
    }
    int e = ends[p][at];
    byte[] src = bytesOf(p, at, e);
    int from = (e & LARGE) != 0 ? 0 : start(p, at);
    int to = (e & LARGE) != 0 ? src.length : e & END;
    if ((e & UTF16) == 0) {
      return new String(src, from, to - from, StandardCharsets.ISO_8859_1);
    }
    // By hand: a UTF-16 decoder would replace an unpaired surrogate, which an id may hold.
    char[] cs = new char[(to - from) / 2];
    for (int i = 0; i < cs.length; i++) {
      cs[i] = (char) (((src[from + 2 * i] & 0xFF) << 8) | (src[from + 2 * i + 1] & 0xFF));
    }
    return new String(cs);
  }

  /** Whether slot {@code ord} holds {@code id}; compares without making a String. */
  private boolean holds(int ord, String id) {
    int p = ord >>> SHIFT;
    int at = ord & (PAGE - 1);
    if (shared) {
      return id.equals(strings[p][at]);
    }
    int e = ends[p][at];
    byte[] src = bytesOf(p, at, e);
    int from = (e & LARGE) != 0 ? 0 : start(p, at);
    int to = (e & LARGE) != 0 ? src.length : e & END;
    int len = id.length();
    if ((e & UTF16) == 0) {
      if (to - from != len) {
        return false;
      }
      for (int i = 0; i < len; i++) {
        if ((src[from + i] & 0xFF) != id.charAt(i)) {
          return false;
        }
      }
    } else {
      if (to - from != 2 * len) {
        return false;
      }
      for (int i = 0; i < len; i++) {
        int c = ((src[from + 2 * i] & 0xFF) << 8) | (src[from + 2 * i + 1] & 0xFF);
        if (c != id.charAt(i)) {
          return false;
        }
      }
    }
    return true;
  }

  /** {@link String#hashCode()} of slot {@code ord}'s id, from its bytes. */
  private int storedHashCode(int ord) {
    int p = ord >>> SHIFT;
    int at = ord & (PAGE - 1);
    if (shared) {
      return strings[p][at].hashCode();
    }
    int e = ends[p][at];
    byte[] src = (e & LARGE) != 0 ? large[p][at] : text[p];
    int from = (e & LARGE) != 0 ? 0 : start(p, at);
    int to = (e & LARGE) != 0 ? src.length : e & END;
    int h = 0;
    if ((e & UTF16) == 0) {
      for (int i = from; i < to; i++) {
        h = 31 * h + (src[i] & 0xFF);
      }
    } else {
      for (int i = from; i < to; i += 2) {
        h = 31 * h + (((src[i] & 0xFF) << 8) | (src[i + 1] & 0xFF));
      }
    }
    return h;
  }

  /** Lets a dead slot's own array go; an inline id stays in its page until {@link #compact}. */
  void kill(int ord) {
    if (shared) {
      strings[ord >>> SHIFT][ord & (PAGE - 1)] = null; // the caller may let it go now
      return;
    }
    byte[][] own = large[ord >>> SHIFT];
    if (own != null) {
      own[ord & (PAGE - 1)] = null;
    }
  }

  private static int mix(int h) {
    h *= 0x9E3779B9;
    return h ^ (h >>> 16);
  }

  /** The cell holding {@code id}, or {@code -(free cell) - 1} where it would go. */
  int find(String id) {
    int mask = table.length - 1;
    for (int c = mix(id.hashCode()) & mask; ; c = (c + 1) & mask) {
      int e = table[c];
      if (e == 0) {
        return -c - 1;
      }
      if (holds(e - 1, id)) {
        return c;
      }
    }
  }

  /** The slot of the id in {@code cell} (a cell {@link #find} returned). */
  int slot(int cell) {
    return table[cell] - 1;
  }

  /** Points {@code cell} (a cell {@link #find} returned) to slot {@code ord}. */
  void repoint(int cell, int ord) {
    table[cell] = ord + 1;
  }

  /** Puts slot {@code ord} in the free {@code cell} that {@link #find} returned for its id. */
  void insert(int cell, int ord) {
    table[cell] = ord + 1;
    live++;
    // Load at most 3/4, so that probes stay short.
    if (4L * live > 3L * table.length) {
      rehash(table.length * 2);
    }
  }

  /** Empties {@code cell}, moving back later entries of its run that would no longer be found. */
  void delete(int cell) {
    int mask = table.length - 1;
    int gap = cell;
    for (int c = (cell + 1) & mask; table[c] != 0; c = (c + 1) & mask) {
      int home = mix(storedHashCode(table[c] - 1)) & mask;
      if (((c - home) & mask) >= ((c - gap) & mask)) {
        table[gap] = table[c];
        gap = c;
      }
    }
    table[gap] = 0;
    live--;
  }

  private void rehash(int cells) {
    int[] old = table;
    table = new int[cells];
    for (int e : old) {
      if (e != 0) {
        place(e - 1);
      }
    }
  }

  private void place(int ord) {
    int mask = table.length - 1;
    int c = mix(storedHashCode(ord)) & mask;
    while (table[c] != 0) {
      c = (c + 1) & mask;
    }
    table[c] = ord + 1;
  }

  /**
   * Keeps only the ids of slots {@code keep} (ascending, all live), which become slots 0, 1, ...;
   * the bytes are copied as they are, and the lookup is built again.
   */
  void compact(int[] keep) {
    if (shared) {
      String[][] old = strings;
      strings = new String[0][];
      capacity = 0;
      size = 0;
      for (int from : keep) {
        append(size, old[from >>> SHIFT][from & (PAGE - 1)]);
      }
      rebuildLookup(keep.length);
      return;
    }
    byte[][] oldText = text;
    int[][] oldEnds = ends;
    byte[][][] oldLarge = large;
    text = new byte[0][];
    ends = new int[0][];
    large = new byte[0][][];
    capacity = 0;
    size = 0;
    for (int from : keep) {
      int p = from >>> SHIFT;
      int at = from & (PAGE - 1);
      int e = oldEnds[p][at];
      if ((e & LARGE) != 0) {
        appendLarge(oldLarge[p][at], (e & UTF16) != 0);
      } else {
        int start = at == 0 ? 0 : oldEnds[p][at - 1] & END;
        int n = (e & END) - start;
        int to = reserve(n);
        System.arraycopy(oldText[p], start, text[size >>> SHIFT], to, n);
        finish(to + n, e & UTF16);
      }
    }
    // The page being written is cut to size as well: compaction follows churn, and the next
    // appends grow it again only if they come.
    if (size > 0 && (size & (PAGE - 1)) != 0) {
      int p = (size - 1) >>> SHIFT;
      text[p] = Arrays.copyOf(text[p], start(p, size & (PAGE - 1)));
    }
    rebuildLookup(keep.length);
  }

  /** The lookup of slots 0 to {@code n - 1}, all live. */
  private void rebuildLookup(int n) {
    table = new int[cellsFor(n)];
    live = n;
    for (int j = 0; j < n; j++) {
      place(j);
    }
  }

  private static int cellsFor(int n) {
    int cells = 16;
    while (4L * n > 3L * cells) {
      cells *= 2;
    }
    return cells;
  }

  /**
   * Heap bytes, as allocated: the pages' arrays of bytes and of ends, the arrays of ids held on
   * their own (and the page's array of references to them), the page tables and the lookup. Shared:
   * the pages of references, the page table and the lookup; not the Strings, which are the
   * caller's.
   */
  long memoryBytes() {
    if (shared) {
      long bytes =
          HeapArrays.arrayBytes(strings.length, 4) + HeapArrays.arrayBytes(table.length, 4);
      for (String[] page : strings) {
        bytes += HeapArrays.arrayBytes(page.length, 4);
      }
      return bytes;
    }
    long bytes =
        HeapArrays.arrayBytes(text.length, 4)
            + HeapArrays.arrayBytes(ends.length, 4)
            + HeapArrays.arrayBytes(large.length, 4)
            + HeapArrays.arrayBytes(table.length, 4);
    for (int p = 0; p < ends.length; p++) {
      bytes += HeapArrays.arrayBytes(text[p].length, 1);
      bytes += HeapArrays.arrayBytes(ends[p].length, 4);
      if (large[p] != null) {
        bytes += HeapArrays.arrayBytes(large[p].length, 4);
        for (byte[] own : large[p]) {
          bytes += own == null ? 0 : HeapArrays.arrayBytes(own.length, 1);
        }
      }
    }
    return bytes;
  }

  static boolean isLatin1(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) > 0xFF) {
        return false;
      }
    }
    return true;
  }

  private static void encode(String s, boolean latin1, byte[] out, int off) {
    if (latin1) {
      for (int i = 0; i < s.length(); i++) {
        out[off + i] = (byte) s.charAt(i);
      }
    } else {
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        out[off + 2 * i] = (byte) (c >>> 8);
        out[off + 2 * i + 1] = (byte) c;
      }
    }
  }
}
