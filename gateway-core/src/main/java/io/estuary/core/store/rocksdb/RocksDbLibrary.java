package io.estuary.core.store.rocksdb;

import java.util.concurrent.CompletableFuture;
import org.rocksdb.RocksDB;

/**
 * RocksDB's native library, loaded ahead of the store's open: {@link RocksDB#loadLibrary()} inflates the ~17 MB
 * library from the jar into a temporary file and links it, 0.3–0.9 s of the gateway's start-up (issue #19).
 * {@link #loadInBackground()} (gateway-app, right after the config is read when persistence is on) runs it on a
 * daemon thread ({@code estuary-rocksdb-load}) while logging and the rest of the gateway are set up; the store's
 * class waits for that thread to finish and then calls {@code loadLibrary()} itself, which returns at once when the
 * library is loaded or loads again and throws the same error as without the early load. The only state is that
 * future, guarded by a lock; safe from any thread.
 */
public final class RocksDbLibrary {
  private static final Object LOCK = new Object();
  private static CompletableFuture<Void> loading; // guarded by LOCK

  private RocksDbLibrary() {}

  /** Starts loading the library on its own daemon thread (at most once per process). */
  public static void loadInBackground() {
    synchronized (LOCK) {
      if (loading != null) {
        return;
      }
      CompletableFuture<Void> f = new CompletableFuture<>();
      Thread t = new Thread(() -> {
        try {
          RocksDB.loadLibrary();
        } catch (Throwable ignored) {
          // the store's own load below tries again and reports the error where it always did
        } finally {
          f.complete(null);
        }
      }, "estuary-rocksdb-load");
      t.setDaemon(true);
      t.start();
      loading = f;
    }
  }

  /** Waits for an early load when one was started, then loads (at once when already loaded); as {@link RocksDB#loadLibrary()}. */
  static void load() {
    CompletableFuture<Void> f;
    synchronized (LOCK) {
      f = loading;
    }
    if (f != null) {
      f.join();
    }
    RocksDB.loadLibrary();
  }
}
