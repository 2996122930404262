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

/**
 * The active observations of each endpoint, kept as {@code obs/<endpoint>/<s|c>:<path or path set>} →
 * {@code {"command": <the observe or observe-composite command as received>}}, so that they can be
 * re-established after a restart with the same reqID and notification topic. Writes are fire-and-forget on
 * the key-value space (ordered by it); {@link #load} completes on the store executor.
 */
public final class ObservationJournal {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final String PREFIX = "obs/";

  /** A stored observation: its key, endpoint and the command that started it. */
  public record Entry(String key, String endpoint, byte[] command) {}

  private final KeyValueSpace kv;
  private volatile boolean frozen;

  public ObservationJournal(KeyValueSpace kv) {
    this.kv = kv;
  }

  /** The store key of {@code endpoint}'s observation of {@code pathKey} (composite: its path set key). */
  public static String key(String endpoint, boolean composite, String pathKey) {
    return PREFIX + endpoint + "/" + (composite ? "c:" : "s:") + pathKey;
  }

  public void save(String key, ObjectNode command) {
    if (frozen) {
      return;
    }
    ObjectNode o = JSON.createObjectNode();
    o.set("command", command);
    DurableRegistrationStore.logged(kv.put(key, o.toString().getBytes(StandardCharsets.UTF_8)));
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

  /** Every stored observation by endpoint; completes on the store executor. Call at start. */
  public CompletionStage<Map<String, List<Entry>>> load() {
    return kv.scan(PREFIX).thenApply(this::parse);
  }

  private Map<String, List<Entry>> parse(Map<String, byte[]> stored) {
    Map<String, List<Entry>> out = new LinkedHashMap<>();
    List<String> bad = new ArrayList<>();
    stored.forEach((key, bytes) -> {
      int slash = key.indexOf('/', PREFIX.length());
      JsonNode o = null;
      try {
        o = JSON.readTree(bytes);
      } catch (IOException e) {
        // unreadable: dropped below
      }
      if (slash <= PREFIX.length() || o == null || !o.path("command").isObject()) {
        bad.add(key);
        return;
      }
      String ep = key.substring(PREFIX.length(), slash);
      out.computeIfAbsent(ep, e -> new ArrayList<>()).add(new Entry(key, ep,
          o.get("command").toString().getBytes(StandardCharsets.UTF_8)));
    });
    bad.forEach(this::remove);
    return out;
  }
}
