package io.estuary.core.webhooks;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.estuary.api.ClientInfo;
import io.estuary.api.hooks.RegisterModifiers;
import io.estuary.api.hooks.RegisterRequest;
import io.estuary.api.hooks.Verdict;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Webhook services for the webhook tests: JDK HTTP servers on 127.0.0.1 (port 0) that count the requests they receive
 * and answer a fixed status and body, at once or, when told to hold, once {@link #release} is called (or after the hold
 * bound, so that a failed test leaves no server thread waiting for ever). {@link #close} releases and stops them all.
 */
final class WebhookServers implements AutoCloseable {
  private final CountDownLatch release = new CountDownLatch(1);
  private final Duration holdAtMost;
  private final List<HttpServer> servers = new ArrayList<>();
  private final List<ExecutorService> pools = new ArrayList<>();

  /** With held answers waiting at most {@code holdAtMost} for {@link #release}. */
  WebhookServers(Duration holdAtMost) {
    this.holdAtMost = holdAtMost;
  }

  /**
   * A new server answering {@code answer} to every path, after {@link #release} if {@code hold}; each request counted
   * in {@code received} as it arrives. Returns its {@code /hook} endpoint.
   */
  URI service(AtomicInteger received, String answer, boolean hold) throws Exception {
    return service(received, 200, answer, hold);
  }

  /** As {@link #service(AtomicInteger, String, boolean)}, answering with HTTP {@code status}. */
  URI service(AtomicInteger received, int status, String answer, boolean hold) throws Exception {
    HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    ExecutorService pool = Executors.newCachedThreadPool();
    pools.add(pool);
    s.setExecutor(pool);
    s.createContext("/", handler(received, status, answer, hold));
    s.start();
    servers.add(s);
    return endpoint(s, "/hook");
  }

  /**
   * Another endpoint, {@code path}, on the server of {@code service} (an endpoint {@link #service} returned): the same
   * server, so the same HTTP client in the plugin, with requests of its own.
   */
  URI endpoint(URI service, String path, AtomicInteger received, String answer, boolean hold) {
    HttpServer s = servers.stream().filter(x -> x.getAddress().getPort() == service.getPort()).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("not a server of these: " + service));
    s.createContext(path, handler(received, 200, answer, hold));
    return endpoint(s, path);
  }

  /** Lets the held answers go (and any held from now on). */
  void release() {
    release.countDown();
  }

  /**
   * The tests' teardown: lets the held answers go, stops {@code plugin} (unless null: the test made none), then the
   * servers.
   */
  void close(WebhookPlugin plugin) {
    release();
    if (plugin != null) {
      plugin.stop();
    }
    close();
  }

  @Override
  public void close() {
    release();
    servers.forEach(s -> s.stop(0));
    pools.forEach(ExecutorService::shutdownNow);
  }

  /** auth_on_register of client {@code clientId} connecting from 127.0.0.1:5000 with password "p". */
  static CompletableFuture<Verdict<RegisterModifiers>> register(WebhookPlugin plugin, String clientId) {
    ClientInfo c = new ClientInfo(clientId, "u", "mqtt", "tcp:default", new InetSocketAddress("127.0.0.1", 5000), "", null);
    return plugin.authOnRegister(new RegisterRequest(c, "p".getBytes(StandardCharsets.UTF_8), List.of(), null))
        .toCompletableFuture();
  }

  /**
   * The {@code /hook} endpoint of a port on 127.0.0.1 nothing listens on (it did a moment ago): a request to it is
   * refused at connect.
   */
  static URI closedPort() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    return URI.create("http://127.0.0.1:" + port + "/hook");
  }

  private HttpHandler handler(AtomicInteger received, int status, String answer, boolean hold) {
    byte[] body = answer.getBytes(StandardCharsets.UTF_8);
    return ex -> {
      ex.getRequestBody().readAllBytes();
      received.incrementAndGet();
      if (hold) {
        try {
          release.await(holdAtMost.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      ex.sendResponseHeaders(status, body.length);
      ex.getResponseBody().write(body);
      ex.close();
    };
  }

  private static URI endpoint(HttpServer s, String path) {
    return URI.create("http://127.0.0.1:" + s.getAddress().getPort() + path);
  }
}
