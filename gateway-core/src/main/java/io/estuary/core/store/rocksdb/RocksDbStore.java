package io.estuary.core.store.rocksdb;

import io.estuary.api.Message;
import io.estuary.api.Metrics;
import io.estuary.core.config.ConfigError;
import io.estuary.core.config.PersistenceConfig;
import io.estuary.core.store.KeyValueTable;
import io.estuary.core.store.SessionRecord;
import io.estuary.core.store.Store;
import io.estuary.core.store.StoreAdmission;
import io.estuary.core.store.StoredMessage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.FlushOptions;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable {@link Store} on RocksDB (docs/persistence.md). Writers on any thread only encode and
 * queue; {@link StoreWriter} applies batches and owns durability. A maintenance thread fsyncs the WAL
 * every {@code sync_interval} (sync = interval), refreshes the size estimate behind
 * {@code max_bytes} and compacts away deleted messages. A record that does not decode is logged on
 * {@code io.estuary.core.store.drops}, counted and skipped.
 */
public final class RocksDbStore implements Store {
  private static final Logger LOG = LoggerFactory.getLogger(RocksDbStore.class);
  private static final Logger DROPS = LoggerFactory.getLogger("io.estuary.core.store.drops");
  private static final byte[] FORMAT_KEY = Keys.utf8("estuary.format");
  private static final byte[] EMPTY = new byte[0];
  /** Deleted messages after which the maintenance thread compacts the messages column family. */
  static final long COMPACT_AFTER_DELETES = 500_000;

  static {
    RocksDbLibrary.load(); // waits for gateway-app's early load, if one was started
  }

  private final PersistenceConfig config;
  private final DBOptions dbOptions;
  private final ColumnFamilyOptions cfOptions;
  private final List<ColumnFamilyHandle> handles;
  private final RocksDB db;
  private final ColumnFamilyHandle sessions;
  private final ColumnFamilyHandle messages;
  private final ColumnFamilyHandle awaitingRel;
  private final ColumnFamilyHandle retained;
  private final ColumnFamilyHandle kv;
  private final StoreWriter writer;
  private final ScheduledExecutorService maintenance;
  private final ConcurrentHashMap<String, RocksKeyValueSpace> spaces = new ConcurrentHashMap<>();
  private final AtomicLong corruptRecords = new AtomicLong();
  private final StoreAdmission admission = new StoreAdmission(this::refusal);
  private final AtomicLong compactions = new AtomicLong();
  /** Routing tags of QoS 2 publishes whose commit was not written before the last stop (see {@link #markRouting}). */
  private final Set<Long> rolledBack;
  private final AtomicLong rolledBackMessages = new AtomicLong();
  private final StoreBounds bounds;
  private volatile boolean closed;

  private RocksDbStore(PersistenceConfig config, DBOptions dbOptions, ColumnFamilyOptions cfOptions,
      RocksDB db, List<ColumnFamilyHandle> handles) {
    this.config = config;
    this.dbOptions = dbOptions;
    this.cfOptions = cfOptions;
    this.db = db;
    this.handles = handles;
    this.sessions = handles.get(1);
    this.messages = handles.get(2);
    this.awaitingRel = handles.get(3);
    this.retained = handles.get(4);
    this.kv = handles.get(5);
    this.writer = new StoreWriter(db, config.sync());
    this.bounds = new StoreBounds(config, db, handles, writer);
    this.rolledBack = uncommittedRoutings();
    this.maintenance = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "estuary-store-maintenance");
      t.setDaemon(true);
      return t;
    });
    if (config.sync() == PersistenceConfig.Sync.INTERVAL) {
      long ms = Math.max(1, config.syncInterval().toMillis());
      maintenance.scheduleWithFixedDelay(this::syncWal, ms, ms, TimeUnit.MILLISECONDS);
    }
    estimateSize(); // max_bytes holds from the first write after a restart: the size is RocksDB's, not counted by us
    maintenance.scheduleWithFixedDelay(this::estimateSize, 1, 1, TimeUnit.SECONDS);
    maintenance.scheduleWithFixedDelay(this::probeAfterFailure, 1, 1, TimeUnit.SECONDS);
    maintenance.scheduleWithFixedDelay(this::compactIfWorthIt, 10, 10, TimeUnit.SECONDS);
  }

  /**
   * Opens (creating if needed) the store in {@code config.dir()}. A directory held by another process
   * fails with a {@link ConfigError} on {@code persistence.dir}.
   */
  public static RocksDbStore open(PersistenceConfig config) {
    Path dir = config.dir().toAbsolutePath();
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new ConfigError("persistence.dir", dir.toString(), "a directory Estuary can create and write (" + e + ")");
    }
    DBOptions dbOptions = new DBOptions().setCreateIfMissing(true).setCreateMissingColumnFamilies(true)
        .setMaxBackgroundJobs(2).setKeepLogFileNum(3).setMaxTotalWalSize(256L << 20);
    ColumnFamilyOptions cfOptions = new ColumnFamilyOptions().setWriteBufferSize(32L << 20);
    List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
    descriptors.add(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, cfOptions));
    for (String name : List.of("sessions", "messages", "awaiting_rel", "retained", "kv")) {
      descriptors.add(new ColumnFamilyDescriptor(Keys.utf8(name), cfOptions));
    }
    List<ColumnFamilyHandle> handles = new ArrayList<>();
    RocksDB db;
    try {
      db = RocksDB.open(dbOptions, dir.toString(), descriptors, handles);
    } catch (RocksDBException e) {
      dbOptions.close();
      cfOptions.close();
      String msg = String.valueOf(e.getMessage());
      if (msg.toLowerCase(java.util.Locale.ROOT).contains("lock")) {
        throw new ConfigError("persistence.dir", "store directory " + dir
            + " is in use by another Estuary process (its LOCK file is held); stop that process or set another persistence.dir");
      }
      throw new IllegalStateException("cannot open the store in " + dir + ": " + msg, e);
    }
    try {
      checkFormat(db, dir);
    } catch (RuntimeException e) {
      handles.forEach(ColumnFamilyHandle::close);
      db.close();
      dbOptions.close();
      cfOptions.close();
      throw e;
    }
    RocksDbStore store = new RocksDbStore(config, dbOptions, cfOptions, db, handles);
    LOG.info("store opened in {} (sync = {}{})", dir, config.sync().name().toLowerCase(java.util.Locale.ROOT),
        config.maxBytes() > 0 ? ", max_bytes = " + config.maxBytes() : "");
    return store;
  }

  private static void checkFormat(RocksDB db, Path dir) {
    try {
      byte[] v = db.get(FORMAT_KEY);
      if (v == null) {
        try (var wo = new org.rocksdb.WriteOptions().setSync(true)) {
          db.put(wo, FORMAT_KEY, new byte[] {(byte) RecordCodec.VERSION});
        }
      } else if (v.length != 1 || v[0] != RecordCodec.VERSION) {
        throw new ConfigError("persistence.dir", "store in " + dir + " has record format "
            + (v.length == 1 ? v[0] : "?") + "; this build reads format " + RecordCodec.VERSION);
      }
    } catch (RocksDBException e) {
      throw new IllegalStateException("cannot read the store format in " + dir + ": " + e.getMessage(), e);
    }
  }

  public PersistenceConfig config() {
    return config;
  }

  // ---- sessions -------------------------------------------------------------------------------

  @Override
  public void saveSession(SessionRecord session) {
    writer.submit(new StoreWriter.Put(sessions, Keys.utf8(session.clientId()), RecordCodec.encodeSession(session), null));
  }

  @Override
  public void deleteSession(String clientId) {
    byte[] prefix = Keys.prefix(clientId);
    byte[] end = Keys.after(prefix);
    writer.submit(new StoreWriter.Delete(sessions, Keys.utf8(clientId), null));
    writer.submit(new StoreWriter.DeleteRange(messages, prefix, end));
    writer.submit(new StoreWriter.DeleteRange(awaitingRel, prefix, end));
  }

  @Override
  public void forEachSession(Consumer<SessionRecord> visitor) {
    scan(sessions, null, (k, v) -> {
      SessionRecord r = decode("session", k, () -> RecordCodec.decodeSession(v));
      if (r != null) {
        visitor.accept(r);
      }
    });
  }

  // ---- queues ---------------------------------------------------------------------------------

  @Override
  public void saveMessage(String clientId, StoredMessage message) {
    byte[] value = RecordCodec.encodeQueued(message);
    writer.submit(new StoreWriter.Put(messages, Keys.message(clientId, message.seq()), value, null));
  }

  @Override
  public void deleteMessage(String clientId, long seq) {
    writer.submit(new StoreWriter.Delete(messages, Keys.message(clientId, seq), null));
  }

  @Override
  public List<StoredMessage> loadMessages(String clientId) {
    List<StoredMessage> out = new ArrayList<>();
    scan(messages, Keys.prefix(clientId), (k, v) -> {
      StoredMessage m = decode("message", k, () -> RecordCodec.decodeQueued(v));
      if (m != null && m.seq() != Keys.seqOf(k)) {
        corrupt("message", k, "sequence " + m.seq() + " does not match its key");
      } else if (m != null && m.routingTag() != 0 && rolledBack.contains(m.routingTag())) {
        rolledBackMessages.incrementAndGet();
        writer.submit(new StoreWriter.Delete(messages, k.clone(), null));
      } else if (m != null) {
        out.add(m);
      }
    });
    return out;
  }

  @Override
  public void addAwaitingRelease(String clientId, int packetId) {
    writer.submit(new StoreWriter.Put(awaitingRel, Keys.awaitingRel(clientId, packetId), EMPTY, null));
  }

  @Override
  public void markRouting(String clientId, int packetId, long tag) {
    if (tag == 0) {
      throw new IllegalArgumentException("routing tag 0");
    }
    writer.submit(new StoreWriter.Put(awaitingRel, Keys.awaitingRel(clientId, packetId), RecordCodec.encodeAwaiting(tag), null));
  }

  @Override
  public void removeAwaitingRelease(String clientId, int packetId) {
    writer.submit(new StoreWriter.Delete(awaitingRel, Keys.awaitingRel(clientId, packetId), null));
  }

  @Override
  public Set<Integer> loadAwaitingRelease(String clientId) {
    byte[] prefix = Keys.prefix(clientId);
    Set<Integer> out = new HashSet<>();
    scan(awaitingRel, prefix, (k, v) -> {
      if (k.length != prefix.length + 2) {
        corrupt("awaiting_rel", k, "key length " + k.length);
      } else {
        Long tag = decode("awaiting_rel", k, () -> RecordCodec.decodeAwaiting(v));
        if (tag != null && tag == 0) {
          out.add(Keys.packetIdOf(k));
        }
      }
    });
    return out;
  }

  /**
   * At open: the routing markers never committed, i.e. QoS 2 publishes a crash interrupted before the
   * last copy was queued (their publishers got no PUBREC and will re-send). Their markers are deleted
   * now and their copies as {@link #loadMessages} meets them, so the re-sent PUBLISH is routed once.
   */
  private Set<Long> uncommittedRoutings() {
    Set<Long> tags = new HashSet<>();
    scan(awaitingRel, null, (k, v) -> {
      Long tag = v.length == 0 ? Long.valueOf(0) : decode("awaiting_rel", k, () -> RecordCodec.decodeAwaiting(v));
      if (tag != null && tag != 0) {
        tags.add(tag);
        writer.submit(new StoreWriter.Delete(awaitingRel, k.clone(), null));
      }
    });
    if (!tags.isEmpty()) {
      LOG.info("rolling back {} QoS 2 publishes interrupted by the last stop before they were acknowledged", tags.size());
    }
    return tags;
  }

  // ---- retained and adapter state -------------------------------------------------------------

  @Override
  public void saveRetained(Message message) {
    writer.submit(new StoreWriter.Put(retained, Keys.utf8(message.topic()), RecordCodec.encodeRetained(message), null));
  }

  @Override
  public void deleteRetained(String topic) {
    writer.submit(new StoreWriter.Delete(retained, Keys.utf8(topic), null));
  }

  @Override
  public void forEachRetained(Consumer<Message> visitor) {
    scan(retained, null, (k, v) -> {
      Message m = decode("retained", k, () -> RecordCodec.decodeRetained(v));
      if (m != null) {
        visitor.accept(m);
      }
    });
  }

  @Override
  public KeyValueTable keyValueTable(String namespace) {
    return spaces.computeIfAbsent(namespace, n -> new RocksKeyValueSpace(db, kv, writer, n));
  }

  // ---- durability and bounds ------------------------------------------------------------------

  @Override
  public CompletionStage<Void> sync() {
    return writer.barrier();
  }

  @Override
  public boolean durable() {
    return true;
  }

  /** See {@link StoreBounds}: over max_bytes, the writer queue at a bound, a failing disk. */
  @Override
  public String refusal() {
    return bounds.refusal();
  }

  @Override
  public boolean admit(StoreAdmission.Work work) {
    return admission.admit(work);
  }

  @Override
  public void writeFailed(StoreAdmission.Work work) {
    admission.writeFailed(work);
  }

  public StoreAdmission admission() {
    return admission;
  }

  /** Live data as RocksDB estimates it (SST live data + memtables, refreshed every second) + puts queued since. */
  public long estimatedBytes() {
    return bounds.estimatedBytes();
  }

  /**
   * Test seam for a failing disk (issue #13): with a message, every write batch from now on fails with a
   * {@link RocksDBException} carrying it before reaching RocksDB, exactly as a failed {@code db.write} would
   * (ENOSPC, EIO); null heals it (the next batch, e.g. the maintenance probe, then succeeds).
   */
  public void injectWriteFailure(String message) {
    writer.injectFailure(message);
  }

  /** Column family {@code i} in open order (0 = default). */
  ColumnFamilyHandle family(int i) {
    return handles.get(i);
  }

  /** The writer (tests hold it up to fill its queue). */
  StoreWriter writer() {
    return writer;
  }

  public long corruptRecords() {
    return corruptRecords.get();
  }

  public long compactions() {
    return compactions.get();
  }

  @Override
  public void registerMetrics(Metrics metrics) {
    metrics.gauge("store.bytes", this::estimatedBytes);
    metrics.gauge("store.pending_writes", writer::pending);
    metrics.gauge("store.pending_bytes", writer::pendingBytes);
    metrics.gauge("store.failing", () -> writer.failing() ? 1 : 0);
    admission.registerMetrics(metrics);
    metrics.monotonic("store.batches", writer::batches);
    metrics.monotonic("store.write_errors", writer::writeErrors);
    metrics.monotonic("store.corrupt_records", corruptRecords::get);
    metrics.monotonic("store.compactions", compactions::get);
    metrics.monotonic("store.rolled_back_messages", rolledBackMessages::get);
  }

  private void syncWal() {
    if (closed) {
      return;
    }
    try {
      db.syncWal();
    } catch (RocksDBException e) {
      LOG.warn("store WAL fsync failed: {}", e.getMessage());
    }
  }

  void estimateSize() {
    if (!closed) {
      bounds.estimate();
    }
  }


  /**
   * After a failed write nothing new is admitted, so a write that proves the disk healthy again may never
   * come: once a second the format marker is rewritten through the writer; its success clears the failure.
   */
  void probeAfterFailure() {
    if (!closed && writer.failing() && writer.pending() == 0) {
      writer.submit(new StoreWriter.Put(handles.get(0), FORMAT_KEY, new byte[] {(byte) RecordCodec.VERSION}, null));
    }
  }

  /**
   * Queues drain from their head and deletes leave tombstones; compaction drops them and reclaims the
   * space. Every {@link #COMPACT_AFTER_DELETES} deletes, or after any delete while over
   * {@code persistence.max_bytes}, so that space freed by deletes counts again within ~10 s.
   */
  void compactIfWorthIt() {
    long deletes = writer.deletes.get();
    boolean over = bounds.overMaxBytes();
    if (closed || deletes < COMPACT_AFTER_DELETES && !(over && deletes > 0)) {
      return;
    }
    compactNow();
  }

  /** Compacts every column family now (on the calling thread), memtables first, and refreshes the size. */
  public void compactNow() {
    writer.deletes.set(0);
    try {
      for (ColumnFamilyHandle h : handles) {
        db.compactRange(h);
      }
      compactions.incrementAndGet();
      estimateSize();
    } catch (RocksDBException e) {
      LOG.warn("store compaction failed: {}", e.getMessage());
    }
  }

  // ---- reads ----------------------------------------------------------------------------------

  private void scan(ColumnFamilyHandle cf, byte[] prefix, BiConsumer<byte[], byte[]> visitor) {
    try (Slice upper = prefix == null ? null : new Slice(Keys.after(prefix));
        ReadOptions ro = new ReadOptions().setFillCache(false).setReadaheadSize(2L << 20);
        RocksIterator it = db.newIterator(cf, upper == null ? ro : ro.setIterateUpperBound(upper))) {
      if (prefix == null) {
        it.seekToFirst();
      } else {
        it.seek(prefix);
      }
      for (; it.isValid(); it.next()) {
        visitor.accept(it.key(), it.value());
      }
    }
  }

  private <T> T decode(String what, byte[] key, java.util.function.Supplier<T> decoder) {
    try {
      return decoder.get();
    } catch (CorruptRecordException e) {
      corrupt(what, key, e.getMessage());
      return null;
    }
  }

  private void corrupt(String what, byte[] key, String reason) {
    corruptRecords.incrementAndGet();
    LOG.warn("skipped a corrupt {} record (key {}): {}", what, printable(key), reason);
    DROPS.debug("corrupt {} record {}: {}", what, printable(key), reason);
  }

  private static String printable(byte[] key) {
    StringBuilder sb = new StringBuilder();
    for (byte b : key) {
      sb.append(b >= 0x20 && b < 0x7F ? String.valueOf((char) b) : String.format("\\x%02x", b));
    }
    return sb.toString();
  }

  /** Writes what is queued, fsyncs the WAL and closes RocksDB. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    writer.close();
    closed = true;
    maintenance.shutdownNow();
    try {
      maintenance.awaitTermination(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try (FlushOptions fo = new FlushOptions().setWaitForFlush(true)) {
      db.syncWal();
      db.flush(fo, handles); // the next start reads SST files instead of replaying the WAL
    } catch (RocksDBException e) {
      LOG.warn("store WAL fsync/flush at close failed: {}", e.getMessage());
    }
    handles.forEach(ColumnFamilyHandle::close);
    db.close();
    dbOptions.close();
    cfOptions.close();
    LOG.info("store closed");
  }
}
