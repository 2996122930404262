package io.estuary.lwm2m.persistence;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.estuary.api.KeyValueSpace;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Commands waiting for sleeping queue-mode devices, kept as {@code q/<endpoint>/<seq>} →
 * {@code {"deadline": millis, "command": <the command as received>}}. Writes are fire-and-forget on
 * the key-value space (ordered by it, run on the gateway's store executor); {@link #load} completes there.
 */
public final class CommandJournal {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final String PREFIX = "q/";

  /** A stored command: its key (to delete it once answered), the command JSON and its deadline. */
  public record Entry(String key, String endpoint, byte[] command, long deadlineMillis) {}

  private final KeyValueSpace kv;
  private final AtomicLong seq;
  private volatile boolean frozen;

  /** {@code firstSeq} should grow across restarts (e.g. the wall clock in microseconds). */
  public CommandJournal(KeyValueSpace kv, long firstSeq) {
    this.kv = kv;
    this.seq = new AtomicLong(firstSeq);
  }

  /** Stores a command; returns its key. */
  public String save(String endpoint, ObjectNode command, long deadlineMillis) {
    String key = PREFIX + endpoint + "/" + String.format("%020d", seq.incrementAndGet());
    ObjectNode o = JSON.createObjectNode();
    o.put("deadline", deadlineMillis);
    o.set("command", command);
    byte[] bytes = o.toString().getBytes(StandardCharsets.UTF_8);
    if (!frozen) {
      DurableRegistrationStore.logged(kv.put(key, bytes));
    }
    return key;
  }

  public void remove(String key) {
    if (key != null && !frozen) {
      DurableRegistrationStore.logged(kv.delete(key));
    }
  }

  /** From now on nothing is written (the gateway is stopping; what is stored stays). */
  public void freeze() {
    frozen = true;
  }

  /** Every stored command by endpoint, oldest first; completes on the store executor. Call at start. */
  public CompletionStage<Map<String, List<Entry>>> load() {
    return kv.scan(PREFIX).thenApply(this::parse);
  }

  private Map<String, List<Entry>> parse(Map<String, byte[]> stored) {
    Map<String, List<Entry>> out = new LinkedHashMap<>();
    List<String> bad = new ArrayList<>();
    stored.forEach((key, bytes) -> {
      int slash = key.lastIndexOf('/');
      JsonNode o = null;
      try {
        o = JSON.readTree(bytes);
      } catch (IOException e) {
        // unreadable: dropped below
      }
      if (slash <= PREFIX.length() || o == null || !o.path("command").isObject() || !o.path("deadline").canConvertToLong()) {
        bad.add(key);
        return;
      }
      String ep = key.substring(PREFIX.length(), slash);
      out.computeIfAbsent(ep, e -> new ArrayList<>()).add(new Entry(key, ep,
          o.get("command").toString().getBytes(StandardCharsets.UTF_8), o.get("deadline").asLong()));
    });
    bad.forEach(key -> DurableRegistrationStore.logged(kv.delete(key)));
    return out;
  }

  /** Deletes every stored command of {@code endpoint} (it is gone). */
  public void removeAll(List<Entry> entries) {
    entries.forEach(e -> remove(e.key()));
  }
}
