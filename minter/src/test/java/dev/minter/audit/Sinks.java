package dev.minter.audit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/** Test sinks: count fsyncs, simulate their latency, inject failures. */
final class Sinks {
  private Sinks() {}

  /** An in-memory sink whose {@code force()} takes {@code forceMillis}, like a disk would. */
  static final class Memory implements AuditSink {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final AtomicInteger forces = new AtomicInteger();
    private final long forceMillis;
    private volatile int failForceAfter = Integer.MAX_VALUE;
    private volatile boolean failWrites;

    Memory(long forceMillis) {
      this.forceMillis = forceMillis;
    }

    Memory failForceAfter(int okForces) {
      failForceAfter = okForces;
      return this;
    }

    Memory failWrites() {
      failWrites = true;
      return this;
    }

    /** Makes the sink work again: the log must still refuse, since it cannot know what the failure left behind. */
    void heal() {
      failForceAfter = Integer.MAX_VALUE;
      failWrites = false;
    }

    int forces() {
      return forces.get();
    }

    synchronized Reader reader() {
      return new StringReader(bytes.toString(StandardCharsets.UTF_8));
    }

    @Override
    public synchronized void write(byte[] b) throws IOException {
      if (failWrites) {
        throw new IOException("injected write failure");
      }
      bytes.writeBytes(b);
    }

    @Override
    public void force() throws IOException {
      if (forces.get() >= failForceAfter) {
        throw new IOException("injected fsync failure");
      }
      forces.incrementAndGet();
      if (forceMillis > 0) {
        try {
          Thread.sleep(forceMillis);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted", e);
        }
      }
    }

    @Override
    public void close() {}
  }
}
