package io.estuary.lwm2m.bootstrap;

import io.estuary.api.AdapterConfig;
import io.estuary.api.limits.Rate;
import io.estuary.cf.ListenerLimits;
import io.estuary.cf.UnknownSourceBudget;
import io.estuary.lwm2m.security.DtlsListener;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code gateway.lwm2m.bootstrap}.
 *
 * @param enabled whether the bootstrap server runs
 * @param udpListeners listener name → bind address (coap)
 * @param dtlsListeners listener name → DTLS listener (coaps; its PSK entries are the bootstrap security store)
 * @param serverHost the host written into the server URI; "" = the LwM2M listener's bind host
 * @param shortServerId the LwM2M server's short server id written to the device
 * @param entries per endpoint or pattern, the first match wins
 * @param limits per listener ({@code udp:default}, {@code dtls:default}): its {@code source_datagram_rate} and
 *     {@code max_sources} (the other limits are the LwM2M server's business)
 * @param unknownDatagramRates plain UDP listener ({@code udp:default}) → its {@code unknown_datagram_rate}
 */
public record BootstrapSettings(boolean enabled, Map<String, InetSocketAddress> udpListeners,
    Map<String, DtlsListener> dtlsListeners, String serverHost, int shortServerId, List<BootstrapEntry> entries,
    Map<String, ListenerLimits> limits, Map<String, Rate> unknownDatagramRates, int maxProvisioned) {

  public static final BootstrapSettings DISABLED = new BootstrapSettings(false, Map.of(), Map.of(), "", 1, List.of());
  /** {@code max_provisioned}'s default: as many devices as the LwM2M listener's default {@code max_connections}. */
  public static final int DEFAULT_MAX_PROVISIONED = 10_000;

  /** Every listener with the default limits. */
  public BootstrapSettings(boolean enabled, Map<String, InetSocketAddress> udpListeners,
      Map<String, DtlsListener> dtlsListeners, String serverHost, int shortServerId, List<BootstrapEntry> entries) {
    this(enabled, udpListeners, dtlsListeners, serverHost, shortServerId, entries, Map.of(), Map.of(),
        DEFAULT_MAX_PROVISIONED);
  }

  /** {@code unknown_datagram_rate} of plain UDP listener {@code name} ({@code udp:default}). */
  public Rate unknownDatagramRate(String name) {
    return unknownDatagramRates.getOrDefault(name, UnknownSourceBudget.DEFAULT_RATE);
  }

  /** The limits of listener {@code name} ({@code udp:default}); the defaults for an unknown name. */
  public ListenerLimits limits(String name) {
    return limits.getOrDefault(name, ListenerLimits.DEFAULTS);
  }

  public BootstrapSettings {
    limits = Map.copyOf(limits);
    udpListeners = Collections.unmodifiableMap(new LinkedHashMap<>(udpListeners));
    dtlsListeners = Collections.unmodifiableMap(new LinkedHashMap<>(dtlsListeners));
    entries = List.copyOf(entries);
    serverHost = serverHost == null ? "" : serverHost;
    if (maxProvisioned < 1) {
      throw new IllegalArgumentException("bootstrap.max_provisioned must be positive, was " + maxProvisioned);
    }
    if (enabled && udpListeners.isEmpty() && dtlsListeners.isEmpty()) {
      throw new IllegalArgumentException("bootstrap: no enabled listener (bootstrap.listeners.udp or .dtls)");
    }
    if (shortServerId < 1 || shortServerId > 65534) {
      throw new IllegalArgumentException("bootstrap.short_server_id must be 1..65534, was " + shortServerId);
    }
  }

  /** The first entry for {@code endpoint}, or null. */
  public BootstrapEntry entryFor(String endpoint) {
    for (BootstrapEntry e : entries) {
      if (e.matches(endpoint)) {
        return e;
      }
    }
    return null;
  }

  public static BootstrapSettings from(AdapterConfig lwm2m) {
    if (!lwm2m.has("bootstrap")) {
      return DISABLED;
    }
    AdapterConfig c = lwm2m.getConfig("bootstrap");
    if (!c.getBoolean("enable")) {
      return DISABLED;
    }
    Map<String, InetSocketAddress> udp = new LinkedHashMap<>();
    Map<String, ListenerLimits> limits = new LinkedHashMap<>();
    Map<String, Rate> unknownRates = new LinkedHashMap<>();
    c.enabledListeners("udp").forEach((name, l) -> {
      udp.put(name, l.getAddress("bind"));
      limits.put("udp:" + name, ListenerLimits.from(l));
      UnknownSourceBudget.readRate(l, "udp:" + name, unknownRates);
    });
    Map<String, DtlsListener> dtls = new LinkedHashMap<>();
    c.enabledListeners("dtls").forEach((name, l) -> {
      dtls.put(name, DtlsListener.from(l, l.getAddress("bind")));
      limits.put("dtls:" + name, ListenerLimits.from(l));
    });
    List<BootstrapEntry> entries = new ArrayList<>();
    if (c.has("configs")) {
      int i = 0;
      for (AdapterConfig e : c.getConfigList("configs")) {
        entries.add(BootstrapEntry.from(e, "configs[" + i++ + "]"));
      }
    }
    try {
      return new BootstrapSettings(true, udp, dtls, c.has("server_host") ? c.getString("server_host") : "",
          c.has("short_server_id") ? c.getInt("short_server_id") : 1, entries, limits, unknownRates,
          c.has("max_provisioned") ? c.getInt("max_provisioned") : DEFAULT_MAX_PROVISIONED);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(lwm2m.path() + "." + e.getMessage(), e);
    }
  }
}
