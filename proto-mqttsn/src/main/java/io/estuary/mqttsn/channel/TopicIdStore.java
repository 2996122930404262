package io.estuary.mqttsn.channel;

import io.estuary.api.GatewayContext;
import io.estuary.api.KeyValueSpace;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable copy of persistent sessions' topic ids, in the adapter's key-value space
 * {@value #NAME} (stored as {@code mqttsn-topic-ids}, as before; keys {@code <length>:<clientId>:<id>},
 * values the UTF-8 topic name). The space runs every call on the gateway's store executor, in call
 * order, so a disk-backed store never stalls the event loop and fire-and-forget writes stay ordered.
 * {@link #load} completes on the store executor: callers hop back to their own thread.
 *
 * <p>Expiry: the broker expires a persistent session {@code session_expiry_interval} after its connection
 * ended, but does not tell the adapter, so a space of its own ({@value #EXPIRY}, key the client id, value
 * the epoch millis after which the ids are garbage) records when each client's ids expire (written at
 * CONNACK and when the connection ends); {@link #sweep} deletes the ids of expired clients not connected
 * now. Without it, the ids of clean_session = false clients that never come back (spoofed CONNECTs) would
 * stay on disk forever. Thread-safe.
 */
public final class TopicIdStore {
  /** The name of the key-value space of persistent sessions' topic ids. */
  public static final String NAME = "topic-ids";
  /** The key-value space of when each client's stored ids expire (stored as {@code mqttsn-topic-ids-expiry}). */
  public static final String EXPIRY = "topic-ids-expiry";
  private static final Logger log = LoggerFactory.getLogger(TopicIdStore.class);

  private final KeyValueSpace space;
  private final KeyValueSpace expiry;

  public TopicIdStore(GatewayContext ctx) {
    this.space = ctx.keyValueSpace(NAME);
    this.expiry = ctx.keyValueSpace(EXPIRY);
  }

  /** The stored ids of {@code clientId} are garbage after {@code epochMillis} unless it connects again. */
  void expiresAt(String clientId, long epochMillis) {
    logged(expiry.put(clientId, Long.toString(epochMillis).getBytes(StandardCharsets.UTF_8)));
  }

  /**
   * Deletes the stored ids of every client whose expiry passed before {@code now} and that {@code
   * connected} (asked on {@code executor}, the adapter's thread) does not name. Completes when the
   * deletes are queued, with the number of clients swept.
   */
  public CompletionStage<Integer> sweep(long now, java.util.function.Predicate<String> connected,
      java.util.concurrent.Executor executor) {
    return expiry.scan("").thenApplyAsync(entries -> {
      int swept = 0;
      for (Map.Entry<String, byte[]> e : entries.entrySet()) {
        long at;
        try {
          at = Long.parseLong(new String(e.getValue(), StandardCharsets.UTF_8));
        } catch (NumberFormatException bad) {
          at = Long.MIN_VALUE;
        }
        if (at < now && !connected.test(e.getKey())) {
          logged(space.deleteAll(prefix(e.getKey())));
          logged(expiry.delete(e.getKey()));
          swept++;
        }
      }
      return swept;
    }, executor);
  }

  /** The stored ids of {@code clientId} (id → name); an unreadable store yields an empty table. */
  CompletionStage<Map<Integer, String>> load(String clientId) {
    String prefix = prefix(clientId);
    return space.scan(prefix).handle((entries, e) -> {
      Map<Integer, String> out = new HashMap<>();
      if (e != null) {
        log.warn("mqttsn topic id store read failed for {}: {}", clientId, e.toString());
        return out;
      }
      entries.forEach((key, value) -> {
        try {
          out.put(Integer.parseInt(key.substring(prefix.length())), new String(value, StandardCharsets.UTF_8));
        } catch (NumberFormatException bad) {
          logged(space.delete(key));
        }
      });
      return out;
    });
  }

  /** Replaces everything stored for {@code clientId} with {@code ids} (name → id); empty deletes. */
  void replace(String clientId, Map<String, Integer> ids) {
    String prefix = prefix(clientId);
    logged(space.deleteAll(prefix)); // the space runs these in call order: the puts land after the delete
    ids.forEach((name, id) -> logged(space.put(prefix + id, name.getBytes(StandardCharsets.UTF_8))));
  }

  /** Deletes the stored ids of {@code clientId} and their expiry (a discarded session). */
  void forget(String clientId) {
    logged(space.deleteAll(prefix(clientId)));
    logged(expiry.delete(clientId));
  }

  void put(String clientId, int id, String name) {
    logged(space.put(prefix(clientId) + id, name.getBytes(StandardCharsets.UTF_8)));
  }

  void delete(String clientId, int id) {
    logged(space.delete(prefix(clientId) + id));
  }

  private static void logged(CompletionStage<?> write) {
    write.whenComplete((v, e) -> {
      if (e != null) { // the in-memory table stays right; only a restart would lose ids
        log.warn("mqttsn topic id store write failed: {}", e.toString());
      }
    });
  }

  /** Length-prefixed: no client id is a prefix of another's keys. */
  private static String prefix(String clientId) {
    return clientId.length() + ":" + clientId + ":";
  }
}
