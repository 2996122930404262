package io.estuary.core.management;

import io.estuary.api.Subscription;
import io.estuary.core.session.Broker;
import io.estuary.core.session.SessionView;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Clients in EMQX's shapes: {@code /api/v5/clients} (snake_case fields, paging, filters), one client, kick,
 * {@code /clients/{id}/subscriptions}, {@code /subscriptions}, {@code /topics} and a gateway's clients with
 * its protocol's extra fields. Reads the broker's concurrent views; a session's subscriptions are read on
 * its own executor (bounded wait). Stateless.
 */
final class ClientsResource {
  private static final DateTimeFormatter ISO = DateTimeFormatter.ISO_OFFSET_DATE_TIME;
  private final Broker broker;

  ClientsResource(Broker broker) {
    this.broker = broker;
  }

  /** EMQX's {@code proto_name} of a protocol tag ("mqttsn-dtls" is MQTT-SN over DTLS). */
  static String protoName(String protocol) {
    String g = gatewayOf(protocol);
    return switch (g) {
      case "mqtt" -> "MQTT";
      case "mqttsn" -> "MQTT-SN";
      case "coap" -> "CoAP";
      case "lwm2m" -> "LwM2M";
      case "stomp" -> "STOMP";
      case "tcp" -> "TCP";
      default -> g.toUpperCase(Locale.ROOT);
    };
  }

  /** The gateway (adapter) name of a client's protocol tag: coaps → coap, lwm2m-dtls → lwm2m. */
  static String gatewayOf(String protocol) {
    String p = protocol == null ? "" : protocol.toLowerCase(Locale.ROOT);
    int dash = p.indexOf('-');
    p = dash > 0 ? p.substring(0, dash) : p;
    return p.equals("coaps") ? "coap" : p;
  }

  List<SessionView> sorted(Predicate<SessionView> filter) {
    List<SessionView> all = new ArrayList<>();
    for (SessionView v : broker.sessionViews()) {
      if (filter.test(v)) {
        all.add(v);
      }
    }
    all.sort(Comparator.comparing(SessionView::clientId));
    return all;
  }

  /** EMQX's filters: clientid, like_clientid, username, like_username, ip_address, conn_state, proto_name; plus protocol. */
  static Predicate<SessionView> filter(ApiRequest r) {
    Predicate<SessionView> p = v -> true;
    String clientId = r.param("clientid");
    String likeClientId = r.param("like_clientid");
    String username = r.param("username");
    String likeUsername = r.param("like_username");
    String ip = r.param("ip_address");
    String state = r.param("conn_state");
    String proto = r.param("proto_name");
    String protocol = r.param("protocol");
    if (clientId != null) {
      p = p.and(v -> v.clientId().equals(clientId));
    }
    if (likeClientId != null) {
      p = p.and(v -> v.clientId().contains(likeClientId));
    }
    if (username != null) {
      p = p.and(v -> username.equals(v.username()));
    }
    if (likeUsername != null) {
      p = p.and(v -> v.username() != null && v.username().contains(likeUsername));
    }
    if (ip != null) {
      p = p.and(v -> ip.equals(host(v.peer())));
    }
    if (state != null) {
      p = p.and(v -> state.equals(v.state()));
    }
    if (proto != null) {
      p = p.and(v -> protoName(v.protocol()).equalsIgnoreCase(proto));
    }
    if (protocol != null) {
      p = p.and(v -> protocol.equals(v.protocol()) || protocol.equals(gatewayOf(v.protocol())));
    }
    return p;
  }

  ApiResponse list(ApiRequest r) {
    return ApiResponse.ok(Paging.page(sorted(filter(r)).stream().map(v -> client(v, false)).toList(), r));
  }

  ApiResponse one(String id) {
    SessionView v = broker.sessionView(id);
    if (v == null) {
      throw ApiException.notFound("CLIENTID_NOT_FOUND", "Client ID not found: " + id);
    }
    return ApiResponse.ok(client(v, false));
  }

  ApiResponse kick(String id) {
    if (!broker.kick(id, true)) {
      throw ApiException.notFound("CLIENTID_NOT_FOUND", "Client ID not found: " + id);
    }
    return ApiResponse.noContent();
  }

  /** A gateway's clients: the same shape plus the protocol's own fields (MQTT-SN topic ids and state, LwM2M lifetime …). */
  ApiResponse gatewayClients(String gateway, ApiRequest r) {
    Predicate<SessionView> p = filter(r).and(v -> gatewayOf(v.protocol()).equals(gateway));
    return ApiResponse.ok(Paging.page(sorted(p).stream().map(v -> client(v, true)).toList(), r));
  }

  /** One client of a gateway, with the protocol's own fields; 404 when it is not that gateway's. */
  ApiResponse gatewayOne(String gateway, String id) {
    SessionView v = broker.sessionView(id);
    if (v == null || !gatewayOf(v.protocol()).equals(gateway)) {
      throw ApiException.notFound("CLIENTID_NOT_FOUND", "Client ID not found in gateway " + gateway + ": " + id);
    }
    return ApiResponse.ok(client(v, true));
  }

  ApiResponse subscriptionsOf(String id) {
    List<Subscription> subs = subscriptions(id);
    if (subs == null) {
      throw ApiException.notFound("CLIENTID_NOT_FOUND", "Client ID not found: " + id);
    }
    return ApiResponse.ok(subs.stream().map(s -> subscription(id, s)).toList());
  }

  /** {@code /subscriptions}: filters clientid, topic (exact), qos, match_topic (subscriptions that match a topic). */
  ApiResponse allSubscriptions(ApiRequest r) {
    String topic = r.param("topic");
    String match = r.param("match_topic");
    String qos = r.param("qos");
    List<Map<String, Object>> out = new ArrayList<>();
    for (SessionView v : sorted(filter(clientOnly(r)))) {
      List<Subscription> subs = v.subscriptions() == 0 ? List.of() : subscriptions(v.clientId());
      for (Subscription s : subs == null ? List.<Subscription>of() : subs) {
        String f = s.filter().value();
        if ((topic == null || topic.equals(f)) && (qos == null || qos.equals(String.valueOf(s.qos())))
            && (match == null || io.estuary.api.topic.Topics.matchesSubscription(f, match))) {
          out.add(subscription(v.clientId(), s));
        }
      }
    }
    return ApiResponse.ok(Paging.page(out, r));
  }

  /** {@code /topics}: the distinct subscribed filters (EMQX's routes), each with the node. */
  ApiResponse topics(ApiRequest r) {
    String topic = r.param("topic");
    TreeMap<String, Map<String, Object>> routes = new TreeMap<>();
    for (SessionView v : sorted(x -> x.subscriptions() > 0)) {
      List<Subscription> subs = subscriptions(v.clientId());
      for (Subscription s : subs == null ? List.<Subscription>of() : subs) {
        String f = s.filter().value();
        if (topic == null || topic.equals(f)) {
          routes.computeIfAbsent(f, k -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("topic", k);
            m.put("node", broker.nodeName());
            return m;
          });
        }
      }
    }
    return ApiResponse.ok(Paging.page(new ArrayList<>(routes.values()), r));
  }

  private static ApiRequest clientOnly(ApiRequest r) {
    Map<String, List<String>> p = new LinkedHashMap<>();
    if (r.param("clientid") != null) {
      p.put("clientid", List.of(r.param("clientid")));
    }
    return new ApiRequest(r.method(), r.path(), p, "");
  }

  private List<Subscription> subscriptions(String clientId) {
    try {
      return broker.subscriptionsOf(clientId).toCompletableFuture().get(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApiException(503, "SERVICE_UNAVAILABLE", "interrupted");
    } catch (Exception e) {
      throw new ApiException(503, "SERVICE_UNAVAILABLE", "the session of " + clientId + " did not answer: " + e);
    }
  }

  private Map<String, Object> subscription(String clientId, Subscription s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("node", broker.nodeName());
    m.put("clientid", clientId);
    m.put("topic", s.filter().value());
    m.put("qos", s.qos());
    m.put("nl", s.noLocal() ? 1 : 0);
    m.put("rap", s.retainAsPublished() ? 1 : 0);
    m.put("rh", s.retainHandling());
    return m;
  }

  /** EMQX's client fields; {@code extra} adds the adapter's own attributes (gateway client listings). */
  Map<String, Object> client(SessionView v, boolean extra) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("clientid", v.clientId());
    m.put("username", v.username());
    m.put("proto_name", protoName(v.protocol()));
    Object ver = v.attributes().get("proto_ver");
    m.put("proto_ver", ver);
    m.put("protocol", v.protocol());
    m.put("ip_address", host(v.peer()));
    m.put("port", port(v.peer()));
    m.put("node", broker.nodeName());
    m.put("connected", !v.state().equals("disconnected"));
    m.put("conn_state", v.state());
    m.put("connected_at", time(v.connectedAtMillis()));
    m.put("disconnected_at", time(v.disconnectedAtMillis()));
    m.put("clean_start", !v.persistent());
    m.put("is_persistent", v.persistent());
    m.put("subscriptions_cnt", v.subscriptions());
    m.put("mqueue_len", v.queued());
    m.put("inflight_cnt", v.inflight());
    if (extra) {
      new TreeMap<>(v.attributes()).forEach(m::putIfAbsent);
    }
    return m;
  }

  static String time(long millis) {
    return millis <= 0 ? null : ISO.format(Instant.ofEpochMilli(millis).atOffset(ZoneOffset.UTC));
  }

  /** "127.0.0.1" of "/127.0.0.1:5555", "host/10.0.0.1:5555" or "/[::1]:5555"; null when unknown. */
  static String host(String peer) {
    if (peer == null || peer.isEmpty()) {
      return null;
    }
    String s = peer.substring(peer.lastIndexOf('/') + 1);
    int colon = s.lastIndexOf(':');
    s = colon > 0 ? s.substring(0, colon) : s;
    return s.startsWith("[") && s.endsWith("]") ? s.substring(1, s.length() - 1) : s;
  }

  static Integer port(String peer) {
    if (peer == null) {
      return null;
    }
    int colon = peer.lastIndexOf(':');
    try {
      return colon < 0 ? null : Integer.valueOf(peer.substring(colon + 1));
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
