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
 * {@code estuary ctl status|stats|clients|client ID|kick ID|listeners|metrics|api-key create|list|delete}:
 * a thin client of the management API. Its address and credentials come, in order, from the options,
 * {@code ESTUARY_API_KEY}/{@code ESTUARY_API_SECRET}, and the {@code ctl.key} file the running gateway
 * writes (owner-only) into its data directory: run by the same user on the same machine, no flags are needed.
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

  @Option(names = "--page", description = "page of the client list (from 1)")
  Integer page;

  @Option(names = "--limit", description = "clients per page (1..10000)")
  Integer limit;

  @Parameters(index = "0", description = "status | stats | clients | client | kick | listeners | metrics | api-key")
  String command;

  @Parameters(index = "1..*", arity = "0..*", description = "client id for client/kick; create|list|delete [NAME] for api-key")
  List<String> args = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    String path;
    String method = "GET";
    String body = null;
    switch (command) {
      case "status" -> path = "/status";
      case "stats" -> path = "/api/v5/stats";
      case "clients" -> path = "/api/v5/clients" + paging();
      case "listeners" -> path = "/api/v5/listeners";
      case "metrics" -> path = "/metrics";
      case "client", "kick" -> {
        if (args.isEmpty()) {
          System.err.println("estuary ctl " + command + ": needs a client id");
          return 2;
        }
        path = "/api/v5/clients/" + URLEncoder.encode(args.get(0), StandardCharsets.UTF_8);
        method = command.equals("kick") ? "DELETE" : "GET";
      }
      case "api-key" -> {
        String sub = args.isEmpty() ? "" : args.get(0);
        switch (sub) {
          case "create" -> {
            path = "/api/v5/api_key";
            method = "POST";
            body = name == null ? "{}" : new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(Map.of("name", name));
          }
          case "list" -> path = "/api/v5/api_key";
          case "delete" -> {
            if (args.size() < 2) {
              System.err.println("estuary ctl api-key delete: needs a key name");
              return 2;
            }
            path = "/api/v5/api_key/" + URLEncoder.encode(args.get(1), StandardCharsets.UTF_8);
            method = "DELETE";
          }
          default -> {
            System.err.println("estuary ctl api-key: create [--name N] | list | delete NAME");
            return 2;
          }
        }
      }
      default -> {
        System.err.println("estuary ctl: unknown command " + command);
        return 2;
      }
    }
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
        System.out.println(r.body());
      }
      return r.statusCode() < 300 ? 0 : 1;
    } catch (IOException e) {
      System.err.println("estuary ctl: cannot reach " + base.replaceFirst("^http://", "") + ": " + e.getMessage());
      return 1;
    }
  }

  private String paging() {
    List<String> q = new ArrayList<>();
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
