package io.estuary.core.store.rocksdb;

import io.estuary.core.store.KeyValueTable;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.BiConsumer;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;

/**
 * One namespace of the {@code kv} column family. Writes go through the store's writer; until the
 * writer has applied them they sit in {@link #pending}, which reads consult first, so a caller always
 * reads its own writes. Values are the adapter's bytes, stored as given.
 */
final class RocksKeyValueSpace implements KeyValueTable {
  /** Marks a queued delete in {@link #pending}; compared by identity. */
  private static final byte[] TOMBSTONE = new byte[0];

  private final RocksDB db;
  private final ColumnFamilyHandle cf;
  private final StoreWriter writer;
  private final byte[] namespace;
  private final ConcurrentSkipListMap<String, byte[]> pending = new ConcurrentSkipListMap<>();

  RocksKeyValueSpace(RocksDB db, ColumnFamilyHandle cf, StoreWriter writer, String namespace) {
    this.db = db;
    this.cf = cf;
    this.writer = writer;
    this.namespace = Keys.prefix(namespace);
  }

  @Override
  public void put(String key, byte[] value) {
    byte[] v = value.clone();
    pending.put(key, v);
    writer.submit(new StoreWriter.Put(cf, Keys.kv(namespace, key), v, () -> pending.remove(key, v)));
  }

  @Override
  public byte[] get(String key) {
    byte[] v = pending.get(key);
    if (v != null) {
      return v == TOMBSTONE ? null : v.clone();
    }
    try {
      return db.get(cf, Keys.kv(namespace, key));
    } catch (RocksDBException e) {
      throw new IllegalStateException("store read failed: " + e.getMessage(), e);
    }
  }

  @Override
  public void delete(String key) {
    byte[] marker = TOMBSTONE;
    pending.put(key, marker);
    writer.submit(new StoreWriter.Delete(cf, Keys.kv(namespace, key), () -> pending.remove(key, marker)));
  }

  @Override
  public void scan(String prefix, BiConsumer<String, byte[]> visitor) {
    // the queued writes first: one applied meanwhile is then found in RocksDB as well
    Map<String, byte[]> queued = new TreeMap<>();
    for (var e : pending.tailMap(prefix, true).entrySet()) {
      if (!e.getKey().startsWith(prefix)) {
        break;
      }
      queued.put(e.getKey(), e.getValue());
    }
    TreeMap<String, byte[]> out = new TreeMap<>();
    byte[] from = Keys.kv(namespace, prefix);
    try (Slice upper = new Slice(Keys.after(from)); ReadOptions ro = new ReadOptions().setIterateUpperBound(upper);
        RocksIterator it = db.newIterator(cf, ro)) {
      for (it.seek(from); it.isValid(); it.next()) {
        byte[] k = it.key();
        out.put(new String(k, namespace.length, k.length - namespace.length, StandardCharsets.UTF_8), it.value());
      }
    }
    for (var e : queued.entrySet()) {
      if (e.getValue() == TOMBSTONE) {
        out.remove(e.getKey());
      } else {
        out.put(e.getKey(), e.getValue().clone());
      }
    }
    out.forEach(visitor);
  }
}
