package dev.optimizer.ai.inference.vector;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * Where a {@link QuantizedVectorIndex} keeps the full-precision vectors it rescores its candidates
 * with: in the heap, or in a file read only for the few candidates of each query (so that the heap
 * holds the quantized codes alone).
 */
abstract class ExactVectors implements AutoCloseable {

  private static final int MAX_FLOATS = Integer.MAX_VALUE - 8;

  /** {@code floats} as an array length, or a clear error where no Java array can hold it. */
  static int checkedLength(long floats) {
    if (floats > MAX_FLOATS) {
      throw new IllegalStateException(
          "the full-precision vectors need "
              + floats
              + " floats, more than the largest Java array ("
              + MAX_FLOATS
              + "); keep them in a file (exactVectorsFile) instead");
    }
    return (int) floats;
  }

  abstract void append(float[] vector);

  abstract void read(int ordinal, float[] into);

  /**
   * Keeps only the vectors at ordinals {@code keep} (ascending), which become ordinals 0, 1, ...
   */
  abstract void compact(int[] keep);

  /** Bytes this store keeps in the Java heap. */
  abstract long heapBytes();

  @Override
  public void close() {}

  static ExactVectors inMemory(int dimension) {
    return new InMemory(dimension);
  }

  static ExactVectors file(Path path, int dimension) {
    return new FileBacked(path, dimension);
  }

  /**
   * In pages of {@link QuantizedVectorIndex#PAGE} vectors, as the index keeps its codes, so that
   * growth adds a page instead of copying into an array twice the size.
   */
  private static final class InMemory extends ExactVectors {
    private static final int SHIFT = QuantizedVectorIndex.PAGE_SHIFT;
    private static final int PAGE = QuantizedVectorIndex.PAGE;
    private final int dim;
    private float[][] pages = new float[0][];
    private int capacity; // vectors
    private int size;

    InMemory(int dim) {
      this.dim = dim;
    }

    @Override
    void append(float[] vector) {
      ensureCapacity(size + 1);
      System.arraycopy(vector, 0, pages[size >>> SHIFT], (size & (PAGE - 1)) * dim, dim);
      size++;
    }

    /** The first page doubles (from 64 vectors) up to a whole page; then whole pages are added. */
    private void ensureCapacity(int n) {
      while (n > capacity) {
        if (capacity < PAGE) {
          int cap = Math.min(PAGE, Math.max(Math.max(64, n), 2 * capacity));
          if (pages.length == 0) {
            pages = new float[1][];
            pages[0] = new float[0];
          }
          pages[0] = Arrays.copyOf(pages[0], checkedLength((long) cap * dim));
          capacity = cap;
        } else {
          pages = Arrays.copyOf(pages, pages.length + 1);
          pages[pages.length - 1] = new float[PAGE * dim];
          capacity += PAGE;
        }
      }
    }

    @Override
    void read(int ordinal, float[] into) {
      System.arraycopy(pages[ordinal >>> SHIFT], (ordinal & (PAGE - 1)) * dim, into, 0, dim);
    }

    @Override
    void compact(int[] keep) {
      float[][] old = pages;
      pages = new float[0][];
      capacity = 0;
      ensureCapacity(keep.length);
      for (int k = 0; k < keep.length; k++) {
        System.arraycopy(
            old[keep[k] >>> SHIFT],
            (keep[k] & (PAGE - 1)) * dim,
            pages[k >>> SHIFT],
            (k & (PAGE - 1)) * dim,
            dim);
      }
      size = keep.length;
    }

    @Override
    long heapBytes() {
      long bytes = QuantizedVectorIndex.arrayBytes(pages.length, 4);
      for (float[] page : pages) {
        bytes += QuantizedVectorIndex.arrayBytes(page.length, 4);
      }
      return bytes;
    }
  }

  private static final class FileBacked extends ExactVectors {
    private final int dim;
    private final FileChannel channel;
    private final ThreadLocal<ByteBuffer> buffers;
    private long size;

    FileBacked(Path path, int dim) {
      this.dim = dim;
      try {
        this.channel =
            FileChannel.open(
                path,
                StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.READ,
                StandardOpenOption.WRITE);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot open vector file " + path, e);
      }
      this.buffers =
          ThreadLocal.withInitial(
              () -> ByteBuffer.allocateDirect(dim * 4).order(ByteOrder.LITTLE_ENDIAN));
    }

    @Override
    void append(float[] vector) {
      ByteBuffer b = ByteBuffer.allocate(dim * 4).order(ByteOrder.LITTLE_ENDIAN);
      b.asFloatBuffer().put(vector, 0, dim);
      try {
        long pos = size * dim * 4L;
        while (b.hasRemaining()) {
          pos += channel.write(b, pos);
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write the vector file", e);
      }
      size++;
    }

    @Override
    void read(int ordinal, float[] into) {
      ByteBuffer b = buffers.get();
      b.clear();
      try {
        long pos = (long) ordinal * dim * 4L;
        while (b.hasRemaining()) {
          int n = channel.read(b, pos + b.position());
          if (n < 0) {
            throw new IllegalStateException("vector file ends before vector " + ordinal);
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read the vector file", e);
      }
      b.flip();
      b.asFloatBuffer().get(into, 0, dim);
    }

    @Override
    void compact(int[] keep) {
      // Moving forward only (keep[k] >= k), so copying in place never overwrites a kept vector.
      ByteBuffer b = ByteBuffer.allocate(dim * 4);
      try {
        for (int k = 0; k < keep.length; k++) {
          if (keep[k] == k) {
            continue;
          }
          b.clear();
          long from = (long) keep[k] * dim * 4L;
          while (b.hasRemaining()) {
            if (channel.read(b, from + b.position()) < 0) {
              throw new IllegalStateException("vector file ends before vector " + keep[k]);
            }
          }
          b.flip();
          long to = (long) k * dim * 4L;
          while (b.hasRemaining()) {
            to += channel.write(b, to);
          }
        }
        channel.truncate((long) keep.length * dim * 4L);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot compact the vector file", e);
      }
      size = keep.length;
    }

    @Override
    long heapBytes() {
      return 0;
    }

    @Override
    public void close() {
      try {
        channel.close();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot close the vector file", e);
      }
    }
  }
}
