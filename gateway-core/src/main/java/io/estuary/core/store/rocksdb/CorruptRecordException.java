package io.estuary.core.store.rocksdb;

/** A stored value that does not decode: wrong version, kind or checksum, or truncated. Skipped, never fatal. */
public final class CorruptRecordException extends RuntimeException {
  public CorruptRecordException(String message) {
    super(message, null, false, false);
  }
}
