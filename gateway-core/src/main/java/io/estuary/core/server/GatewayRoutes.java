package io.estuary.core.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.estuary.core.management.ExtraRoutes;
import io.estuary.core.webhooks.Webhook;
import io.estuary.core.webhooks.WebhookPlugin;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET|POST|DELETE /api/v5/webhooks} (VerneMQ's {@code vmq-admin webhooks show|register|deregister})
 * , {@code POST /api/v5/reload} (what SIGHUP does) and the client traces ({@code /api/v5/trace/clients}),
 * served by the management API.
 */
final class GatewayRoutes implements ExtraRoutes {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Gateway gateway;
  private final WebhookPlugin webhooks;

  private static final String TRACE = "/api/v5/trace/clients";
  private static final String PLUGINS = "/api/v5/plugins/";

  /**
   * {@code GET|POST /api/v5/plugins/{name}/{command}?k=v}: a plugin's own management command
   * ({@link io.estuary.api.hooks.HookPlugin#command}), e.g. the Lua plugin's {@code show} and {@code reload}.
   */
  private Answer plugin(String method, String rest, Map<String, List<String>> query) {
    int slash = rest.indexOf('/');
    if (slash <= 0 || slash == rest.length() - 1) {
      return new Answer(404, Map.of("code", "NOT_FOUND", "message", "use " + PLUGINS + "{name}/{command}"));
    }
    if (!method.equals("GET") && !method.equals("POST")) {
      return new Answer(405, Map.of("code", "METHOD_NOT_ALLOWED", "message", method + " " + PLUGINS + rest));
    }
    String name = rest.substring(0, slash);
    String command = rest.substring(slash + 1);
    io.estuary.api.hooks.HookPlugin p = gateway.hooks().plugins().stream().filter(x -> x.name().equals(name))
        .findFirst().orElse(null);
    if (p == null) {
      return new Answer(404, Map.of("code", "NOT_FOUND", "message", "no plugin " + name));
    }
    Map<String, String> args = new LinkedHashMap<>();
    query.forEach((k, v) -> args.put(k, v.isEmpty() ? "" : v.get(0)));
    Object out = p.command(command, args);
    return out == null ? new Answer(404, Map.of("code", "NOT_FOUND", "message", "plugin " + name + " has no command " + command))
        : new Answer(200, out);
  }

  /**
   * {@code GET /api/v5/trace/clients} (the traced clients), {@code POST|DELETE /api/v5/trace/clients/{clientid}}
   * (start, stop: the answer names the file and its line count; stop answers once the lines are written).
   */
  private Answer trace(String method, String rest) throws java.io.IOException {
    var traces = gateway.traces();
    if (rest.isEmpty() || rest.equals("/")) {
      if (!method.equals("GET")) {
        return new Answer(405, Map.of("code", "METHOD_NOT_ALLOWED", "message", method + " " + TRACE));
      }
      List<Map<String, Object>> out = new ArrayList<>();
      traces.list().forEach(a -> out.add(view(a)));
      return new Answer(200, Map.of("data", out));
    }
    String id = java.net.URLDecoder.decode(rest.substring(1), java.nio.charset.StandardCharsets.UTF_8);
    switch (method) {
      case "POST" -> {
        try {
          return new Answer(200, view(traces.start(id)));
        } catch (IllegalStateException e) {
          return new Answer(409, Map.of("code", "TOO_MANY_TRACES", "message", e.getMessage()));
        }
      }
      case "DELETE" -> {
        var a = traces.stop(id);
        return a == null ? new Answer(404, Map.of("code", "NOT_FOUND", "message", "client " + id + " is not traced"))
            : new Answer(200, view(a));
      }
      default -> {
        return new Answer(405, Map.of("code", "METHOD_NOT_ALLOWED", "message", method + " " + TRACE + "/{clientid}"));
      }
    }
  }

  private static Map<String, Object> view(io.estuary.core.trace.ClientTraces.Active a) {
    return Map.of("clientid", a.clientId(), "file", a.file().toAbsolutePath().toString(), "lines", a.lines(),
        "dropped", a.dropped());
  }

  GatewayRoutes(Gateway gateway, WebhookPlugin webhooks) {
    this.gateway = gateway;
    this.webhooks = webhooks;
  }

  @Override
  public Answer handle(String method, String path, Map<String, List<String>> query, String body) throws Exception {
    if (path.equals("/api/v5/reload")) {
      if (!method.equals("POST")) {
        return new Answer(405, Map.of("code", "METHOD_NOT_ALLOWED", "message", method + " " + path));
      }
      try {
        gateway.reload();
      } catch (RuntimeException e) {
        return new Answer(400, Map.of("code", "RELOAD_FAILED", "message", String.valueOf(e.getMessage())));
      }
      return new Answer(200, Map.of("reloaded", true));
    }
    if (path.startsWith(TRACE)) {
      return trace(method, path.substring(TRACE.length()));
    }
    if (path.startsWith(PLUGINS)) {
      return plugin(method, path.substring(PLUGINS.length()), query);
    }
    if (!path.equals("/api/v5/webhooks")) {
      return null;
    }
    if (webhooks == null) {
      return new Answer(409, Map.of("code", "WEBHOOKS_DISABLED", "message", "set webhooks.enable = true"));
    }
    switch (method) {
      case "GET" -> {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Webhook w : webhooks.registered()) {
          out.add(view(w));
        }
        return new Answer(200, Map.of("data", out));
      }
      case "POST" -> {
        JsonNode b = JSON.readTree(body.isEmpty() ? "{}" : body);
        if (!b.hasNonNull("hook") || !b.hasNonNull("endpoint")) {
          throw new IllegalArgumentException("hook and endpoint are required");
        }
        Webhook w = new Webhook(b.get("hook").asText(), URI.create(b.get("endpoint").asText()),
            !b.has("base64payload") || b.get("base64payload").asBoolean(), b.has("no_payload") && b.get("no_payload").asBoolean());
        if (!webhooks.register(w)) {
          return new Answer(409, Map.of("code", "MAX_REGISTRATIONS", "message",
              "webhooks.max_registrations (" + webhooks.maxRegistrations() + ") are registered: deregister one first"));
        }
        return new Answer(201, view(w));
      }
      case "DELETE" -> {
        String hook = first(query, "hook");
        String endpoint = first(query, "endpoint");
        if (hook == null || endpoint == null) {
          throw new IllegalArgumentException("hook and endpoint are required");
        }
        return webhooks.deregister(hook, URI.create(endpoint)) ? new Answer(204, null)
            : new Answer(404, Map.of("code", "NOT_FOUND", "message", "no webhook " + hook + " -> " + endpoint));
      }
      default -> {
        return new Answer(405, Map.of("code", "METHOD_NOT_ALLOWED", "message", method + " " + path));
      }
    }
  }

  private static String first(Map<String, List<String>> q, String k) {
    List<String> v = q.get(k);
    return v == null || v.isEmpty() ? null : v.get(0);
  }

  private static Map<String, Object> view(Webhook w) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("hook", w.wireName());
    m.put("endpoint", w.endpoint().toString());
    m.put("base64payload", w.base64payload());
    m.put("no_payload", w.noPayload());
    return m;
  }
}
