/**
 * The RocksDB store: column families {@code sessions}, {@code messages}, {@code awaiting_rel},
 * {@code retained} and {@code kv}; values in one versioned binary format ({@link
 * io.estuary.core.store.rocksdb.RecordCodec}, docs/persistence.md). Writes are queued by any thread
 * and applied in batches by the store's single writer thread, which owns the fsync policy; reads go
 * straight to RocksDB (adapter key-value reads first see the writes still queued).
 */
package io.estuary.core.store.rocksdb;
