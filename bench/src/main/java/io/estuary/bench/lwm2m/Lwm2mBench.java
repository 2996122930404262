package io.estuary.bench.lwm2m;

import io.estuary.bench.InProcessGateway;
import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import io.estuary.core.server.Gateway;
import io.estuary.lwm2m.Lwm2mAdapterFactory;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * LwM2M benchmark against an in-process Estuary on 127.0.0.1 with raw-CoAP devices ({@link RawDevices};
 * Leshan clients are too heavy for 10,000 in one JVM: each has its own Californium endpoint and threads).
 *
 * <ol>
 *   <li>registrations/s: {@code --endpoints} devices register, at most {@code --window} unanswered at once;
 *   <li>heap per endpoint: heap used after GC before and after the registrations (the devices' sockets are
 *       opened before the first reading), divided by the endpoint count;
 *   <li>command round trips/s: {@code --commands} read commands published over MQTT to
 *       {@code lwm2m/{ep}/dn}, round robin over the endpoints, at most {@code --window} awaiting their
 *       {@code up/resp}; timed from the first publish to the last response.
 * </ol>
 * Bounded: every phase stops at {@code --timeout}.
 */
public final class Lwm2mBench {
  private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

  private Lwm2mBench() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> o = new LinkedHashMap<>(Map.of("endpoints", "10000", "commands", "20000", "window", "200",
        "timeout", "120"));
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (!args[i].startsWith("--") || !o.containsKey(args[i].substring(2))) {
        throw new IllegalArgumentException("unknown option " + args[i] + "; options: " + o.keySet());
      }
      o.put(args[i].substring(2), args[i + 1]);
    }
    int n = Integer.parseInt(o.get("endpoints"));
    int commands = Integer.parseInt(o.get("commands"));
    int window = Integer.parseInt(o.get("window"));
    long timeoutNanos = TimeUnit.SECONDS.toNanos(Long.parseLong(o.get("timeout")));
    System.out.println("lwm2m-bench " + o + ", JVM max heap " + MEMORY.getHeapMemoryUsage().getMax() / (1 << 20)
        + " MiB, " + Runtime.getRuntime().availableProcessors() + " CPUs");

    String hocon = InProcessGateway.base("lwm2m-bench") + """
        persistence.enabled = false
        gateway.lwm2m.listeners.udp.default.bind = "127.0.0.1:0"
        gateway.lwm2m.listeners.udp.default.max_datagram_rate = infinity
        gateway.lwm2m.californium.max_active_peers = %d
        gateway.lwm2m.command_timeout = 10s
        """.formatted(n + 1000);
    try (Gateway gw = InProcessGateway.start(hocon, List.of(new Lwm2mAdapterFactory()));
         RawDevices devices = new RawDevices(InProcessGateway.address(gw, "lwm2m", "udp:default"), n, "bench-")) {
      long before = usedAfterGc();

      long t0 = System.nanoTime();
      int sent = 0;
      long lastRetry = t0;
      while (devices.registered.get() < n && System.nanoTime() - t0 < timeoutNanos) {
        while (sent < n && sent - devices.registered.get() < window) {
          devices.register(sent++);
        }
        Thread.sleep(1);
        if (sent == n && System.nanoTime() - lastRetry > TimeUnit.SECONDS.toNanos(5)) {
          lastRetry = System.nanoTime();
          devices.unregistered().forEach(devices::register); // lost datagrams: ask again
        }
      }
      double regSeconds = (System.nanoTime() - t0) / 1e9;
      int registered = devices.registered.get();
      while (gw.broker().connectedCount() < registered && System.nanoTime() - t0 < timeoutNanos) {
        Thread.sleep(10);
      }
      long sessions = gw.broker().connectedCount();
      long after = usedAfterGc();
      double perEndpoint = registered == 0 ? 0 : (after - before) / (double) registered;

      double rtts = roundTrips(gw, devices, Math.min(registered, n), commands, window, timeoutNanos);

      System.out.printf("RESULT endpoints=%d registered=%d sessions=%d reg_seconds=%.2f reg_per_s=%.0f "
              + "heap_before_mib=%.1f heap_after_mib=%.1f heap_per_endpoint_bytes=%.0f commands=%d rtt_per_s=%.0f%n",
          n, registered, sessions, regSeconds, registered / regSeconds, before / 1048576.0, after / 1048576.0,
          perEndpoint, commands, rtts);
      System.out.println();
      System.out.println("| measure | value |");
      System.out.println("|---|---|");
      System.out.printf("| endpoints registered / sessions | %d / %d of %d |%n", registered, sessions, n);
      System.out.printf("| registrations/s (window %d) | %.0f |%n", window, registered / regSeconds);
      System.out.printf("| heap used after GC before → after | %.1f MiB → %.1f MiB |%n", before / 1048576.0, after / 1048576.0);
      System.out.printf("| heap per registered endpoint | %.1f KiB |%n", perEndpoint / 1024);
      System.out.printf("| read round trips/s (MQTT → device → MQTT, window %d) | %.0f |%n", window, rtts);
    }
  }

  private static double roundTrips(Gateway gw, RawDevices devices, int endpoints, int commands, int window,
      long timeoutNanos) throws InterruptedException {
    if (endpoints == 0 || commands == 0) {
      return 0;
    }
    Mqtt5AsyncClient mqtt = MqttClient.builder().useMqttVersion5().identifier("lwm2m-bench")
        .serverHost("127.0.0.1").serverPort(InProcessGateway.address(gw, "mqtt", "tcp:default").getPort()).buildAsync();
    mqtt.connect().join();
    Semaphore inFlight = new Semaphore(window);
    AtomicInteger answered = new AtomicInteger();
    mqtt.subscribeWith().topicFilter("lwm2m/+/up/resp").qos(MqttQos.AT_MOST_ONCE).callback(p -> {
      if (new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8).contains("\"reqID\"")) {
        answered.incrementAndGet();
        inFlight.release();
      }
    }).send().join();
    long t0 = System.nanoTime();
    int published = 0;
    for (int i = 0; i < commands && System.nanoTime() - t0 < timeoutNanos; i++, published++) {
      if (!inFlight.tryAcquire(10, TimeUnit.SECONDS)) {
        break; // answers stopped coming
      }
      String ep = devices.endpoint(i % endpoints);
      mqtt.publishWith().topic("lwm2m/" + ep + "/dn").qos(MqttQos.AT_MOST_ONCE)
          .payload(("{\"reqID\":" + i + ",\"msgType\":\"read\",\"data\":{\"path\":\"/3/0/0\"}}")
              .getBytes(StandardCharsets.UTF_8)).send();
    }
    while (answered.get() < published && System.nanoTime() - t0 < timeoutNanos) {
      Thread.sleep(1);
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    mqtt.disconnect().join();
    System.out.printf("round trips: %d of %d answered in %.2f s%n", answered.get(), commands, seconds);
    return answered.get() / seconds;
  }

  private static long usedAfterGc() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(200);
    }
    return MEMORY.getHeapMemoryUsage().getUsed();
  }


}
