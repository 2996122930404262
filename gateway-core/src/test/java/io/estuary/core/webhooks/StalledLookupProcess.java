package io.estuary.core.webhooks;

import com.sun.net.httpserver.HttpServer;
import io.estuary.api.ClientInfo;
import io.estuary.api.CloseReason;
import io.estuary.api.Message;
import io.estuary.api.Payload;
import io.estuary.api.hooks.ClientEvent;
import io.estuary.api.hooks.PublishModifiers;
import io.estuary.api.hooks.PublishRequest;
import io.estuary.api.hooks.RegisterModifiers;
import io.estuary.api.hooks.RegisterRequest;
import io.estuary.api.hooks.Verdict;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The JVM {@link WebhookIsolationTest} starts, with {@code -Djdk.net.hosts.file=<fifo>}: the JDK resolves host names from
 * that file, so a lookup of {@code stalled.example} blocks until this process writes the FIFO — a name server that does
 * not answer. Meanwhile it sends events and an auth hook to another server (an IP address, no lookup) and prints what
 * arrived; then it lets the lookup answer and prints the stalled requests' verdicts.
 */
final class StalledLookupProcess {
  static final int STALLED = 4;

  private StalledLookupProcess() {
  }

  /** Exits 0 after printing its three lines, 1 when anything failed (its HTTP server's threads would keep it alive). */
  public static void main(String[] args) {
    try {
      run(Path.of(args[0]));
    } catch (Throwable t) {
      t.printStackTrace();
      System.exit(1);
    }
    System.exit(0);
  }

  private static void run(Path hosts) throws Exception {
    AtomicInteger events = new AtomicInteger();
    HttpServer service = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    service.setExecutor(Executors.newCachedThreadPool());
    service.createContext("/", ex -> {
      ex.getRequestBody().readAllBytes();
      if (ex.getRequestURI().getPath().equals("/events")) {
        events.incrementAndGet();
      }
      byte[] ok = "{\"result\":\"ok\"}".getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(200, ok.length);
      ex.getResponseBody().write(ok);
      ex.close();
    });
    service.start();
    int port = service.getAddress().getPort();
    WebhookPlugin plugin = new WebhookPlugin(List.of(
        new Webhook("auth_on_register", URI.create("http://stalled.example:" + port + "/auth"), true, false),
        new Webhook("auth_on_publish", URI.create("http://127.0.0.1:" + port + "/auth"), true, false),
        new Webhook("on_client_offline", URI.create("http://127.0.0.1:" + port + "/events"), true, false)),
        Duration.ofSeconds(30), 0, Clock.systemUTC(), 1000);
    List<CompletableFuture<Verdict<RegisterModifiers>>> stalled = new ArrayList<>();
    for (int i = 0; i < STALLED; i++) {
      ClientInfo c = new ClientInfo("r" + i, "u", "mqtt", "tcp:default", new InetSocketAddress("127.0.0.1", 5000), "", null);
      stalled.add(plugin.authOnRegister(new RegisterRequest(c, "p".getBytes(StandardCharsets.UTF_8), List.of(), null))
          .toCompletableFuture());
    }
    // opening the FIFO for writing returns once a lookup opened it for reading; it then waits for the line
    try (OutputStream lookup = Files.newOutputStream(hosts)) {
      System.out.println("lookup under way");
      for (int i = 0; i < 2; i++) {
        plugin.onEvent(new ClientEvent.Offline(new ClientInfo("e" + i, "u", "mqtt", "tcp:default", null, "", null),
            CloseReason.NORMAL));
      }
      ClientInfo publisher =
          new ClientInfo("p", "u", "mqtt", "tcp:default", new InetSocketAddress("127.0.0.1", 5001), "", null);
      CompletableFuture<Verdict<PublishModifiers>> publish = plugin.authOnPublish(new PublishRequest(publisher,
          Message.of("a/b", Payload.utf8("x"), 0, false))).toCompletableFuture();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while ((events.get() < 2 || !publish.isDone()) && System.nanoTime() < deadline) {
        LockSupport.parkNanos(1_000_000);
      }
      long stalledDone = stalled.stream().filter(CompletableFuture::isDone).count();
      System.out.println("other server during the lookup: events=" + events.get() + " auth_on_publish="
          + (publish.isDone() ? publish.join().kind() : "waiting") + " stalled_done=" + stalledDone);
      lookup.write(("127.0.0.1 stalled.example\n").getBytes(StandardCharsets.US_ASCII));
    }
    List<String> kinds = new ArrayList<>();
    for (CompletableFuture<Verdict<RegisterModifiers>> f : stalled) {
      kinds.add(String.valueOf(f.get(20, TimeUnit.SECONDS).kind()));
    }
    System.out.println("stalled server after the lookup: auth_on_register=" + String.join(",", kinds));
    plugin.stop();
    service.stop(0);
  }
}
