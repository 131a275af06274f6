package dev.optimizer.runtime.cache.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A loopback TCP proxy to a Redis server that holds the first SUBSCRIBE it sees until {@link
 * #release()}, running {@link #onHeldSubscribe} when it does: a test can so act on a client that is
 * surely waiting for SUBSCRIBE's answer. Everything else, later SUBSCRIBEs included, passes
 * through.
 */
final class SubscribeHoldingProxy implements AutoCloseable {
  private final int target;
  private final ServerSocket server;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final AtomicBoolean held = new AtomicBoolean();
  private final CountDownLatch released = new CountDownLatch(1);
  volatile Runnable onHeldSubscribe = () -> {};

  SubscribeHoldingProxy(int target) throws IOException {
    this.target = target;
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    daemon("proxy-accept", this::accept).start();
  }

  int port() {
    return server.getLocalPort();
  }

  /** Lets the held SUBSCRIBE through. */
  void release() {
    released.countDown();
  }

  private void accept() {
    try {
      while (true) {
        Socket client = server.accept();
        Socket redis = new Socket(InetAddress.getLoopbackAddress(), target);
        sockets.add(client);
        sockets.add(redis);
        daemon("proxy-up", () -> pump(client, redis, true)).start();
        daemon("proxy-down", () -> pump(redis, client, false)).start();
      }
    } catch (IOException closed) {
      // the proxy is closed
    }
  }

  private void pump(Socket from, Socket to, boolean upstream) {
    byte[] buffer = new byte[8192];
    try (InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream()) {
      int n;
      while ((n = in.read(buffer)) >= 0) {
        // A command is written at once and is small: it arrives in one read on loopback.
        if (upstream
            && new String(buffer, 0, n, StandardCharsets.ISO_8859_1).contains("SUBSCRIBE")
            && held.compareAndSet(false, true)) {
          onHeldSubscribe.run();
          released.await();
        }
        out.write(buffer, 0, n);
        out.flush();
      }
    } catch (IOException | InterruptedException e) {
      // one side closed
    } finally {
      closeQuietly(from);
      closeQuietly(to);
    }
  }

  private static Thread daemon(String name, Runnable r) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception e) {
      // closing anyway
    }
  }

  @Override
  public void close() {
    released.countDown();
    closeQuietly(server);
    sockets.forEach(SubscribeHoldingProxy::closeQuietly);
  }
}
