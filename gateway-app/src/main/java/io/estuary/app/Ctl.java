package io.estuary.app;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code estuary ctl status|stats|clients|client ID|kick ID|listeners|metrics}: a thin client of the management API. */
@Command(name = "ctl", mixinStandardHelpOptions = true, description = "Query or control a running gateway through its HTTP API.")
final class Ctl implements Callable<Integer> {
  @Option(names = "--api", defaultValue = "127.0.0.1:18083", description = "host:port of the management API (default ${DEFAULT-VALUE})")
  String api;

  @Parameters(index = "0", description = "status | stats | clients | client | kick | listeners | metrics")
  String command;

  @Parameters(index = "1", arity = "0..1", description = "client id for client/kick")
  String clientId;

  @Override
  public Integer call() throws Exception {
    String path;
    String method = "GET";
    switch (command) {
      case "status" -> path = "/status";
      case "stats" -> path = "/api/v5/stats";
      case "clients" -> path = "/api/v5/clients";
      case "listeners" -> path = "/api/v5/listeners";
      case "metrics" -> path = "/metrics";
      case "client", "kick" -> {
        if (clientId == null) {
          System.err.println("estuary ctl " + command + ": needs a client id");
          return 2;
        }
        path = "/api/v5/clients/" + java.net.URLEncoder.encode(clientId, java.nio.charset.StandardCharsets.UTF_8);
        method = command.equals("kick") ? "DELETE" : "GET";
      }
      default -> {
        System.err.println("estuary ctl: unknown command " + command);
        return 2;
      }
    }
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    HttpRequest req = HttpRequest.newBuilder(URI.create("http://" + api + path)).method(method, HttpRequest.BodyPublishers.noBody())
        .timeout(Duration.ofSeconds(10)).build();
    try {
      HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
      if (!r.body().isEmpty()) {
        System.out.println(r.body());
      }
      return r.statusCode() < 300 ? 0 : 1;
    } catch (java.io.IOException e) {
      System.err.println("estuary ctl: cannot reach " + api + ": " + e.getMessage());
      return 1;
    }
  }
}
