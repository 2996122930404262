package io.estuary.mqttsn.channel;

import io.estuary.api.GatewayContext;
import io.estuary.api.KeyValueSpace;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable copy of persistent sessions' topic ids, in the key-value space {@code mqttsn-topic-ids}
 * (keys {@code <length>:<clientId>:<id>}, values the UTF-8 topic name). Every store call runs on
 * {@code io}, a serial executor the adapter owns, so a disk-backed store never stalls the event loop;
 * writes are fire-and-forget and stay in order because {@code io} is serial. {@link #load} completes on
 * {@code io}: callers hop back to their own thread. Thread-safe.
 */
public final class TopicIdStore {
  /** The key-value namespace of persistent sessions' topic ids. */
  public static final String SPACE = "mqttsn-topic-ids";
  private static final Logger log = LoggerFactory.getLogger(TopicIdStore.class);

  private final GatewayContext ctx;
  private final Executor io;
  private volatile KeyValueSpace space;

  public TopicIdStore(GatewayContext ctx, Executor io) {
    this.ctx = ctx;
    this.io = io;
  }

  /** The stored ids of {@code clientId} (id → name); an unreadable store yields an empty table. */
  CompletionStage<Map<Integer, String>> load(String clientId) {
    return CompletableFuture.supplyAsync(() -> {
      Map<Integer, String> out = new HashMap<>();
      String prefix = prefix(clientId);
      space().scan(prefix, (key, value) -> {
        try {
          out.put(Integer.parseInt(key.substring(prefix.length())), new String(value, StandardCharsets.UTF_8));
        } catch (NumberFormatException e) {
          space().delete(key);
        }
      });
      return out;
    }, io);
  }

  /** Replaces everything stored for {@code clientId} with {@code ids} (name → id); empty deletes. */
  void replace(String clientId, Map<String, Integer> ids) {
    Map<String, Integer> copy = Map.copyOf(ids);
    run(() -> {
      KeyValueSpace kv = space();
      String prefix = prefix(clientId);
      kv.scan(prefix).keySet().forEach(kv::delete);
      copy.forEach((name, id) -> kv.put(prefix + id, name.getBytes(StandardCharsets.UTF_8)));
    });
  }

  void put(String clientId, int id, String name) {
    run(() -> space().put(prefix(clientId) + id, name.getBytes(StandardCharsets.UTF_8)));
  }

  void delete(String clientId, int id) {
    run(() -> space().delete(prefix(clientId) + id));
  }

  private void run(Runnable write) {
    io.execute(() -> {
      try {
        write.run();
      } catch (RuntimeException e) { // the in-memory table stays right; only a restart would lose ids
        log.warn("mqttsn topic id store write failed: {}", e.toString());
      }
    });
  }

  private KeyValueSpace space() {
    KeyValueSpace s = space;
    if (s == null) {
      s = ctx.keyValueSpace(SPACE);
      space = s;
    }
    return s;
  }

  /** Length-prefixed: no client id is a prefix of another's keys. */
  private static String prefix(String clientId) {
    return clientId.length() + ":" + clientId + ":";
  }
}
