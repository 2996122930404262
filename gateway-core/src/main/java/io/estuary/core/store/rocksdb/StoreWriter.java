package io.estuary.core.store.rocksdb;

import io.estuary.core.config.PersistenceConfig;
import io.estuary.core.store.StoreUnavailableException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store's single writer thread: callers on any thread queue operations (never blocking), the
 * thread applies whatever has queued up as one atomic {@link WriteBatch} (group commit) and then
 * completes the barriers of that batch. With {@code sync = always} each batch is written with
 * {@code sync = true}, so a barrier completes only once the batch is on disk; otherwise once RocksDB
 * has handed it to the OS (a process crash loses nothing past that point).
 *
 * <p>Bounds (issue #13): {@link #pending()} and {@link #pendingBytes()} are what the store compares with
 * {@code persistence.max_pending_writes/max_pending_bytes} before it admits new persistent work, so the
 * queue grows past them only by the writes of work admitted just before (updates and deletes are never
 * refused: deletes must always be able to free space). A failed batch sets {@link #failing()} until a
 * later batch succeeds.
 */
final class StoreWriter {
  private static final Logger LOG = LoggerFactory.getLogger(StoreWriter.class);
  private static final int MAX_BATCH = 8192;

  /** One queued operation. {@code applied} (may be null) runs on the writer once the batch is written. */
  sealed interface Op permits Put, Delete, DeleteRange, Barrier {}

  record Put(ColumnFamilyHandle cf, byte[] key, byte[] value, Runnable applied) implements Op {}

  record Delete(ColumnFamilyHandle cf, byte[] key, Runnable applied) implements Op {}

  record DeleteRange(ColumnFamilyHandle cf, byte[] from, byte[] to) implements Op {}

  record Barrier(CompletableFuture<Void> done) implements Op {}

  private static final Op STOP = new Barrier(null);

  private final RocksDB db;
  private final WriteOptions writeOptions;
  private final LinkedBlockingQueue<Op> queue = new LinkedBlockingQueue<>();
  /** Operations queued and not yet written: incremented before queueing, decremented after the write. */
  private final AtomicLong pending = new AtomicLong();
  private final AtomicLong batches = new AtomicLong();
  private final AtomicLong writeErrors = new AtomicLong();
  /** Key + value bytes of queued, unwritten puts. */
  private final AtomicLong pendingBytes = new AtomicLong();
  /** Key + value bytes of every put queued since the store's last size estimate (see RocksDbStore). */
  final AtomicLong bytesSinceEstimate = new AtomicLong();
  /** Deletes queued since the last compaction (RocksDbStore's maintenance resets it). */
  final AtomicLong deletes = new AtomicLong();
  private volatile boolean failing;
  private volatile Throwable lastFailure;
  /** Test seam: while non-null, every batch fails with this message before reaching RocksDB. */
  private volatile String injectedFailure;
  private final Thread thread;
  private volatile boolean closed;

  StoreWriter(RocksDB db, PersistenceConfig.Sync sync) {
    this.db = db;
    this.writeOptions = new WriteOptions().setSync(sync == PersistenceConfig.Sync.ALWAYS);
    this.thread = new Thread(this::run, "estuary-store-writer");
    thread.setDaemon(true);
    thread.start();
  }

  void submit(Op op) {
    if (closed) {
      LOG.debug("store closed, write dropped");
      return;
    }
    pending.incrementAndGet();
    if (op instanceof Put p) {
      long bytes = p.key().length + (long) p.value().length;
      pendingBytes.addAndGet(bytes);
      bytesSinceEstimate.addAndGet(bytes);
    } else if (op instanceof Delete || op instanceof DeleteRange) {
      deletes.incrementAndGet();
    }
    queue.add(op);
  }

  long pendingBytes() {
    return pendingBytes.get();
  }

  /** True since a batch failed, until a later one succeeds. */
  boolean failing() {
    return failing;
  }

  /** Test seam ({@link RocksDbStore#injectWriteFailure}): non-null fails every batch from now on, null heals. */
  void injectFailure(String message) {
    injectedFailure = message;
  }

  /** Completes once every operation queued before the call is written (and fsynced with sync = always). */
  CompletableFuture<Void> barrier() {
    if (pending.get() == 0 && !failing) {
      return CompletableFuture.completedFuture(null);
    }
    CompletableFuture<Void> f = new CompletableFuture<>();
    if (closed) {
      f.completeExceptionally(new IllegalStateException("store closed"));
      return f;
    }
    submit(new Barrier(f));
    return f;
  }

  long pending() {
    return pending.get();
  }

  long batches() {
    return batches.get();
  }

  long writeErrors() {
    return writeErrors.get();
  }

  private void run() {
    List<Op> ops = new ArrayList<>(1024);
    boolean stop = false;
    while (!stop) {
      Op first;
      try {
        first = queue.poll(200, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        break;
      }
      if (first == null) {
        continue;
      }
      ops.add(first);
      queue.drainTo(ops, MAX_BATCH - 1);
      stop = ops.remove(STOP);
      write(ops);
      ops.clear();
    }
  }

  private void write(List<Op> ops) {
    Throwable failure = null;
    try (WriteBatch batch = new WriteBatch()) {
      for (Op op : ops) {
        if (op instanceof Put p) {
          batch.put(p.cf(), p.key(), p.value());
        } else if (op instanceof Delete d) {
          batch.delete(d.cf(), d.key());
        } else if (op instanceof DeleteRange r) {
          batch.deleteRange(r.cf(), r.from(), r.to());
        }
      }
      String injected = injectedFailure;
      if (injected != null && batch.count() > 0) {
        throw new RocksDBException(injected);
      }
      if (batch.count() > 0) {
        db.write(writeOptions, batch);
        batches.incrementAndGet();
        failing = false;
      }
    } catch (RocksDBException | RuntimeException e) {
      failure = e;
      lastFailure = e;
      failing = true;
      if (writeErrors.incrementAndGet() % 1000 == 1) {
        LOG.error("store write of {} operations failed: {}", ops.size(), e.toString());
      }
    }
    long bytes = 0;
    for (Op op : ops) {
      if (op instanceof Put p) {
        bytes += p.key().length + (long) p.value().length;
        runQuietly(p.applied());
      } else if (op instanceof Delete d) {
        runQuietly(d.applied());
      } else if (op instanceof Barrier b) {
        if (failure == null && !failing) {
          b.done().complete(null);
        } else { // this batch, or an earlier one not yet followed by a good write, failed: nothing is promised
          b.done().completeExceptionally(new StoreUnavailableException("store write failed: "
              + (failure != null ? failure : lastFailure), failure != null ? failure : lastFailure));
        }
      }
    }
    pendingBytes.addAndGet(-bytes);
    pending.addAndGet(-ops.size());
  }

  private static void runQuietly(Runnable r) {
    if (r != null) {
      try {
        r.run();
      } catch (RuntimeException e) {
        LOG.warn("store write callback failed", e);
      }
    }
  }

  /** Writes what is queued, then stops the thread. */
  void close() {
    if (closed) {
      return;
    }
    closed = true;
    pending.incrementAndGet();
    queue.add(STOP);
    try {
      thread.join(TimeUnit.SECONDS.toMillis(30));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    writeOptions.close();
  }
}
