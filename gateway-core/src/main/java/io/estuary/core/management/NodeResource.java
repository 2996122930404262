package io.estuary.core.management;

import io.estuary.api.AdapterStatus;
import io.estuary.api.ListenerInfo;
import io.estuary.api.ProtocolAdapter;
import io.estuary.core.session.Broker;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The node in EMQX's shapes: {@code /status} (503 while a component has FAILED), {@code /stats} and
 * {@code /metrics} as per-node lists ({@code ?aggregate=true}: one object), {@code /gateways[/{name}]},
 * {@code /listeners}. Reads concurrent state only. Stateless.
 */
final class NodeResource {
  /** Adapters that are not gateways in EMQX's sense: the MQTT listeners and the uplink bridges. */
  private static final List<String> NOT_GATEWAYS = List.of("mqtt", "uplink");
  private final Broker broker;
  private final MicrometerMetrics metrics;
  private final Supplier<List<ListenerInfo>> listeners;
  private final Supplier<Map<String, ProtocolAdapter>> adapters;

  NodeResource(Broker broker, MicrometerMetrics metrics, Supplier<List<ListenerInfo>> listeners,
      Supplier<Map<String, ProtocolAdapter>> adapters) {
    this.broker = broker;
    this.metrics = metrics;
    this.listeners = listeners;
    this.adapters = adapters;
  }

  /**
   * EMQX's first two lines (kept for tools that parse them), then {@code adapter <protocol>: <state>} and
   * {@code   <item>: <json>} per status detail; 503 while any adapter has FAILED (load balancers and
   * systemd watchdogs see the failure).
   */
  ApiResponse status() throws Exception {
    boolean failed = false;
    StringBuilder sb = new StringBuilder("Node ").append(broker.nodeName()).append(" is started\nestuary is running\n");
    for (var e : new TreeMap<>(adapters.get()).entrySet()) {
      ProtocolAdapter a = e.getValue();
      failed |= a.status() == AdapterStatus.FAILED;
      sb.append("adapter ").append(e.getKey()).append(": ").append(a.status().name().toLowerCase(Locale.ROOT)).append('\n');
      for (var d : new TreeMap<>(a.statusDetails()).entrySet()) {
        sb.append("  ").append(d.getKey()).append(": ").append(ApiResponse.JSON.writeValueAsString(d.getValue())).append('\n');
      }
    }
    return ApiResponse.text(failed ? 503 : 200, sb.toString(), "text/plain");
  }

  /** EMQX's stats keys for this node. */
  Map<String, Object> statsOfNode() {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("node", broker.nodeName());
    s.put("connections.count", broker.connectedCount());
    s.put("live_connections.count", broker.connectedCount());
    s.put("sessions.count", broker.sessionCount());
    s.put("subscriptions.count", broker.subscriptionCount());
    s.put("retained.count", broker.retainedCount());
    s.put("uptime", broker.uptimeMillis() / 1000);
    s.put("connections.by_protocol", new TreeMap<>(broker.connectedByProtocol()));
    return s;
  }

  ApiResponse stats(ApiRequest r) {
    Map<String, Object> s = statsOfNode();
    if ("true".equals(r.param("aggregate"))) {
      s.remove("node");
      return ApiResponse.ok(s);
    }
    return ApiResponse.ok(List.of(s));
  }

  /** EMQX's {@code /metrics}: every counter of the node by dotted name, summed over its tags. */
  ApiResponse metrics(ApiRequest r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("node", broker.nodeName());
    metrics.counterTotals().forEach((k, v) -> m.put(k, v.longValue()));
    if ("true".equals(r.param("aggregate"))) {
      m.remove("node");
      return ApiResponse.ok(m);
    }
    return ApiResponse.ok(List.of(m));
  }

  ApiResponse listeners() {
    return ApiResponse.ok(listeners.get());
  }

  ApiResponse gateways() {
    List<Map<String, Object>> out = new ArrayList<>();
    for (var e : new TreeMap<>(adapters.get()).entrySet()) {
      if (!NOT_GATEWAYS.contains(e.getKey())) {
        out.add(gateway(e.getKey(), e.getValue()));
      }
    }
    return ApiResponse.ok(out);
  }

  ApiResponse gateway(String name) {
    ProtocolAdapter a = adapters.get().get(name);
    if (a == null || NOT_GATEWAYS.contains(name)) {
      throw ApiException.notFound("RESOURCE_NOT_FOUND", "no gateway " + name);
    }
    return ApiResponse.ok(gateway(name, a));
  }

  boolean hasGateway(String name) {
    return adapters.get().containsKey(name) && !NOT_GATEWAYS.contains(name);
  }

  private Map<String, Object> gateway(String name, ProtocolAdapter a) {
    Map<String, Object> g = new LinkedHashMap<>();
    g.put("name", name);
    g.put("status", switch (a.status()) {
      case RUNNING -> "running";
      case FAILED -> "failed";
      default -> "stopped";
    });
    long current = 0;
    for (var c : broker.connectedByProtocol().entrySet()) {
      if (ClientsResource.gatewayOf(c.getKey()).equals(name)) {
        current += c.getValue();
      }
    }
    g.put("current_connections", current);
    List<Map<String, Object>> ls = new ArrayList<>();
    for (ListenerInfo l : a.listeners()) {
      Map<String, Object> m = new LinkedHashMap<>();
      String type = l.name().contains(":") ? l.name().substring(0, l.name().indexOf(':')) : (l.secure() ? "dtls" : "udp");
      String lname = l.name().contains(":") ? l.name().substring(l.name().indexOf(':') + 1) : l.name();
      m.put("id", name + ":" + type + ":" + lname);
      m.put("type", type);
      m.put("name", lname);
      m.put("running", true);
      m.put("bind", l.address().getHostString() + ":" + l.address().getPort());
      ls.add(m);
    }
    g.put("listeners", ls);
    g.put("details", a.statusDetails());
    return g;
  }
}
