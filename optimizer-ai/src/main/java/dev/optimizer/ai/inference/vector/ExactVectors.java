package dev.optimizer.ai.inference.vector;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ClosedChannelException;
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
      long bytes = HeapArrays.arrayBytes(pages.length, 4);
      for (float[] page : pages) {
        bytes += HeapArrays.arrayBytes(page.length, 4);
      }
      return bytes;
    }
  }

  /**
   * Positional reads and writes on a {@link FileChannel}. A FileChannel is interruptible: an
   * interrupt of a thread in (or entering) one of its calls closes it for every thread. So each
   * call runs with this thread's interrupt flag cleared (and set again afterwards), and where the
   * channel was closed all the same (an interrupt arriving during the call, here or on another
   * thread) the file is opened again, without truncating, and the call retried: one cancelled
   * caller must not break the index for the others.
   */
  private static final class FileBacked extends ExactVectors {
    private static final int MAX_REOPENS = 16;

    private final Path path;
    private final int dim;
    private volatile FileChannel channel;
    private volatile boolean closed;
    private final ThreadLocal<ByteBuffer> buffers;
    private long size;

    FileBacked(Path path, int dim) {
      this.path = path;
      this.dim = dim;
      this.channel =
          open(
              StandardOpenOption.CREATE,
              StandardOpenOption.TRUNCATE_EXISTING,
              StandardOpenOption.READ,
              StandardOpenOption.WRITE);
      this.buffers =
          ThreadLocal.withInitial(
              () -> ByteBuffer.allocateDirect(dim * 4).order(ByteOrder.LITTLE_ENDIAN));
    }

    private FileChannel open(StandardOpenOption... options) {
      try {
        return FileChannel.open(path, options);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot open vector file " + path, e);
      }
    }

    /** One call on the channel; run again from the start after a reopen, so it must be whole. */
    private interface Io {
      void run(FileChannel c) throws IOException;
    }

    private void io(String what, Io op) {
      boolean interrupted = Thread.interrupted();
      try {
        for (int reopens = 0; ; reopens++) {
          FileChannel c = channel;
          try {
            op.run(c);
            return;
          } catch (ClosedChannelException e) {
            // ClosedByInterruptException (this thread was interrupted during the call) or
            // AsynchronousCloseException (another thread was), or close().
            interrupted |= Thread.interrupted();
            if (closed) {
              throw new IllegalStateException("the vector index is closed (file " + path + ")", e);
            }
            if (reopens == MAX_REOPENS) {
              throw new UncheckedIOException(
                  "cannot " + what + " the vector file " + path + ": closed " + reopens + " times",
                  e);
            }
            reopen(c);
          } catch (IOException e) {
            throw new UncheckedIOException("cannot " + what + " the vector file " + path, e);
          }
        }
      } finally {
        if (interrupted) {
          Thread.currentThread().interrupt();
        }
      }
    }

    private synchronized void reopen(FileChannel failed) {
      if (channel == failed && !closed) {
        channel = open(StandardOpenOption.READ, StandardOpenOption.WRITE);
      }
    }

    private void readFully(ByteBuffer b, long pos, int ordinal) {
      io(
          "read",
          c -> {
            b.clear();
            while (b.hasRemaining()) {
              if (c.read(b, pos + b.position()) < 0) {
                throw new IllegalStateException("vector file ends before vector " + ordinal);
              }
            }
          });
    }

    private void writeFully(ByteBuffer b, long pos) {
      io(
          "write",
          c -> {
            b.rewind();
            long p = pos;
            while (b.hasRemaining()) {
              p += c.write(b, p);
            }
          });
    }

    @Override
    void append(float[] vector) {
      ByteBuffer b = ByteBuffer.allocate(dim * 4).order(ByteOrder.LITTLE_ENDIAN);
      b.asFloatBuffer().put(vector, 0, dim);
      writeFully(b, size * dim * 4L);
      size++;
    }

    @Override
    void read(int ordinal, float[] into) {
      ByteBuffer b = buffers.get();
      readFully(b, (long) ordinal * dim * 4L, ordinal);
      b.flip();
      b.asFloatBuffer().get(into, 0, dim);
    }

    @Override
    void compact(int[] keep) {
      // Moving forward only (keep[k] >= k), so copying in place never overwrites a kept vector.
      // Each move is its own call: a move already done must not be retried, as its source may
      // have been overwritten since.
      ByteBuffer b = ByteBuffer.allocate(dim * 4);
      for (int k = 0; k < keep.length; k++) {
        if (keep[k] == k) {
          continue;
        }
        readFully(b, (long) keep[k] * dim * 4L, keep[k]);
        writeFully(b, (long) k * dim * 4L);
      }
      long length = (long) keep.length * dim * 4L;
      io("compact", c -> c.truncate(length));
      size = keep.length;
    }

    @Override
    long heapBytes() {
      return 0;
    }

    @Override
    public void close() {
      closed = true;
      try {
        synchronized (this) {
          channel.close();
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot close the vector file", e);
      }
    }
  }
}
