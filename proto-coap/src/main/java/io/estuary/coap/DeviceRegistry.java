package io.estuary.coap;

import io.estuary.api.BrokerSession;
import io.estuary.api.ClientInfo;
import io.estuary.api.CloseReason;
import io.estuary.api.GatewayContext;
import io.estuary.api.KeyValueSpace;
import io.estuary.api.SessionOptions;
import io.estuary.api.SessionRefusedException;
import io.estuary.api.limits.LogThrottle;
import io.estuary.api.limits.TokenBucket;
import io.estuary.cf.ListenerLimits;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live CoAP devices, keyed by client id (not by address: a device may change address between
 * requests). Thread-safe: read from Californium's threads, changed through futures that complete on
 * the device's executor. Also runs the heartbeat sweep on the gateway's scheduler. Connection-mode
 * tokens are kept in the store ({@link StoredConnection}) from POST until DELETE or heartbeat lapse,
 * so devices keep their tokens across a gateway restart ({@link #restoreConnections}). Each device holds a slot of
 * its listener's {@code max_connections} from its creation until it closes; a new device also takes a token of the
 * listener's {@code max_conn_rate}. Over either, the stage fails with {@link SessionRefusedException.Reason#QUOTA_EXCEEDED}
 * (answered 5.03 with Max-Age), counted and logged at most once a second. A connectionless device (opened by an
 * observe) starts unproven when {@code half_open_timeout} is on, and is closed at that timeout unless its address
 * answered meanwhile ({@link CoapDevice#probe}).
 */
public final class DeviceRegistry {
  private static final Logger LOG = LoggerFactory.getLogger(DeviceRegistry.class);
  private static final SecureRandom RANDOM = new SecureRandom();
  /** The key-value space of connection-mode tokens. */
  static final String CONNECTIONS = "connections";
  /** The refusal message of a device over its listener's max_conn_rate (answered with Max-Age 1). */
  public static final String OVER_CONN_RATE = "listener over max_conn_rate";
  /** The refusal message of a device over its listener's max_connections. */
  public static final String OVER_MAX_CONNECTIONS = "listener at max_connections";
  public static final String OVER_MAX_HALF_OPEN = "max_half_open unproven observers open";
  private static final Logger DROPS = LoggerFactory.getLogger("io.estuary.coap.drops");

  private final GatewayContext context;
  private final CoapGatewayConfig config;
  private final CoapMetrics metrics;
  private final Executor pool;
  private final Map<String, CompletableFuture<CoapDevice>> devices = new ConcurrentHashMap<>();
  private final KeyValueSpace connections;
  private final long lapseMillis;
  private final Map<String, AtomicInteger> perListener = new ConcurrentHashMap<>();
  private final Map<String, TokenBucket> connRates = new ConcurrentHashMap<>();
  private final LogThrottle refusedLog = LogThrottle.every(1000);
  /** Unproven observer devices open now (max_half_open). */
  private final AtomicInteger halfOpenDevices = new AtomicInteger();
  private volatile ScheduledFuture<?> sweep;

  public DeviceRegistry(GatewayContext context, CoapGatewayConfig config, CoapMetrics metrics, Executor pool) {
    this.context = context;
    this.config = config;
    this.metrics = metrics;
    this.pool = pool;
    // stored as coap-connections, as before; failed writes counted (coap.store.write_failures) and logged rate-limited
    this.connections = io.estuary.cf.WatchedKeyValueSpace.of(context.keyValueSpace(CONNECTIONS), "CoAP connection",
        context.metrics());
    // EMQX's heartbeat is the longest interval a client may use; allow half of it again for jitter
    this.lapseMillis = config.heartbeat().toMillis() * 3 / 2;
  }

  public void startHeartbeatSweep() {
    long period = Math.max(50, Math.min(5_000, config.heartbeat().toMillis() / 4));
    sweep = context.scheduler().scheduleAtFixedRate(this::sweepOnce, period, period, TimeUnit.MILLISECONDS);
  }

  /** The open device for {@code clientId}, or null (also while it is still opening). */
  public CoapDevice find(String clientId) {
    if (clientId == null) {
      return null;
    }
    CompletableFuture<CoapDevice> f = devices.get(clientId);
    if (f == null || !f.isDone() || f.isCompletedExceptionally()) {
      return null;
    }
    CoapDevice d = f.join();
    return d.isClosed() ? null : d;
  }

  /**
   * {@code POST /mqtt/connection}: opens a new session with a fresh token; an existing device with
   * the same client id is taken over by the broker. Completes on the new device's executor.
   */
  public CompletionStage<CoapDevice> connect(ClientInfo client) {
    // a device posting again (reboot) replaces its own session: not refused by the cap, still by the rate
    Runnable slot;
    try {
      slot = admit(client, devices.containsKey(client.clientId()));
    } catch (SessionRefusedException e) {
      return CompletableFuture.failedFuture(e);
    }
    String token = HexFormat.of().formatHex(randomBytes());
    CompletableFuture<CoapDevice> f = new CompletableFuture<>();
    CoapDevice device = newDevice(client.clientId(), token, f, slot);
    devices.put(client.clientId(), f);
    open(client, device, f);
    return f.thenApply(d -> {
      logged(connections.put(client.clientId(), new StoredConnection(token, client.username(), client.listener()).encode()));
      return d;
    });
  }

  /**
   * At start: reopens a session for every connection-mode device the store still holds, with its
   * token, so it goes on with PUT/POST as before the restart. Each gets a full heartbeat lapse from now
   * to send its next request; its peer address is unknown until then (null in listings). Completes,
   * with how many, on the store executor once every stored connection is opening.
   */
  public CompletionStage<Integer> restoreConnections(String protocol, String mountpoint) {
    return connections.scan("").thenApply(stored -> restore(stored, protocol, mountpoint));
  }

  private int restore(Map<String, byte[]> stored, String protocol, String mountpoint) {
    int n = 0;
    for (Map.Entry<String, byte[]> e : stored.entrySet()) {
      StoredConnection c = StoredConnection.decode(e.getValue());
      if (c == null) {
        LOG.warn("dropped an unreadable stored CoAP connection for client id {}", e.getKey());
        logged(connections.delete(e.getKey()));
        continue;
      }
      CompletableFuture<CoapDevice> f = new CompletableFuture<>();
      devices.put(e.getKey(), f);
      // devices accepted before the restart come back even over today's limits; they hold their slots
      perListener.computeIfAbsent(c.listener(), k -> new AtomicInteger()).incrementAndGet();
      open(new ClientInfo(e.getKey(), c.username(), protocol, c.listener(), null, mountpoint),
          newDevice(e.getKey(), c.token(), f, release(c.listener())), f);
      n++;
    }
    if (n > 0) {
      LOG.info("restored {} CoAP connection-mode devices with their tokens", n);
    }
    return n;
  }

  /**
   * Connectionless observe: the device of {@code clientId} if one is open or opening, else a new
   * token-less one. Completes on the device's executor. A device the requester may not use (a
   * connection-mode device, or one opened by another username or DTLS identity) fails the stage with a
   * {@link SessionRefusedException} NOT_OWNER: a request naming a live client id never borrows its session.
   */
  public CompletionStage<CoapDevice> openOrGet(ClientInfo client) {
    CompletableFuture<CoapDevice> created = new CompletableFuture<>();
    CompletableFuture<CoapDevice> existing = devices.compute(client.clientId(), (id, cur) -> {
      if (cur != null && !cur.isCompletedExceptionally() && !(cur.isDone() && cur.join().isClosed())) {
        return cur;
      }
      return created;
    });
    if (existing != created) {
      return existing.thenCompose(d -> {
        if (!d.usableBy(client)) {
          return CompletableFuture.failedFuture(new SessionRefusedException(SessionRefusedException.Reason.NOT_OWNER,
              "client id " + client.clientId() + " is another identity's live device"));
        }
        return CompletableFuture.supplyAsync(() -> d, d.executor());
      });
    }
    long halfOpen = config.halfOpenTimeout().toMillis();
    // max_half_open first: an observe refused there spends no slot and no max_conn_rate token
    Runnable halfOpenSlot = halfOpen > 0 ? takeHalfOpen() : null;
    Runnable slot;
    try {
      if (halfOpen > 0 && halfOpenSlot == null) {
        throw refused(client, OVER_MAX_HALF_OPEN, config.maxHalfOpen());
      }
      slot = admit(client, false);
    } catch (SessionRefusedException e) {
      if (halfOpenSlot != null) {
        halfOpenSlot.run();
      }
      devices.remove(client.clientId(), created);
      created.completeExceptionally(e);
      return created;
    }
    CoapDevice device = newDevice(client.clientId(), null, created, slot);
    if (halfOpenSlot != null) {
      // opened by an observe from an address nobody has heard from: unproven until it answers (CoapDevice#probe)
      device.halfOpen(halfOpenSlot);
      context.scheduler().schedule(() -> device.executor().execute(device::halfOpenExpired), halfOpen,
          TimeUnit.MILLISECONDS);
    }
    open(client, device, created);
    return created;
  }

  /**
   * Takes a slot of the client's listener and a token of its connection rate; returns what gives the slot back
   * (idempotent), or throws the QUOTA_EXCEEDED refusal.
   */
  private Runnable admit(ClientInfo client, boolean replacing) {
    String listener = client.listener();
    ListenerLimits limits = config.limits(listener);
    AtomicInteger n = perListener.computeIfAbsent(listener, k -> new AtomicInteger());
    if (n.incrementAndGet() > limits.maxConnections() && !replacing) {
      n.decrementAndGet();
      metrics.connectionsRefused.increment();
      throw refused(client, OVER_MAX_CONNECTIONS, limits.maxConnections());
    }
    if (!connRates.computeIfAbsent(listener, k -> TokenBucket.of(limits.maxConnRate())).tryAcquire(1)) {
      n.decrementAndGet();
      metrics.connectionsRateLimited.increment();
      throw refused(client, OVER_CONN_RATE, limits.maxConnRate());
    }
    return release(listener);
  }

  private SessionRefusedException refused(ClientInfo client, String why, Object limit) {
    long suppressed = refusedLog.admit();
    if (suppressed >= 0) {
      DROPS.info("CoAP {} refused {} from {}: {} ({}){}", client.listener(), client.clientId(), client.peer(), why,
          limit, LogThrottle.suffix(suppressed));
    }
    return new SessionRefusedException(SessionRefusedException.Reason.QUOTA_EXCEEDED, why);
  }

  /**
   * One of the max_half_open places for an unproven observer device, or null (counted) when all are taken; what it
   * returns gives the place back (idempotent, any thread).
   */
  private Runnable takeHalfOpen() {
    if (halfOpenDevices.incrementAndGet() > config.maxHalfOpen()) {
      halfOpenDevices.decrementAndGet();
      metrics.halfOpenRefused.increment();
      return null;
    }
    AtomicBoolean once = new AtomicBoolean();
    return () -> {
      if (once.compareAndSet(false, true)) {
        halfOpenDevices.decrementAndGet();
      }
    };
  }

  /** Unproven connectionless observer devices open now. */
  public int halfOpenDevices() {
    return halfOpenDevices.get();
  }

  private Runnable release(String listener) {
    AtomicBoolean once = new AtomicBoolean();
    AtomicInteger n = perListener.computeIfAbsent(listener, k -> new AtomicInteger());
    return () -> {
      if (once.compareAndSet(false, true)) {
        n.decrementAndGet();
      }
    };
  }

  /** Devices holding a slot of {@code listener} now (for tests and the management view). */
  public int devicesOn(String listener) {
    AtomicInteger n = perListener.get(listener);
    return n == null ? 0 : n.get();
  }

  private CoapDevice newDevice(String clientId, String token, CompletableFuture<CoapDevice> f, Runnable slot) {
    return new CoapDevice(clientId, token, pool, context.clock(), config.maxPendingNotifications(), metrics,
        config.maxUnansweredNotifications(), slot, reason -> {
          // a device replaced by a new POST is no longer in the map (the new one wrote its own token);
          // a shutdown keeps the token for the restart
          if (devices.remove(clientId, f) && token != null && reason != CloseReason.SERVER_SHUTDOWN) {
            logged(connections.delete(clientId));
          }
        });
  }

  private void open(ClientInfo client, CoapDevice device, CompletableFuture<CoapDevice> f) {
    device.client(client);
    SessionOptions options = SessionOptions.builder()
        .keepAlive(config.heartbeat())
        .sessionExpiry(Duration.ZERO)
        .receiveMaximum(Math.min(65_535, config.maxPendingNotifications()))
        .build();
    context.openSession(client, options, device).whenComplete((BrokerSession s, Throwable err) -> {
      if (err != null) {
        device.releaseSlot();
        devices.remove(client.clientId(), f);
        f.completeExceptionally(err);
        return;
      }
      device.executor().execute(() -> {
        device.opened(s);
        LOG.debug("{}: session open ({})", client.clientId(), device.token() == null ? "connectionless" : "connection");
        f.complete(device);
      });
    });
  }

  /** A fire-and-forget write: a failure is counted and logged (rate-limited) by the watched space; here at DEBUG. */
  private static void logged(CompletionStage<?> write) {
    write.whenComplete((v, e) -> {
      if (e != null) {
        LOG.debug("CoAP connection store write failed: {}", e.toString());
      }
    });
  }

  private static byte[] randomBytes() {
    byte[] b = new byte[8];
    RANDOM.nextBytes(b);
    return b;
  }

  void sweepOnce() {
    long now = context.clock().millis();
    for (CompletableFuture<CoapDevice> f : devices.values()) {
      CoapDevice d = f.getNow(null);
      if (d != null && !d.isClosed() && now - d.lastSeen() > lapseMillis) {
        d.executor().execute(() -> {
          boolean keep = d.token() == null && d.hasObservers();
          if (!keep && !d.isClosed() && context.clock().millis() - d.lastSeen() > lapseMillis) {
            LOG.debug("{}: heartbeat lapsed", d.clientId());
            metrics.heartbeatTimeouts.increment();
            d.close(CloseReason.KEEPALIVE_TIMEOUT);
          }
        });
      }
    }
  }

  /** Closes every device with {@code reason}; the stage completes when all have closed. */
  public CompletionStage<Void> closeAll(CloseReason reason) {
    ScheduledFuture<?> s = sweep;
    if (s != null) {
      s.cancel(false);
    }
    List<CompletableFuture<Void>> closing = devices.values().stream()
        .map(f -> f.getNow(null))
        .filter(d -> d != null)
        .map(d -> CompletableFuture.runAsync(() -> d.close(reason), d.executor()))
        .toList();
    return CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new));
  }

  int size() {
    return devices.size();
  }
}
