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
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;

/**
 * A JVM the webhook tests start ({@link #launch}), with {@code -Djdk.net.hosts.file=<fifo>}: the JDK resolves host names
 * from that file, so a lookup of {@code stalled.example} blocks until this process writes the FIFO — a name server that
 * does not answer. Two scenarios:
 * <ul>
 *   <li>{@code isolation}: while the lookup stalls it sends events and an auth hook to another server (an IP address, no
 *       lookup) and prints what arrived; then it lets the lookup answer and prints the stalled requests' verdicts;
 *   <li>{@code timeout}: after one request to the other server (the JDK client's classes loaded), two auth requests to
 *       the stalled server, {@code response_timeout} {@link #RESPONSE_TIMEOUT},
 *       {@code max_inflight} 2: it prints their verdicts and whether they came within {@code response_timeout} +
 *       {@link #MARGIN} of the call (the time taken goes to stderr); a third request meanwhile (the two still hold their
 *       places); then, once the lookup answered and the two requests ended, a fourth.
 * </ul>
 */
final class StalledLookupProcess {
  static final int STALLED = 4;
  static final Duration RESPONSE_TIMEOUT = Duration.ofSeconds(1);
  /** Scheduling on a shared 2-core machine; a verdict that waits for the lookup comes never (the lookup is held). */
  static final Duration MARGIN = Duration.ofSeconds(3);

  private StalledLookupProcess() {
  }

  /** What the process printed: its stdout lines, and stdout and stderr together for failure messages. */
  record Output(boolean ended, int exitValue, List<String> lines, String all) {}

  /** Runs {@code scenario} in a JVM of its own whose host names resolve from a FIFO in {@code dir}; at most 60 s. */
  static Output launch(Path dir, String scenario) throws Exception {
    Path hosts = dir.resolve("hosts");
    if (new ProcessBuilder("mkfifo", hosts.toString()).inheritIO().start().waitFor() != 0) {
      throw new IllegalStateException("mkfifo failed");
    }
    String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m",
        "-Djdk.net.hosts.file=" + hosts, "-Dslf4j.provider=org.slf4j.helpers.NOP_FallbackServiceProvider",
        "-cp", classpath, StalledLookupProcess.class.getName(), hosts.toString(), scenario)
        .redirectOutput(dir.resolve("stdout").toFile()).redirectError(dir.resolve("stderr").toFile()).start();
    boolean ended = child.waitFor(60, TimeUnit.SECONDS);
    if (!ended) {
      child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    String out = Files.readString(dir.resolve("stdout"));
    return new Output(ended, ended ? child.exitValue() : -1, out.lines().toList(),
        out + "(stderr)\n" + Files.readString(dir.resolve("stderr")));
  }

  /** Exits 0 after printing its lines, 1 when anything failed (its HTTP server's threads would keep it alive). */
  public static void main(String[] args) {
    try {
      if (args[1].equals("timeout")) {
        timeout(Path.of(args[0]));
      } else {
        isolation(Path.of(args[0]));
      }
    } catch (Throwable t) {
      t.printStackTrace();
      System.exit(1);
    }
    System.exit(0);
  }

  /** A service on 127.0.0.1 answering ok to every path, counting the requests to {@code /events}. */
  private static HttpServer service(AtomicInteger events) throws Exception {
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
    return service;
  }

  private static void isolation(Path hosts) throws Exception {
    AtomicInteger events = new AtomicInteger();
    HttpServer service = service(events);
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

  private static void timeout(Path hosts) throws Exception {
    HttpServer service = service(new AtomicInteger());
    URI stalled = URI.create("http://stalled.example:" + service.getAddress().getPort() + "/auth");
    WebhookPlugin plugin = new WebhookPlugin(List.of(new Webhook("auth_on_register", stalled, true, false),
        new Webhook("auth_on_publish", URI.create("http://127.0.0.1:" + service.getAddress().getPort() + "/auth"), true,
            false)), RESPONSE_TIMEOUT, 0, Clock.systemUTC(), 2);
    // warm-up (an IP address, no lookup): the classes of the JDK client loaded, so the time measured is the plugin's
    ClientInfo publisher =
        new ClientInfo("p", "u", "mqtt", "tcp:default", new InetSocketAddress("127.0.0.1", 5001), "", null);
    Verdict<PublishModifiers> warm = plugin.authOnPublish(new PublishRequest(publisher,
        Message.of("a/b", Payload.utf8("x"), 0, false))).toCompletableFuture().get(10, TimeUnit.SECONDS);
    if (!warm.isOk()) {
      throw new IllegalStateException("warm-up: " + warm);
    }
    AtomicLong slowest = new AtomicLong();
    List<CompletableFuture<Verdict<RegisterModifiers>>> timed = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      long called = System.nanoTime();
      timed.add(WebhookServers.register(plugin, "t" + i)
          .whenComplete((v, e) -> slowest.accumulateAndGet(System.nanoTime() - called, Math::max)));
    }
    // opening the FIFO for writing returns once a lookup opened it for reading; it then waits for the line
    try (OutputStream lookup = Files.newOutputStream(hosts)) {
      System.out.println("lookup under way");
      CompletableFuture.allOf(timed.toArray(CompletableFuture<?>[]::new))
          .get(RESPONSE_TIMEOUT.plus(MARGIN).toMillis() + 5_000, TimeUnit.MILLISECONDS);
      long ms = TimeUnit.NANOSECONDS.toMillis(slowest.get());
      System.err.println("slowest verdict " + ms + " ms after the call");
      System.out.println("during the lookup: auth_on_register=" + kinds(timed) + " in_time="
          + (ms <= RESPONSE_TIMEOUT.plus(MARGIN).toMillis()) + " in_flight=" + plugin.inflight(stalled));
      Verdict<RegisterModifiers> third = WebhookServers.register(plugin, "t2").get(5, TimeUnit.SECONDS);
      System.out.println("a third during the lookup: auth_on_register=" + third.kind() + " refused=" + plugin.refused());
      lookup.write(("127.0.0.1 stalled.example\n").getBytes(StandardCharsets.US_ASCII));
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (plugin.inflight(stalled) > 0 && System.nanoTime() < deadline) {
      LockSupport.parkNanos(1_000_000);
    }
    int inFlight = plugin.inflight(stalled);
    Verdict<RegisterModifiers> fourth = WebhookServers.register(plugin, "t3").get(10, TimeUnit.SECONDS);
    System.out.println("after the lookup: in_flight=" + inFlight + " auth_on_register=" + fourth.kind() + " failed "
        + java.util.Arrays.stream(WebhookFailure.values()).map(r -> r.tag() + "=" + plugin.failed(r))
            .collect(Collectors.joining(" ")));
    plugin.stop();
    service.stop(0);
  }

  private static String kinds(List<CompletableFuture<Verdict<RegisterModifiers>>> verdicts) {
    return verdicts.stream().map(f -> String.valueOf(f.join().kind())).collect(Collectors.joining(","));
  }
}
