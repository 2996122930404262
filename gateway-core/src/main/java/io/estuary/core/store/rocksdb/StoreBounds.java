package io.estuary.core.store.rocksdb;

import io.estuary.core.config.PersistenceConfig;
import io.estuary.core.store.StoreAdmission;
import java.util.List;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.Range;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.Slice;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The RocksDB store's bounds (issue #13): whether it refuses new persistent work, and why.
 *
 * <p>Accounting: RocksDB's own estimate of the live data of every column family (sessions, messages,
 * awaiting_rel, retained, kv: {@code estimate-live-data-size} of the SST files + the approximate data in the
 * memtables), refreshed every second and at open by the maintenance thread, plus the key + value bytes of
 * every put queued since ({@link StoreWriter#bytesSinceEstimate}). RocksDB's figure rather than an own
 * running total because a total would need a full scan at every start and a read before each overwrite to
 * know the size it replaces; the estimate is known at open and follows compaction. Thread-safe: one
 * volatile written by the maintenance thread, read by any.
 */
final class StoreBounds {
  private static final Logger LOG = LoggerFactory.getLogger(StoreBounds.class);
  private static final byte[] EMPTY = new byte[0];
  /** Above every key the store writes (their first byte is a length byte or UTF-8, never 0xFF). */
  private static final byte[] MAX_KEY = {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF};

  private final PersistenceConfig config;
  private final RocksDB db;
  private final List<ColumnFamilyHandle> handles;
  private final StoreWriter writer;
  private volatile long estimatedBytes;

  StoreBounds(PersistenceConfig config, RocksDB db, List<ColumnFamilyHandle> handles, StoreWriter writer) {
    this.config = config;
    this.db = db;
    this.handles = handles;
    this.writer = writer;
  }

  /** Null when new persistent work is admitted, else {@link StoreAdmission#WRITE_ERROR}, MAX_BYTES or BUSY. */
  String refusal() {
    if (writer.failing()) {
      return StoreAdmission.WRITE_ERROR;
    }
    if (overMaxBytes()) {
      return StoreAdmission.MAX_BYTES;
    }
    long maxWrites = config.maxPendingWrites();
    long maxPendingBytes = config.maxPendingBytes();
    if (maxWrites > 0 && writer.pending() >= maxWrites || maxPendingBytes > 0 && writer.pendingBytes() >= maxPendingBytes) {
      return StoreAdmission.BUSY;
    }
    return null;
  }

  boolean overMaxBytes() {
    long maxBytes = config.maxBytes();
    return maxBytes > 0 && estimatedBytes() >= maxBytes;
  }

  /** The last estimate + the puts queued since. */
  long estimatedBytes() {
    return estimatedBytes + writer.bytesSinceEstimate.get();
  }

  /** Refreshes the estimate (the maintenance thread, and once at open). */
  void estimate() {
    try {
      long counted = writer.bytesSinceEstimate.get();
      long total = 0;
      // the memtables' data, not their arena: cur-size-all-mem-tables counts allocated blocks (~1 MB for a
      // few bytes in a fresh process), which would make a small max_bytes refuse an empty store
      try (Slice from = new Slice(EMPTY); Slice to = new Slice(MAX_KEY)) {
        Range all = new Range(from, to);
        for (ColumnFamilyHandle h : handles) {
          total += db.getLongProperty(h, "rocksdb.estimate-live-data-size");
          total += db.getApproximateMemTableStats(h, all).size;
        }
      }
      estimatedBytes = total;
      writer.bytesSinceEstimate.addAndGet(-counted);
    } catch (RocksDBException | RuntimeException e) {
      LOG.debug("store size estimate failed: {}", e.toString());
    }
  }
}
