package io.estuary.core.store;

import io.estuary.api.KeyValueSpace;
import io.estuary.api.concurrent.SerialExecutor;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;

/**
 * The adapters' {@link KeyValueSpace} over one {@link KeyValueTable}: every operation is a task on a
 * {@link SerialExecutor} of the core's store executor, so operations of one space run in call order,
 * reads never run on the caller's (I/O) thread, and every stage completes on a store executor thread.
 * A {@code put} while the store refuses new persistent work ({@link Store#admit}) fails at once with a
 * {@link StoreUnavailableException} (on the store executor too); gets, scans and deletes always run.
 */
public final class AsyncKeyValueSpace implements KeyValueSpace {
  private final KeyValueTable table;
  private final SerialExecutor executor;
  private final Store store;

  /** A space whose puts are never refused (tests, the memory store). */
  public AsyncKeyValueSpace(KeyValueTable table, Executor storeExecutor) {
    this(table, storeExecutor, null);
  }

  /** @param store asked to {@link Store#admit} every put; null = always admitted */
  public AsyncKeyValueSpace(KeyValueTable table, Executor storeExecutor, Store store) {
    this.table = table;
    this.executor = new SerialExecutor(storeExecutor);
    this.store = store;
  }

  @Override
  public CompletionStage<Void> put(String key, byte[] value) {
    byte[] copy = value.clone();
    if (store != null && !store.admit(StoreAdmission.Work.KV)) {
      String why = store.refusal();
      return run(() -> {
        throw new StoreUnavailableException("store refuses new writes (" + (why == null ? "" : why) + "): put of " + key);
      });
    }
    return run(() -> {
      table.put(key, copy);
      return null;
    });
  }

  @Override
  public CompletionStage<byte[]> get(String key) {
    return run(() -> {
      byte[] v = table.get(key);
      return v == null ? null : v.clone();
    });
  }

  @Override
  public CompletionStage<Void> delete(String key) {
    return run(() -> {
      table.delete(key);
      return null;
    });
  }

  @Override
  public CompletionStage<SortedMap<String, byte[]>> scan(String prefix) {
    return run(() -> {
      SortedMap<String, byte[]> out = new TreeMap<>();
      table.scan(prefix, (k, v) -> out.put(k, v.clone()));
      return out;
    });
  }

  @Override
  public CompletionStage<Integer> deleteAll(String prefix) {
    return run(() -> {
      List<String> keys = List.copyOf(table.scan(prefix).keySet());
      keys.forEach(table::delete);
      return keys.size();
    });
  }

  private <T> CompletionStage<T> run(Supplier<T> op) {
    CompletableFuture<T> f = new CompletableFuture<>();
    try {
      executor.execute(() -> {
        try {
          f.complete(op.get());
        } catch (RuntimeException e) {
          f.completeExceptionally(e);
        }
      });
    } catch (RejectedExecutionException e) { // the gateway is stopping
      f.completeExceptionally(e);
    }
    return f;
  }
}
