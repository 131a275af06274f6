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

  private static final class InMemory extends ExactVectors {
    private final int dim;
    private float[] data = new float[0];
    private int size;

    InMemory(int dim) {
      this.dim = dim;
    }

    @Override
    void append(float[] vector) {
      long needed = (long) (size + 1) * dim;
      if (needed > data.length) {
        checkedLength(needed);
        data = Arrays.copyOf(data, capacity(needed, 2L * data.length));
      }
      System.arraycopy(vector, 0, data, size * dim, dim);
      size++;
    }

    /**
     * An array length of {@code wanted} floats (room to grow), but at least {@code needed} and 64
     * vectors, and at most as many whole vectors as the largest array holds.
     */
    private int capacity(long needed, long wanted) {
      long grown = Math.max(needed, Math.max(64L * dim, wanted));
      return (int) Math.min(grown, MAX_FLOATS - MAX_FLOATS % dim);
    }

    @Override
    void read(int ordinal, float[] into) {
      System.arraycopy(data, ordinal * dim, into, 0, dim);
    }

    @Override
    void compact(int[] keep) {
      float[] kept = new float[capacity((long) keep.length * dim, 2L * keep.length * dim)];
      for (int k = 0; k < keep.length; k++) {
        System.arraycopy(data, keep[k] * dim, kept, k * dim, dim);
      }
      data = kept;
      size = keep.length;
    }

    @Override
    long heapBytes() {
      return 4L * data.length;
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
