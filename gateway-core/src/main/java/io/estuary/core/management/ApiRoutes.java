package io.estuary.core.management;

import io.estuary.api.AdapterApi;
import io.estuary.api.ListenerInfo;
import io.estuary.api.ProtocolAdapter;
import io.estuary.core.session.Broker;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The management API's routing table, EMQX 5's paths under {@code /api/v5} (docs/operations.md and the
 * OpenAPI document at {@code /api-docs}). Authentication happened before; every answer that is not 2xx is
 * {@code {code, message}}. Runs on the API's handler threads; the resources read concurrent state only.
 */
final class ApiRoutes {
  private static final Logger LOG = LoggerFactory.getLogger(ManagementApi.class);
  static final String V5 = "/api/v5";
  private final ClientsResource clients;
  private final MessagesResource messages;
  private final NodeResource node;
  private final MicrometerMetrics metrics;
  private final ApiKeys keys;
  private final Supplier<Map<String, ProtocolAdapter>> adapters;
  private volatile ExtraRoutes extra;

  ApiRoutes(Broker broker, MicrometerMetrics metrics, Supplier<List<ListenerInfo>> listeners,
      Supplier<Map<String, ProtocolAdapter>> adapters, ApiKeys keys) {
    this.clients = new ClientsResource(broker);
    this.messages = new MessagesResource(broker);
    this.node = new NodeResource(broker, metrics, listeners, adapters);
    this.metrics = metrics;
    this.keys = keys;
    this.adapters = adapters;
  }

  /** Routes served outside this package (webhooks, reload), asked after the built-in ones. */
  void extraRoutes(ExtraRoutes routes) {
    this.extra = routes;
  }

  /** Whether {@code path} is answered without an API key unless configured otherwise. */
  static boolean open(String path) {
    return path.equals("/status") || path.equals("/metrics") || path.equals("/api-docs") || path.equals("/api-docs/openapi.json");
  }

  ApiResponse handle(ApiRequest r) {
    try {
      return route(r);
    } catch (ApiException e) {
      return ApiResponse.error(e.status, e.code, e.getMessage());
    } catch (Exception e) {
      LOG.warn("management API: {} {} failed", r.method(), r.path(), e);
      return ApiResponse.error(500, "INTERNAL_ERROR", String.valueOf(e.getMessage()));
    }
  }

  private ApiResponse route(ApiRequest r) throws Exception {
    String m = r.method();
    String p = r.path();
    if (p.equals("/status")) {
      return get(m, p, node::status);
    } else if (p.equals("/metrics")) {
      return get(m, p, () -> ApiResponse.text(200, metrics.scrape(), "text/plain; version=0.0.4; charset=utf-8"));
    } else if (p.equals("/api-docs") || p.equals("/api-docs/openapi.json")) {
      return get(m, p, ApiRoutes::openApi);
    } else if (!p.startsWith(V5 + "/")) {
      throw ApiException.notFound("NOT_FOUND", "no such resource: " + m + " " + p);
    }
    String[] s = segments(p.substring(V5.length() + 1));
    switch (s[0]) {
      case "stats":
        return get(m, p, () -> node.stats(r));
      case "metrics":
        return get(m, p, () -> node.metrics(r));
      case "listeners":
        return get(m, p, node::listeners);
      case "clients":
        if (s.length == 1) {
          return get(m, p, () -> clients.list(r));
        } else if (s.length == 2) {
          return m.equals("DELETE") ? clients.kick(s[1]) : get(m, p, () -> clients.one(s[1]));
        } else if (s.length == 3 && s[2].equals("subscriptions")) {
          return get(m, p, () -> clients.subscriptionsOf(s[1]));
        }
        break;
      case "subscriptions":
        return get(m, p, () -> clients.allSubscriptions(r));
      case "topics":
        return get(m, p, () -> clients.topics(r));
      case "publish":
        if (!m.equals("POST")) {
          throw notAllowed(m, p);
        }
        return messages.publish(r);
      case "mqtt":
        if (s.length >= 2 && s[1].equals("retainer")) {
          return retainer(r, java.util.Arrays.copyOfRange(s, 2, s.length));
        }
        break;
      case "retainer":
        return retainer(r, java.util.Arrays.copyOfRange(s, 1, s.length));
      case "gateways":
        if (s.length == 1) {
          return get(m, p, node::gateways);
        } else if (s.length == 2) {
          return get(m, p, () -> node.gateway(s[1]));
        } else if (s.length == 3 && s[2].equals("clients")) {
          if (!node.hasGateway(s[1])) {
            throw ApiException.notFound("RESOURCE_NOT_FOUND", "no gateway " + s[1]);
          }
          return get(m, p, () -> clients.gatewayClients(s[1], r));
        } else if (s.length == 4 && s[2].equals("clients")) {
          return m.equals("DELETE") ? clients.kick(s[3]) : get(m, p, () -> clients.gatewayOne(s[1], s[3]));
        } else if (s.length >= 3) {
          return adapterApi(r, s[1], p.substring((V5 + "/gateways/" + s[1]).length()));
        }
        break;
      case "api_key":
        return apiKey(r, s);
      case "log":
        if (s.length == 2 && s[1].equals("level") && m.equals("PUT")) {
          var body = r.body().isBlank() ? null : ApiResponse.JSON.readTree(r.body());
          String logger = body == null ? null : body.path("logger").asText(null);
          String name = LogLevels.set(logger, body == null ? null : body.path("level").asText(null));
          return ApiResponse.ok(Map.of("logger", name, "level", body.path("level").asText().toLowerCase(java.util.Locale.ROOT)));
        }
        break;
      default:
        break;
    }
    ExtraRoutes e = extra;
    if (e != null) {
      ExtraRoutes.Answer a;
      try {
        a = e.handle(m, p, r.params(), r.body());
      } catch (IllegalArgumentException bad) {
        throw ApiException.badRequest(bad.getMessage());
      }
      if (a != null) {
        return a.body() == null ? new ApiResponse(a.status(), null, new byte[0]) : ApiResponse.json(a.status(), a.body());
      }
    }
    throw ApiException.notFound("NOT_FOUND", "no such resource: " + m + " " + p);
  }

  /** {@code /api/v5/gateways/<protocol>/...}: the adapter's own resources ({@link AdapterApi}), if it has any. */
  private ApiResponse adapterApi(ApiRequest r, String protocol, String rest) {
    ProtocolAdapter adapter = adapters.get().get(protocol);
    AdapterApi api = adapter == null ? null : adapter.api();
    if (api == null) {
      throw ApiException.notFound("NOT_FOUND", "no management resources for gateway '" + protocol + "'");
    }
    AdapterApi.Response a = api.handle(new AdapterApi.Request(r.method(), rest.isEmpty() ? "/" : rest,
        r.body().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    return a.json().isEmpty() ? new ApiResponse(a.status(), null, new byte[0])
        : ApiResponse.text(a.status(), a.json(), "application/json");
  }

  /** {@code messages} (list), {@code message/{topic}} (get, delete); the topic may hold slashes. */
  private ApiResponse retainer(ApiRequest r, String[] s) throws Exception {
    if (s.length == 1 && s[0].equals("messages")) {
      return get(r.method(), r.path(), () -> messages.retained(r));
    }
    if (s.length >= 2 && s[0].equals("message")) {
      String topic = String.join("/", java.util.Arrays.copyOfRange(s, 1, s.length));
      return r.method().equals("DELETE") ? messages.deleteRetained(topic) : get(r.method(), r.path(), () -> messages.retainedOne(topic));
    }
    throw ApiException.notFound("NOT_FOUND", "no such resource: " + r.method() + " " + r.path());
  }

  private ApiResponse apiKey(ApiRequest r, String[] s) throws Exception {
    if (s.length == 1 && r.method().equals("GET")) {
      return ApiResponse.ok(Map.of("data", keys.list()));
    } else if (s.length == 1 && r.method().equals("POST")) {
      String name = "key-" + ApiKeyHash.random(4);
      if (!r.body().isBlank()) {
        var body = ApiResponse.JSON.readTree(r.body());
        if (body != null && body.hasNonNull("name")) {
          name = body.get("name").asText();
        }
      }
      ApiKeys.Created c;
      try {
        c = keys.create(name);
      } catch (IllegalArgumentException e) {
        throw ApiException.badRequest(e.getMessage());
      } catch (IllegalStateException e) {
        throw new ApiException(409, "ALREADY_EXISTS", e.getMessage());
      }
      LOG.info("management API: API key {} ({}) created", c.name(), c.key());
      Map<String, String> out = new LinkedHashMap<>();
      out.put("name", c.name());
      out.put("api_key", c.key());
      out.put("api_secret", c.secret());
      return ApiResponse.ok(out);
    } else if (s.length == 2 && r.method().equals("DELETE")) {
      if (!keys.delete(s[1])) {
        throw ApiException.notFound("NOT_FOUND", "no created API key named " + s[1]);
      }
      return ApiResponse.noContent();
    }
    throw notAllowed(r.method(), r.path());
  }

  private static ApiResponse openApi() throws IOException {
    try (InputStream in = ApiRoutes.class.getResourceAsStream("openapi.json")) {
      if (in == null) {
        throw new IllegalStateException("openapi.json missing from the jar");
      }
      return new ApiResponse(200, "application/json", in.readAllBytes());
    }
  }

  /** Path segments, each URL-decoded ({@code clients/a%2Fb} is client {@code a/b}). */
  private static String[] segments(String rest) {
    String[] raw = rest.split("/", -1);
    for (int i = 0; i < raw.length; i++) {
      raw[i] = java.net.URLDecoder.decode(raw[i].replace("+", "%2B"), java.nio.charset.StandardCharsets.UTF_8);
    }
    return raw;
  }

  interface Answer {
    ApiResponse get() throws Exception;
  }

  private static ApiResponse get(String method, String path, Answer a) throws Exception {
    if (!method.equals("GET")) {
      throw notAllowed(method, path);
    }
    return a.get();
  }

  private static ApiException notAllowed(String method, String path) {
    return new ApiException(405, "METHOD_NOT_ALLOWED", method + " " + path);
  }
}
