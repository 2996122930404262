package io.estuary.app;

import io.estuary.core.config.ConfigLoader;
import io.estuary.core.server.Gateway;
import io.estuary.tls.PemLoader;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import javax.net.ssl.SSLContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code estuary ctl ...}, shaped like {@code emqx ctl}: {@code status}, {@code stats}, {@code metrics},
 * {@code listeners}, {@code clients list|show ID|kick ID}, {@code subscriptions list|show ID},
 * {@code retainer info|topics|show TOPIC|clean TOPIC}, {@code gateways list|clients NAME},
 * {@code log set-level [LOGGER] LEVEL}, {@code api-key create|list|delete}, {@code trace start|stop client=ID|list}. Tables by default, the API's JSON
 * with {@code --json}. A thin client of the management API: its address and credentials come, in order, from
 * the options, {@code ESTUARY_API_KEY}/{@code ESTUARY_API_SECRET}, and the {@code ctl.key} file the running
 * gateway writes (owner-only) into its data directory: run by the same user on the same machine, no flags are needed.
 */
@Command(name = "ctl", mixinStandardHelpOptions = true, description = "Query or control a running gateway through its HTTP API.")
final class Ctl implements Callable<Integer> {
  @ParentCommand
  Main parent;

  @Option(names = "--api", description = "host:port or URL of the management API (default: from <data>/ctl.key, else 127.0.0.1:18083)")
  String api;

  @Option(names = "--key", description = "API key (default: $ESTUARY_API_KEY, else the local key in <data>/ctl.key)")
  String key;

  @Option(names = "--secret", description = "API secret (default: $ESTUARY_API_SECRET, else the local key)")
  String secret;

  @Option(names = "--data-dir", description = "the gateway's data directory (default: persistence.dir of the config)")
  Path dataDir;

  @Option(names = "--name", description = "name of the key for api-key create")
  String name;

  @Option(names = "--page", description = "page of a list (from 1)")
  Integer page;

  @Option(names = "--limit", description = "items per page (1..10000)")
  Integer limit;

  @Option(names = "--clientid", description = "subscriptions list: only this client's")
  String clientId;

  @Option(names = "--json", description = "print the API's JSON answer instead of a table")
  boolean json;

  @Parameters(index = "0", description = "status | stats | metrics | listeners | clients | subscriptions | retainer | gateways | log | api-key | webhooks | script | trace | reload")
  String command;

  @Parameters(index = "1..*", arity = "0..*", description = "the subcommand and its arguments (see docs/operations.md)")
  List<String> args = new ArrayList<>();

  private static final List<String> CLIENT_COLUMNS = List.of("clientid", "username", "proto_name", "ip_address", "port",
      "conn_state", "subscriptions_cnt", "mqueue_len", "inflight_cnt", "connected_at");

  /** What one ctl command asks the API, and which columns its table shows (null = every field). */
  private record Call(String method, String path, String body, List<String> columns) {
    static Call get(String path, List<String> columns) {
      return new Call("GET", path, null, columns);
    }
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private String arg(int i) {
    return args.size() > i ? args.get(i) : null;
  }

  /** The call for the command line, or null after printing a usage error. */
  private Call request() throws IOException {
    String sub = arg(0);
    switch (command) {
      case "status":
        return Call.get("/status", null);
      case "stats":
        return Call.get("/api/v5/stats", null);
      case "metrics":
        return Call.get("/api/v5/metrics", null);
      case "listeners":
        return Call.get("/api/v5/listeners", List.of("protocol", "name", "secure", "address"));
      case "client":
        return clientCall("show", sub);
      case "kick":
        return clientCall("kick", sub);
      case "clients":
        if (sub == null || sub.equals("list")) {
          return Call.get("/api/v5/clients" + query(), CLIENT_COLUMNS);
        }
        return clientCall(sub, arg(1));
      case "subscriptions":
        if (sub == null || sub.equals("list")) {
          return Call.get("/api/v5/subscriptions" + query(), List.of("clientid", "topic", "qos", "nl", "rap", "rh"));
        } else if (sub.equals("show") && arg(1) != null) {
          return Call.get("/api/v5/clients/" + enc(arg(1)) + "/subscriptions", List.of("topic", "qos", "nl", "rap", "rh"));
        }
        return usage("subscriptions list [--clientid ID] | subscriptions show CLIENTID");
      case "retainer":
        if (sub == null || sub.equals("topics") || sub.equals("list")) {
          return Call.get("/api/v5/mqtt/retainer/messages" + query(), List.of("topic", "qos", "from_clientid", "publish_at"));
        } else if (sub.equals("info")) {
          return Call.get("/api/v5/stats?aggregate=true", List.of("retained.count"));
        } else if (sub.equals("show") && arg(1) != null) {
          return Call.get("/api/v5/mqtt/retainer/message/" + enc(arg(1)), null);
        } else if (sub.equals("clean") && arg(1) != null) {
          return new Call("DELETE", "/api/v5/mqtt/retainer/message/" + enc(arg(1)), null, null);
        }
        return usage("retainer info | topics | show TOPIC | clean TOPIC");
      case "gateways":
        if (sub == null || sub.equals("list")) {
          return Call.get("/api/v5/gateways", List.of("name", "status", "current_connections", "listeners"));
        } else if (sub.equals("clients") && arg(1) != null) {
          return Call.get("/api/v5/gateways/" + enc(arg(1)) + "/clients" + query(), null);
        }
        return usage("gateways list | gateways clients NAME");
      case "log":
        if ("set-level".equals(sub) && arg(1) != null) {
          String logger = arg(2) != null ? arg(1) : "root";
          String level = arg(2) != null ? arg(2) : arg(1);
          return new Call("PUT", "/api/v5/log/level",
              new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(Map.of("logger", logger, "level", level)), null);
        }
        return usage("log set-level [LOGGER] LEVEL   (LEVEL: trace|debug|info|warn|error|off; LOGGER default root)");
      case "api-key":
        return apiKeyCall(sub);
      case "reload":
        return new Call("POST", "/api/v5/reload", null, null);
      case "webhooks":
        return webhooksCall(sub);
      case "script":
        return scriptCall(sub);
      case "trace":
        return traceCall(sub);
      default:
        System.err.println("estuary ctl: unknown command " + command);
        return null;
    }
  }

  private Call clientCall(String sub, String id) {
    if (id == null) {
      System.err.println("estuary ctl " + command + ": needs a client id");
      return null;
    }
    return switch (sub) {
      case "show" -> Call.get("/api/v5/clients/" + enc(id), null);
      case "kick" -> new Call("DELETE", "/api/v5/clients/" + enc(id), null, null);
      default -> usage("clients list | clients show CLIENTID | clients kick CLIENTID");
    };
  }

  private Call apiKeyCall(String sub) throws IOException {
    return switch (sub == null ? "" : sub) {
      case "create" -> new Call("POST", "/api/v5/api_key",
          name == null ? "{}" : new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(Map.of("name", name)), null);
      case "list" -> Call.get("/api/v5/api_key", null);
      case "delete" -> arg(1) == null ? usage("api-key delete NAME") : new Call("DELETE", "/api/v5/api_key/" + enc(arg(1)), null, null);
      default -> usage("api-key create [--name N] | list | delete NAME");
    };
  }

  /** As {@code vmq-admin webhooks}: register|deregister hook=NAME endpoint=URL [base64payload=B] [no_payload=B] | show. */
  private Call webhooksCall(String sub) {
    Map<String, String> kv = WebhookArgs.parse(args.size() > 1 ? args.subList(1, args.size()) : List.of());
    if ("show".equals(sub)) {
      return Call.get("/api/v5/webhooks", null);
    } else if (("register".equals(sub) || "deregister".equals(sub)) && kv.containsKey("hook") && kv.containsKey("endpoint")) {
      if (sub.equals("register")) {
        return new Call("POST", "/api/v5/webhooks", WebhookArgs.json(kv), null);
      }
      return new Call("DELETE", "/api/v5/webhooks?hook=" + enc(kv.get("hook")) + "&endpoint=" + enc(kv.get("endpoint")), null, null);
    }
    return usage("webhooks register|deregister hook=NAME endpoint=URL [base64payload=true|false] [no_payload=true|false] | show");
  }

  /** As {@code vmq-admin script show | reload path=FILE}: the Lua plugin's scripts (docs/lua.md). */
  private Call scriptCall(String sub) {
    Map<String, String> kv = WebhookArgs.parse(args.size() > 1 ? args.subList(1, args.size()) : List.of());
    if ("show".equals(sub)) {
      return Call.get("/api/v5/plugins/lua/show", List.of("script", "hooks", "num_states", "calls", "errors", "timeouts"));
    } else if ("reload".equals(sub)) {
      return new Call("POST", "/api/v5/plugins/lua/reload" + (kv.containsKey("path") ? "?path=" + enc(kv.get("path")) : ""),
          null, List.of("script", "hooks", "num_states", "calls", "errors", "timeouts"));
    }
    return usage("script show | reload [path=FILE]   (FILE relative to plugins.lua.script_path; all scripts if none)");
  }

  /** As {@code vmq-admin trace client client-id=ID}: trace start|stop client=ID | list; the file is in persistence.dir/trace. */
  private Call traceCall(String sub) {
    String id = null;
    for (String a : args.size() > 1 ? args.subList(1, args.size()) : List.<String>of()) {
      if (a.startsWith("client=")) {
        id = a.substring("client=".length());
      }
    }
    if ("list".equals(sub)) {
      return Call.get("/api/v5/trace/clients", List.of("clientid", "file", "lines", "dropped"));
    } else if (("start".equals(sub) || "stop".equals(sub)) && id != null && !id.isEmpty()) {
      return new Call(sub.equals("start") ? "POST" : "DELETE", "/api/v5/trace/clients/" + enc(id), null,
          List.of("clientid", "file", "lines", "dropped"));
    }
    return usage("trace start client=ID | trace stop client=ID | trace list");
  }

  private static Call usage(String text) {
    System.err.println("estuary ctl " + text);
    return null;
  }

  @Override
  public Integer call() throws Exception {
    Call c = request();
    if (c == null) {
      return 2;
    }
    String path = c.path();
    String method = c.method();
    String body = c.body();
    Properties local = localKey();
    String base = baseUrl(local);
    HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(base + path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
        .timeout(Duration.ofSeconds(10));
    if (body != null) {
      req.header("Content-Type", "application/json");
    }
    String k = first(key, System.getenv("ESTUARY_API_KEY"), local.getProperty("key"));
    String s = first(secret, System.getenv("ESTUARY_API_SECRET"), local.getProperty("secret"));
    if (k != null && s != null) {
      req.header("Authorization", "Basic " + Base64.getEncoder().encodeToString((k + ":" + s).getBytes(StandardCharsets.UTF_8)));
    }
    HttpClient http;
    try {
      http = client(base, local);
    } catch (IllegalArgumentException e) {
      System.err.println("estuary ctl: " + e.getMessage());
      return 1;
    }
    try {
      HttpResponse<String> r = http.send(req.build(), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() == 401 && k == null) {
        System.err.println("estuary ctl: the API needs a key: run on the gateway's machine as its user (reads "
            + dataDir().resolve(Gateway.CTL_KEY_FILE) + "), or give --key/--secret or ESTUARY_API_KEY/ESTUARY_API_SECRET");
      }
      if (command.equals("api-key") && method.equals("POST") && r.statusCode() == 200) {
        var created = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body());
        System.out.println("name       = " + created.get("name").asText());
        System.out.println("api_key    = " + created.get("api_key").asText());
        System.out.println("api_secret = " + created.get("api_secret").asText());
        System.out.println("The secret is shown only now and stored only as a hash: keep it. Use it as HTTP Basic credentials.");
        return 0;
      }
      if (!r.body().isEmpty()) {
        boolean isJson = r.headers().firstValue("content-type").orElse("").startsWith("application/json");
        if (json || !isJson || r.statusCode() >= 300) {
          System.out.println(r.body());
        } else {
          System.out.print(CtlTable.render(new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body()), c.columns()));
        }
      } else if (r.statusCode() == 204) {
        System.out.println("ok");
      }
      return r.statusCode() < 300 ? 0 : 1;
    } catch (IOException e) {
      System.err.println("estuary ctl: cannot reach " + base.replaceFirst("^http://", "") + ": " + e.getMessage());
      return 1;
    }
  }

  private String query() {
    List<String> q = new ArrayList<>();
    if (clientId != null) {
      q.add("clientid=" + enc(clientId));
    }
    if (page != null) {
      q.add("page=" + page);
    }
    if (limit != null) {
      q.add("limit=" + limit);
    }
    return q.isEmpty() ? "" : "?" + String.join("&", q);
  }

  private String baseUrl(Properties local) {
    String a = api != null ? api : local.getProperty("url", "127.0.0.1:18083");
    return a.contains("://") ? a : "http://" + a;
  }

  /** HTTPS trusting exactly the gateway's own certificate when the address came from ctl.key. */
  private HttpClient client(String base, Properties local) {
    HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
    String cert = local.getProperty("certfile");
    if (base.startsWith("https://") && cert != null) {
      // the certificate is pinned (trusted alone), so its host name need not be 127.0.0.1
      System.setProperty("jdk.internal.httpclient.disableHostnameVerification", "true");
      try {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, PemLoader.trustManagers(Path.of(cert)).getTrustManagers(), null);
        b.sslContext(ctx);
      } catch (java.security.GeneralSecurityException e) {
        throw new IllegalArgumentException("cannot trust " + cert + ": " + e.getMessage(), e);
      }
    }
    return b.build();
  }

  /** The gateway's ctl.key, or empty when this user cannot read it (another machine, another user). */
  private Properties localKey() {
    Properties p = new Properties();
    Path f = dataDir().resolve(Gateway.CTL_KEY_FILE);
    if (Files.isReadable(f)) {
      try (var r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
        p.load(r);
      } catch (IOException e) {
        System.err.println("estuary ctl: cannot read " + f + ": " + e.getMessage());
      }
    }
    return p;
  }

  private Path dataDir() {
    if (dataDir != null) {
      return dataDir;
    }
    Path home = Main.home(System.getenv());
    Path cfg = parent != null ? parent.configFile(home) : null;
    try {
      return ConfigLoader.load(cfg, System.getenv(), home).persistence().dir();
    } catch (RuntimeException e) {
      System.err.println("estuary ctl: cannot read " + cfg + " (" + e.getMessage() + "); looking for " + home.resolve("data"));
    }
    return home.resolve("data");
  }

  private static String first(String... values) {
    for (String v : values) {
      if (v != null && !v.isEmpty()) {
        return v;
      }
    }
    return null;
  }
}
