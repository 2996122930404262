package io.estuary.bench.store;

import io.estuary.bench.InProcessGateway;
import com.typesafe.config.ConfigFactory;
import io.estuary.bench.durability.RawMqtt;
import io.estuary.api.ListenerInfo;
import io.estuary.api.Message;
import io.estuary.api.Payload;
import io.estuary.api.Subscription;
import io.estuary.core.config.ConfigLoader;
import io.estuary.core.config.GatewayConfig;
import io.estuary.core.config.PersistenceConfig;
import io.estuary.core.server.Gateway;
import io.estuary.core.session.SessionView;
import io.estuary.core.store.SessionRecord;
import io.estuary.core.store.Store;
import io.estuary.core.store.StoredMessage;
import io.estuary.core.store.memory.MemoryStore;
import io.estuary.core.store.rocksdb.RocksDbStore;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.util.ReferenceCountUtil;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code throughput}: QoS 1 publishers → persistent QoS 1 subscribers (pairs, online, acking) over
 * loopback MQTT, received msgs/s per store (memory, rocksdb sync=interval, rocksdb sync=always).
 * {@code recovery}: writes sessions × messages queued QoS 1 messages into a RocksDB store, then times
 * a gateway start on it until every message is back in its session and a client is served. With
 * {@code --kill9} the writes are made by a child JVM that is SIGKILLed after its last write, so the
 * timed start includes RocksDB's WAL replay (mode {@code write} is that child).
 */
@Command(name = "store-bench", mixinStandardHelpOptions = true, description = "Durable store benchmarks.")
public final class StoreBench implements Callable<Integer> {
  @Option(names = "--mode", defaultValue = "all", description = "throughput, recovery or all (default: ${DEFAULT-VALUE}).")
  String mode;

  @Option(names = "--stores", defaultValue = "memory,interval,always", split = ",", description = "Stores for throughput: memory, interval, always, or interval-capped / always-capped with the store limits on (default: ${DEFAULT-VALUE}).")
  List<String> stores;

  @Option(names = "--pairs", defaultValue = "4", description = "Publisher/subscriber pairs (default: ${DEFAULT-VALUE}).")
  int pairs;

  @Option(names = "--inflight", defaultValue = "100", description = "QoS 1 PUBLISHes in flight per publisher (default: ${DEFAULT-VALUE}).")
  int inflight;

  @Option(names = "--size", defaultValue = "64", description = "Payload bytes (default: ${DEFAULT-VALUE}).")
  int size;

  @Option(names = "--warmup", defaultValue = "5", description = "Warm-up seconds (default: ${DEFAULT-VALUE}).")
  int warmup;

  @Option(names = "--duration", defaultValue = "10", description = "Measured seconds (default: ${DEFAULT-VALUE}).")
  int duration;

  @Option(names = "--sessions", defaultValue = "1000", description = "Recovery: persistent sessions (default: ${DEFAULT-VALUE}).")
  int sessions;

  @Option(names = "--messages", defaultValue = "1000", description = "Recovery: queued messages per session (default: ${DEFAULT-VALUE}).")
  int messages;

  @Option(names = "--kill9", description = "Recovery: write from a child JVM and kill -9 it before the timed start.")
  boolean kill9;

  @Option(names = "--dir", hidden = true, description = "Mode write: the store directory.")
  Path dir;

  public static void main(String[] args) {
    System.exit(new CommandLine(new StoreBench()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    if (mode.equals("throughput") || mode.equals("all")) {
      List<String> rows = new ArrayList<>();
      double memory = 0;
      for (String s : stores) {
        double rate = throughput(s);
        if (s.equals("memory")) {
          memory = rate;
        }
        rows.add(String.format("| %s | %,.0f | %s |", s, rate, memory > 0 ? String.format("%.0f %%", 100 * rate / memory) : "-"));
        System.out.printf("RESULT throughput store=%s pairs=%d inflight=%d size=%d seconds=%d msgs_s=%.0f%n", s, pairs, inflight, size, duration, rate);
      }
      System.out.println("\n| store | QoS 1 msgs/s received | vs memory |\n|---|---|---|");
      rows.forEach(System.out::println);
    }
    if (mode.equals("recovery") || mode.equals("all")) {
      recovery();
    }
    if (mode.equals("write")) {
      writeQueues(dir, true);
      System.out.println("WRITTEN");
      System.out.flush();
      new java.util.concurrent.CountDownLatch(1).await(); // the parent kills -9 this JVM now
    }
    return 0;
  }

  static GatewayConfig config(Path dir, String sync) {
    return ConfigLoader.bind(ConfigFactory.parseString("""
        node.name = "store-bench@127.0.0.1"
        listeners.tcp.default.bind = "127.0.0.1:0"
        listeners.ssl.default.enable = false
        listeners.ws.default.enable = false
        listeners.wss.default.enable = false
        api.enable = false
        sys_topics.sys_msg_interval = 0s
        mqtt.max_mqueue_len = 10000000
        mqtt.max_inflight = 100
        persistence { enabled = true, dir = "%s", sync = %s }
        """.formatted(dir.toString().replace("\\", "/"), sync.replace("-capped", ""))
        // "<sync>-capped": the store limits on (a cap never reached, so only their accounting is measured);
        // otherwise every bound off (issue #13)
        + (sync.endsWith("-capped") ? "persistence { max_bytes = 1TiB, max_pending_writes = 100000, max_pending_bytes = 256MiB }"
            : "persistence { max_bytes = 0, max_pending_writes = 0, max_pending_bytes = 0 }")));
  }

  static int port(Gateway g) {
    for (ListenerInfo l : g.listeners()) {
      if (l.protocol().equals("mqtt") && l.name().equals("tcp:default")) {
        return l.address().getPort();
      }
    }
    throw new IllegalStateException("no MQTT listener");
  }

  double throughput(String kind) throws Exception {
    Path dir = Files.createTempDirectory("store-bench");
    GatewayConfig cfg = config(dir, kind.equals("memory") ? "interval" : kind);
    Function<GatewayConfig, Store> factory = kind.equals("memory") ? c -> new MemoryStore() : Gateway::defaultStore;
    AtomicLong received = new AtomicLong();
    AtomicBoolean stop = new AtomicBoolean();
    List<Thread> threads = new ArrayList<>();
    try (Gateway g = Gateway.start(cfg, InProcessGateway.withMqtt(List.of()), factory, Clock.systemUTC())) {
      int port = port(g);
      byte[] pad = new byte[Math.max(0, size - 8)];
      java.util.Arrays.fill(pad, (byte) 'x');
      String body = new String(pad);
      for (int i = 0; i < pairs; i++) {
        RawMqtt sub = new RawMqtt(port, "bench-sub-" + i, false); // persistent: every message goes to the store
        sub.subscribe("bench/" + i, 1);
        threads.add(thread("sub-" + i, () -> subscriber(sub, received, stop)));
        String topic = "bench/" + i;
        threads.add(thread("pub-" + i, () -> publisher(port, "bench-pub-" + topic.hashCode(), topic, body, stop)));
      }
      Thread.sleep(warmup * 1000L);
      long r0 = received.get();
      long t0 = System.nanoTime();
      Thread.sleep(duration * 1000L);
      long r1 = received.get();
      double rate = (r1 - r0) / ((System.nanoTime() - t0) / 1e9);
      stop.set(true);
      for (Thread t : threads) {
        t.join(10_000);
      }
      return rate;
    } finally {
      deleteTree(dir);
    }
  }

  private static Thread thread(String name, Runnable r) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    t.start();
    return t;
  }

  private void publisher(int port, String id, String topic, String body, AtomicBoolean stop) {
    try (RawMqtt c = new RawMqtt(port, id, true)) {
      int outstanding = 0;
      int nextId = 1;
      while (!stop.get()) {
        while (outstanding < inflight) {
          c.send(RawMqtt.publish(topic, body, 1, nextId));
          nextId = nextId == 65535 ? 1 : nextId + 1;
          outstanding++;
        }
        MqttMessage m = c.next(Duration.ofMillis(100));
        if (m != null && m.fixedHeader().messageType() == MqttMessageType.PUBACK) {
          outstanding--;
        }
        ReferenceCountUtil.release(m);
      }
    } catch (Exception e) {
      if (!stop.get()) {
        System.err.println("publisher " + id + ": " + e);
      }
    }
  }

  private static void subscriber(RawMqtt c, AtomicLong received, AtomicBoolean stop) {
    try (c) {
      while (!stop.get()) {
        MqttMessage m = c.next(Duration.ofMillis(100));
        if (m instanceof MqttPublishMessage p) {
          received.incrementAndGet();
          c.send(RawMqtt.ack(MqttMessageType.PUBACK, p.variableHeader().packetId()));
        }
        ReferenceCountUtil.release(m);
      }
    } catch (Exception e) {
      if (!stop.get()) {
        System.err.println("subscriber: " + e);
      }
    }
  }

  void recovery() throws Exception {
    Path dir = Files.createTempDirectory("store-bench-recovery");
    long total = (long) sessions * messages;
    long w0 = System.nanoTime();
    if (kill9) {
      writeInKilledChild(dir);
    } else {
      writeQueues(dir, false);
    }
    double writeS = (System.nanoTime() - w0) / 1e9;
    long size = Files.walk(dir).filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    long wal = Files.walk(dir).filter(p -> p.toString().endsWith(".log")).mapToLong(p -> p.toFile().length()).sum();
    System.out.printf("recovery: wrote %,d queued messages in %d sessions (%.1f s, %,d bytes on disk, WAL %,d bytes%s)%n",
        total, sessions, writeS, size, wal, kill9 ? ", writer killed with SIGKILL" : ", store closed cleanly");
    System.gc();
    long t0 = System.nanoTime();
    GatewayConfig cfg = config(dir, "interval");
    Store opened = Gateway.defaultStore(cfg);
    long open = System.nanoTime();
    try (Gateway g = Gateway.start(cfg, InProcessGateway.withMqtt(List.of()), c -> opened, Clock.systemUTC())) {
      long started = System.nanoTime();
      long queued;
      do {
        queued = 0;
        for (SessionView v : g.broker().sessionViews()) {
          queued += v.queued();
        }
        if (queued < total) {
          Thread.sleep(5);
        }
      } while (queued < total && System.nanoTime() - t0 < 120_000_000_000L);
      long restored = System.nanoTime();
      int port = port(g);
      long served;
      try (RawMqtt c = new RawMqtt(port, "rec-" + (sessions / 2), false)) {
        MqttMessage m;
        do {
          m = c.next(Duration.ofSeconds(10));
        } while (m != null && !(m instanceof MqttPublishMessage));
        served = System.nanoTime();
        ReferenceCountUtil.release(m);
      }
      System.out.printf("RESULT recovery kill9=%b messages=%d sessions=%d restored=%d store_open_ms=%d started_ms=%d all_restored_ms=%d first_delivery_ms=%d%n",
          kill9, total, sessions, queued, (open - t0) / 1_000_000, (started - t0) / 1_000_000, (restored - t0) / 1_000_000, (served - t0) / 1_000_000);
    } finally {
      deleteTree(dir);
    }
  }

  /** Sessions × messages queued QoS 1 messages; {@code interval} = the gateway's default sync, else never. */
  void writeQueues(Path dir, boolean interval) throws Exception {
    byte[] payload = new byte[size];
    PersistenceConfig.Sync sync = interval ? PersistenceConfig.Sync.INTERVAL : PersistenceConfig.Sync.NEVER;
    RocksDbStore store = RocksDbStore.open(PersistenceConfig.at(dir).withSync(sync));
    long now = System.currentTimeMillis();
    for (int s = 0; s < sessions; s++) {
      String id = "rec-" + s;
      store.saveSession(new SessionRecord(id, "mqtt", null, 7200, now, List.of(Subscription.of("rec/" + s, 1)), null, 0));
      for (int m = 1; m <= messages; m++) {
        store.saveMessage(id, new StoredMessage(m, Message.of("rec/" + s, Payload.copyOf(payload), 1, false).withCreatedAt(now), List.of(), 0, false));
      }
      if (s % 50 == 0) {
        store.sync().toCompletableFuture().get(); // bound the writer's queue
      }
    }
    store.sync().toCompletableFuture().get();
    if (!interval) {
      store.close();
    } // else: left open for the kill
  }

  /** Runs mode {@code write} in a child JVM, waits for its last write, and SIGKILLs it. */
  void writeInKilledChild(Path dir) throws Exception {
    String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(javaBin, "-Xmx2g", "-cp", System.getProperty("java.class.path"),
        "-Dlogback.configurationFile=" + System.getProperty("logback.configurationFile", "etc/logback.xml"),
        StoreBench.class.getName(), "--mode", "write", "--dir", dir.toString(),
        "--sessions", String.valueOf(sessions), "--messages", String.valueOf(messages), "--size", String.valueOf(size))
        .redirectErrorStream(true).start();
    try (var r = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(), java.nio.charset.StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null && !line.equals("WRITTEN")) {
        System.out.println("writer: " + line);
      }
      if (line == null) {
        throw new IllegalStateException("writer child ended before its last write");
      }
    }
    p.toHandle().destroyForcibly();
    p.waitFor();
  }

  static void deleteTree(Path dir) {
    try (var s = Files.walk(dir)) {
      s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (Exception ignored) {
      // temp dir
    }
  }
}
