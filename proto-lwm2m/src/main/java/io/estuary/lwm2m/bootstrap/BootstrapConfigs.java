package io.estuary.lwm2m.bootstrap;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.estuary.api.KeyValueSpace;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bootstrap configs: those set through the management API (per endpoint, kept in the key-value space
 * as {@code bs/<endpoint>}, checked first) and those of the configuration file (in order, first match).
 * Read by Leshan's threads, written by the management API's: a concurrent map.
 */
public final class BootstrapConfigs {
  private static final Logger LOG = LoggerFactory.getLogger(BootstrapConfigs.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  static final String PREFIX = "bs/";
  /** Bounded: the API refuses more. */
  static final int MAX_API_ENTRIES = 100_000;

  private final List<BootstrapEntry> configured;
  private final KeyValueSpace kv;
  private final Map<String, BootstrapEntry> byApi = new ConcurrentHashMap<>();

  public BootstrapConfigs(List<BootstrapEntry> configured, KeyValueSpace kv) {
    this.configured = List.copyOf(configured);
    this.kv = kv;
  }

  /** Reads the API's entries back (at start); completes on the store executor. */
  public CompletionStage<Integer> load() {
    return kv.scan(PREFIX).thenApply(stored -> {
      stored.forEach((key, bytes) -> {
        String ep = key.substring(PREFIX.length());
        try {
          byApi.put(ep, BootstrapEntry.fromJson(ep, JSON.readTree(bytes)));
        } catch (IOException | RuntimeException e) {
          LOG.warn("LwM2M: unreadable bootstrap config {} dropped: {}", key, e.getMessage());
          kv.delete(key);
        }
      });
      return byApi.size();
    });
  }

  /** The API's entry for {@code endpoint}, else the first configured one that matches, else null. */
  public BootstrapEntry entryFor(String endpoint) {
    BootstrapEntry e = byApi.get(endpoint);
    if (e != null) {
      return e;
    }
    for (BootstrapEntry c : configured) {
      if (c.matches(endpoint)) {
        return c;
      }
    }
    return null;
  }

  /** The API's entry for {@code endpoint}, or null. */
  public BootstrapEntry apiEntry(String endpoint) {
    return byApi.get(endpoint);
  }

  /** Sets (or replaces) the API's entry of its endpoint; false when the table is full. */
  public boolean put(BootstrapEntry e) {
    if (byApi.size() >= MAX_API_ENTRIES && !byApi.containsKey(e.endpoint())) {
      return false;
    }
    byApi.put(e.endpoint(), e);
    logged(kv.put(PREFIX + e.endpoint(), e.toJson(true).toString().getBytes(StandardCharsets.UTF_8)));
    return true;
  }

  public boolean remove(String endpoint) {
    if (byApi.remove(endpoint) == null) {
      return false;
    }
    logged(kv.delete(PREFIX + endpoint));
    return true;
  }

  /** Every entry as the API shows it: the API's (by endpoint) then the configured ones, with their source. */
  public ArrayNode list() {
    ArrayNode out = JSON.createArrayNode();
    new TreeMap<>(byApi).values().forEach(e -> out.add(e.toJson(false).put("source", "api")));
    configured.forEach(e -> out.add(e.toJson(false).put("source", "config")));
    return out;
  }

  private static void logged(CompletionStage<?> write) {
    write.whenComplete((v, e) -> {
      if (e != null) {
        LOG.warn("LwM2M bootstrap config write failed: {}", e.toString());
      }
    });
  }
}
