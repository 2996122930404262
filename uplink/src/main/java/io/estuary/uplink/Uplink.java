package io.estuary.uplink;

import io.estuary.core.api.BrokerSession;
import io.estuary.core.api.ClientInfo;
import io.estuary.core.api.CloseReason;
import io.estuary.core.api.Delivery;
import io.estuary.core.api.DeliverySink;
import io.estuary.core.api.GatewayContext;
import io.estuary.core.api.Message;
import io.estuary.core.api.Metrics;
import io.estuary.core.api.Payload;
import io.estuary.core.api.SessionOptions;
import io.estuary.core.api.Subscription;
import io.estuary.core.api.TopicFilter;
import io.estuary.uplink.buffer.CatchupLimiter;
import io.estuary.uplink.buffer.ForwardWindow;
import io.estuary.uplink.client.LinkListener;
import io.estuary.uplink.client.RemoteAck;
import io.estuary.uplink.client.RemoteFilter;
import io.estuary.uplink.client.RemoteLink;
import io.estuary.uplink.mapping.ForwardMapping;
import io.estuary.uplink.mapping.ForwardRule;
import io.estuary.uplink.mapping.InboundMapping;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One bridge to one upstream broker. Local → remote: a persistent broker session
 * ({@code $uplink/<name>}) subscribed to the forward filters; its queue is the store-and-forward
 * buffer, and this sink reports no credits while the upstream is down so the broker keeps queueing.
 * A delivery is acknowledged to the session only once the upstream broker acknowledged it (QoS 1/2)
 * or it was written (QoS 0). Remote → local: upstream messages are published through the same
 * session, whose forward subscriptions use No Local, so nothing received is forwarded back.
 *
 * <p>All state is confined to one serial executor (the sink's executor); client callbacks hop onto it.
 */
final class Uplink implements DeliverySink, LinkListener {
  private static final Logger LOG = LoggerFactory.getLogger(Uplink.class);
  /** The local session outlives restarts; the broker caps this at mqtt.max_session_expiry. */
  static final Duration SESSION_EXPIRY = Duration.ofDays(3650);

  private final UplinkConfig config;
  private final GatewayContext context;
  private final String node;
  private final ClientInfo client;
  private final ExecutorService executor;
  private final ForwardMapping forwards;
  private final InboundMapping inbound;
  private final ForwardWindow window;
  private final CatchupLimiter limiter;
  private final RemoteLink link;
  private final Metrics.Counter forwarded;
  private final Metrics.Counter received;
  private final Metrics.Counter droppedExcluded;
  private final Metrics.Counter droppedRefused;
  private final Metrics.Counter droppedLoop;
  private final Metrics.Counter droppedLocal;

  // executor-confined
  private BrokerSession session;
  private boolean stopping;
  private boolean pumpScheduled;
  private int lastCredits;

  // mirrors for credits(), gauges and status
  private volatile int credits;
  private volatile boolean connected;
  private volatile int inflight;
  private volatile String lastError = "";
  private volatile long lastConnectedAt;
  private volatile long lastDisconnectedAt;

  Uplink(UplinkConfig config, GatewayContext context) {
    this.config = config;
    this.context = context;
    this.node = context.nodeName();
    this.client = new ClientInfo("$uplink/" + config.name(), null, UplinkAdapterFactory.PROTOCOL,
        "uplink:" + config.name(), null, "");
    this.executor = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "estuary-uplink-" + config.name());
      t.setDaemon(true);
      return t;
    });
    this.forwards = new ForwardMapping(config.forwards(), node);
    this.inbound = new InboundMapping(config.subscriptions(), node);
    this.window = new ForwardWindow(config.maxInflight());
    this.limiter = new CatchupLimiter(config.catchupRate());
    List<RemoteFilter> filters = config.subscriptions().stream().map(s -> new RemoteFilter(s.remoteFilter(), s.qos())).toList();
    this.link = RemoteLink.create(config.linkOptions(), filters, this, executor);
    Metrics m = context.metrics();
    String[] tag = {"uplink", config.name()};
    forwarded = m.counter("uplink.forwarded", tag);
    received = m.counter("uplink.received", tag);
    droppedExcluded = m.counter("uplink.dropped", "uplink", config.name(), "reason", "no_rule");
    droppedRefused = m.counter("uplink.dropped", "uplink", config.name(), "reason", "refused_upstream");
    droppedLoop = m.counter("uplink.dropped", "uplink", config.name(), "reason", "loop");
    droppedLocal = m.counter("uplink.dropped", "uplink", config.name(), "reason", "refused_locally");
    m.gauge("uplink.connected", () -> connected ? 1 : 0, tag);
    m.gauge("uplink.inflight", () -> inflight, tag);
    m.gauge("uplink.catching_up", () -> limiter.catchingUp() ? 1 : 0, tag);
    m.gauge("uplink.last_connected_at", () -> lastConnectedAt, tag);
  }

  String name() {
    return config.name();
  }

  /** Opens the local session and starts connecting upstream; completes once the local side is ready. */
  CompletionStage<Void> start() {
    return openSession().thenRunAsync(() -> {
      publishStatus();
      link.start();
      LOG.info("uplink {} to {}:{} ({}) as {}: {} forwards, {} subscriptions", config.name(), config.host(),
          config.port(), config.protoVer(), config.clientId(), config.forwards().size(), config.subscriptions().size());
    }, executor);
  }

  private CompletionStage<Void> openSession() {
    SessionOptions options = SessionOptions.builder()
        .cleanStart(false)
        .sessionExpiry(SESSION_EXPIRY)
        .receiveMaximum(config.maxInflight())
        .maxQueued(config.maxMessages())
        .overflow(config.overflow())
        .build();
    return context.openSession(client, options, this).thenCompose(s -> {
      session = s;
      // No Local: what this session publishes (messages from upstream) is never forwarded back;
      // retain handling 2: retained messages already here are not replayed upstream on subscribe
      List<Subscription> subs = config.forwards().stream().map(ForwardRule::filter).distinct()
          .map(f -> new Subscription(new TopicFilter(f), 2, true, true, 2, 0)).toList();
      return subs.isEmpty() ? CompletableFuture.completedFuture(List.of()) : s.subscribe(subs);
    }).thenAccept(outcomes -> {
      for (int i = 0; i < outcomes.size(); i++) {
        if (!outcomes.get(i).isGranted()) {
          LOG.warn("uplink {}: local subscription to {} refused: {}", config.name(), config.forwards().get(i).filter(),
              outcomes.get(i).failure());
        }
      }
    });
  }

  CompletionStage<Void> stop(Duration grace) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    executor.execute(() -> {
      stopping = true;
      link.stop(grace).whenCompleteAsync((v, e) -> {
        if (session != null) {
          session.close(CloseReason.NORMAL); // the session and its queue stay: they are the buffer
          session = null;
        }
        connected = false;
        done.complete(null);
      }, executor);
    });
    return done.whenComplete((v, e) -> executor.shutdown());
  }

  // ---- DeliverySink: broker → upstream --------------------------------------------------------

  @Override
  public java.util.concurrent.Executor executor() {
    return executor;
  }

  @Override
  public int credits() {
    return credits;
  }

  @Override
  public void deliver(Delivery d) {
    limiter.observed(d.message().createdAtMillis());
    Message remote = forwards.toRemote(d.message());
    if (remote == null) {
      droppedExcluded.increment(); // excluded, or a filter left over from an older config in a resumed session
      acknowledgeLocal(d.id(), d.message().qos());
    } else {
      window.add(d.id(), d.message().qos(), remote);
    }
    pump();
  }

  @Override
  public void sessionClosed(CloseReason reason) {
    session = null;
    window.clear();
    updateCredits();
    if (stopping || reason == CloseReason.SERVER_SHUTDOWN) {
      return;
    }
    LOG.warn("uplink {}: local session closed ({}), reopening", config.name(), reason);
    context.scheduler().schedule(() -> onExecutor(this::reopen), config.reconnect().min().toMillis(), TimeUnit.MILLISECONDS);
  }

  private void reopen() {
    if (stopping || session != null) {
      return;
    }
    openSession().whenComplete((v, e) -> {
      if (e != null) {
        LOG.warn("uplink {}: reopening the local session failed: {}", config.name(), e.toString());
      }
      pump();
    });
  }

  @Override
  public Map<String, Object> attributes() {
    return Map.of("upstream", config.host() + ":" + config.port(), "upstream_connected", connected, "inflight", inflight);
  }

  private void pump() {
    if (session == null) {
      updateCredits();
      return;
    }
    int budget = limiter.budget(System.nanoTime());
    List<ForwardWindow.Entry> batch = window.takeSendable(budget);
    limiter.consumed(batch.size());
    for (ForwardWindow.Entry e : batch) {
      int epoch = window.epoch();
      link.publish(e.remote()).whenCompleteAsync((ack, err) -> sent(e, epoch, ack, err), executor);
    }
    if (window.isUp() && window.hasUnsent() && limiter.catchingUp() && batch.size() >= budget && !pumpScheduled) {
      pumpScheduled = true; // out of tokens: come back when the next one is due
      context.scheduler().schedule(() -> onExecutor(() -> {
        pumpScheduled = false;
        pump();
      }), limiter.nanosUntilNext(), TimeUnit.NANOSECONDS);
    }
    updateCredits();
  }

  private void sent(ForwardWindow.Entry e, int epoch, RemoteAck ack, Throwable err) {
    if (err != null) {
      LOG.debug("uplink {}: forward to {} not confirmed, will resend: {}", config.name(), e.remote().topic(), err.toString());
      window.failed(e.seq(), epoch);
      updateCredits();
      return;
    }
    if (window.done(e.seq()) == null) {
      return; // the local session was reopened meanwhile: the broker redelivers, this id is stale
    }
    if (ack.accepted()) {
      forwarded.increment();
    } else {
      droppedRefused.increment();
      LOG.debug("uplink {}: upstream refused a message on {}: {}", config.name(), e.remote().topic(), ack.reason());
    }
    acknowledgeLocal(e.id(), e.localQos());
    pump();
  }

  private void acknowledgeLocal(io.estuary.core.api.DeliveryId id, int qos) {
    if (qos > 0 && session != null) {
      session.acknowledge(id);
    }
  }

  private void updateCredits() {
    int c = session == null ? 0 : window.room();
    if (limiter.catchingUp() && window.hasUnsent()) {
      c = 0; // rate-limited: let the broker keep the backlog
    }
    credits = c;
    inflight = window.size();
    if (c > 0 && lastCredits <= 0 && session != null) {
      session.creditsAvailable();
    }
    lastCredits = c;
  }

  // ---- LinkListener: upstream events ----------------------------------------------------------

  @Override
  public void connected() {
    onExecutor(() -> {
      if (stopping) {
        return;
      }
      long now = context.clock().millis();
      window.up();
      limiter.reconnected(now, System.nanoTime());
      connected = true;
      lastConnectedAt = now;
      LOG.info("uplink {} connected to {}:{}", config.name(), config.host(), config.port());
      publishStatus();
      pump();
    });
  }

  @Override
  public void disconnected(String reason, Duration retryIn) {
    onExecutor(() -> {
      lastError = reason;
      window.down();
      updateCredits();
      if (stopping) {
        connected = false;
        LOG.info("uplink {} disconnected from {}:{}", config.name(), config.host(), config.port());
      } else if (connected) {
        connected = false;
        lastDisconnectedAt = context.clock().millis();
        LOG.warn("uplink {} lost {}:{}: {}; buffering, retry in {}", config.name(), config.host(), config.port(), reason, retryIn);
        publishStatus();
      } else {
        LOG.debug("uplink {}: connecting to {}:{} failed: {}; retry in {}", config.name(), config.host(), config.port(), reason, retryIn);
      }
    });
  }

  @Override
  public void subscribeFailed(String filter, String reason) {
    onExecutor(() -> {
      lastError = "subscribe " + filter + ": " + reason;
      LOG.warn("uplink {}: upstream subscription {} refused: {}", config.name(), filter, reason);
    });
  }

  @Override
  public void message(Message remote, Runnable ack) {
    // on the executor already (the client delivers there)
    received.increment();
    InboundMapping.Result r = inbound.toLocal(remote);
    if (r instanceof InboundMapping.Publish p && session != null) {
      session.publish(p.local()).whenComplete((outcome, err) -> {
        if (err != null || !outcome.accepted()) {
          droppedLocal.increment();
          LOG.debug("uplink {}: local publish on {} refused: {}", config.name(), p.local().topic(), err != null ? err : outcome.status());
        }
        ack.run(); // the broker has routed it: acknowledge upstream (end-to-end QoS 1)
      });
      return;
    }
    if (r instanceof InboundMapping.OwnOrigin) {
      droppedLoop.increment();
    } else {
      droppedLocal.increment();
    }
    ack.run();
  }

  /** Runs {@code task} on the uplink's executor; after stop, late client callbacks are dropped. */
  private void onExecutor(Runnable task) {
    try {
      executor.execute(task);
    } catch (RejectedExecutionException e) {
      LOG.debug("uplink {} stopped: late callback dropped", config.name());
    }
  }

  // ---- status ---------------------------------------------------------------------------------

  UplinkStatus status() {
    return new UplinkStatus(config.name(), config.host() + ":" + config.port(), connected, inflight, limiter.catchingUp(),
        lastError, lastConnectedAt, lastDisconnectedAt, (long) forwarded.count(), (long) received.count());
  }

  private void publishStatus() {
    String topic = "$SYS/brokers/" + node + "/uplink/" + config.name() + "/status";
    Message m = Message.of(topic, Payload.utf8(status().toJson()), 0, true);
    context.publish(client, m).whenComplete((o, e) -> {
      if (e != null || (o != null && !o.accepted())) {
        LOG.debug("uplink {}: status not published: {}", config.name(), e != null ? e : o.status());
      }
    });
  }
}
