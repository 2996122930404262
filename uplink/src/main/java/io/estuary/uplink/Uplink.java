package io.estuary.uplink;

import io.estuary.api.BrokerSession;
import io.estuary.api.ClientInfo;
import io.estuary.api.CloseReason;
import io.estuary.api.Delivery;
import io.estuary.api.DeliveryId;
import io.estuary.api.DeliverySink;
import io.estuary.api.GatewayContext;
import io.estuary.api.Message;
import io.estuary.api.Metrics;
import io.estuary.api.QueuePolicy;
import io.estuary.api.SessionOptions;
import io.estuary.api.Subscription;
import io.estuary.api.TopicFilter;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
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
  private static final Logger DROPS = LoggerFactory.getLogger("io.estuary.uplink.drops");
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
  private final StatusPublisher statusPublisher;
  private final UplinkCounters counters;

  // executor-confined (session is volatile only so that the backlog gauge can read it)
  private volatile BrokerSession session;
  private boolean stopping;
  private boolean pumpScheduled;
  private int lastCredits;
  private ScheduledFuture<?> statusTicker;

  // mirrors for credits(), gauges and status
  private volatile int credits;
  private volatile boolean connected;
  private volatile int inflight;
  private volatile String lastError = "";
  private volatile long lastConnectedAt;
  private volatile long lastDisconnectedAt;

  /** Upstream answers, handed over from the client's threads and settled in batches on the executor. */
  private record Settled(ForwardWindow.Entry entry, int epoch, RemoteAck ack, Throwable error) {}

  private final ConcurrentLinkedQueue<Settled> settled = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean settleScheduled = new AtomicBoolean();

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
    this.statusPublisher = new StatusPublisher(context, client, node, config.name(), this::status);
    Metrics m = context.metrics();
    String[] tag = {"uplink", config.name()};
    counters = UplinkCounters.register(m, config.name());
    m.gauge("connected", () -> connected ? 1 : 0, tag);
    m.gauge("inflight", () -> inflight, tag);
    m.gauge("catching_up", () -> limiter.catchingUp() ? 1 : 0, tag);
    m.gauge("last_connected_at", () -> lastConnectedAt, tag);
    m.gauge("backlog", this::backlog, tag);
    m.gauge("backlog_bytes", this::backlogBytes, tag);
  }

  String name() {
    return config.name();
  }

  /** Opens the local session and starts connecting upstream; completes once the local side is ready. */
  CompletionStage<Void> start() {
    return openSession().thenRunAsync(() -> {
      publishStatus();
      long every = config.statusInterval().toMillis();
      statusTicker = context.scheduler().scheduleAtFixedRate(() -> onExecutor(this::statusTick), every, every, TimeUnit.MILLISECONDS);
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
        .queue(new QueuePolicy(config.maxMessages(), config.maxBytes(), config.maxAge(), config.overflow()))
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
      if (statusTicker != null) {
        statusTicker.cancel(false);
      }
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
    take(d);
    flushAcks();
    pump();
  }

  /** A drain's worth of deliveries: into the window together, then one pump (one burst of publishes). */
  @Override
  public void deliver(List<Delivery> deliveries) {
    for (Delivery d : deliveries) {
      take(d);
    }
    flushAcks();
    pump();
  }

  private void take(Delivery d) {
    limiter.observed(d.message().createdAtMillis());
    Message remote = forwards.toRemote(d.message());
    if (remote == null) {
      counters.droppedExcluded().increment(); // excluded, or a filter left over from an older config in a resumed session
      acknowledgeLocal(d.id(), d.message().qos());
    } else if (remote == ForwardMapping.INVALID_TOPIC) {
      counters.droppedInvalidTopic().increment(); // e.g. ${clientid} of a client id with '+' or '#'
      DROPS.debug("uplink {}: no valid upstream topic for {} from {}", config.name(), d.message().topic(), d.message().publisher());
      acknowledgeLocal(d.id(), d.message().qos());
    } else {
      window.add(d.id(), d.message().qos(), remote);
    }
  }

  @Override
  public void sessionClosed(CloseReason reason) {
    pendingAcks.clear();
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
      link.publish(e.remote()).whenComplete((ack, err) -> settled(new Settled(e, epoch, ack, err)));
    }
    if (window.isUp() && window.hasUnsent() && limiter.limiting() && batch.size() >= budget && !pumpScheduled) {
      pumpScheduled = true; // out of tokens: come back when the next one is due
      context.scheduler().schedule(() -> onExecutor(() -> {
        pumpScheduled = false;
        pump();
      }), limiter.nanosUntilNext(), TimeUnit.NANOSECONDS);
    }
    updateCredits();
    checkDrained();
    publishStatusOnChange();
  }

  /** Catch-up ends once nothing waits: the session queue is empty and the window sent everything. */
  private void checkDrained() {
    BrokerSession s = session;
    if (limiter.catchingUp() && window.isUp() && s != null && !window.hasUnsent() && s.queued() == 0) {
      limiter.drained();
      updateCredits();
    }
  }

  /**
   * On a client thread: queue the answer and make sure one settle task is scheduled. Under load many
   * answers share one executor task and one pump instead of one each.
   */
  private void settled(Settled s) {
    settled.add(s);
    if (settleScheduled.compareAndSet(false, true)) {
      onExecutor(this::settleAll);
    }
  }

  private void settleAll() {
    settleScheduled.set(false); // before polling: an answer added from now on schedules another run
    boolean any = false;
    for (Settled s; (s = settled.poll()) != null; ) {
      any |= sent(s.entry(), s.epoch(), s.ack(), s.error());
    }
    updateCredits(); // before the acknowledgements: the drain they trigger reads the room they freed
    flushAcks(); // one hop to the session for the whole batch
    if (any) {
      pump();
      wakeBroker();
    } else {
      updateCredits();
    }
  }

  /**
   * The broker reads {@link #credits()} once per drain and then stops until it hears from us; it
   * drains again on its own only for a new message or a local acknowledgement (QoS 1/2). Deliveries
   * it sent against a credit reading may be settled without the credits ever reaching 0 here (fast
   * QoS 0 forwards), so "credits went from 0 to positive" alone would leave a queue standing still.
   * After room was freed, tell the broker whenever messages still wait.
   */
  private void wakeBroker() {
    BrokerSession s = session;
    if (credits > 0 && s != null && s.queued() > 0) {
      s.creditsAvailable();
    }
  }

  /** Settles one upstream answer; true when the entry left the window (room for more). */
  private boolean sent(ForwardWindow.Entry e, int epoch, RemoteAck ack, Throwable err) {
    if (err != null) {
      LOG.debug("uplink {}: forward to {} not confirmed, will resend: {}", config.name(), e.remote().topic(), err.toString());
      window.failed(e.seq(), epoch);
      return false;
    }
    if (window.done(e.seq()) == null) {
      return false; // the local session was reopened meanwhile: the broker redelivers, this id is stale
    }
    if (ack.accepted()) {
      counters.forwarded().increment();
    } else {
      counters.droppedRefused().increment();
      LOG.debug("uplink {}: upstream refused a message on {}: {}", config.name(), e.remote().topic(), ack.reason());
    }
    acknowledgeLocal(e.id(), e.localQos());
    return true;
  }

  /** Local acknowledgements collected during one executor task, sent to the session together. */
  private final List<DeliveryId> pendingAcks = new ArrayList<>();

  private void acknowledgeLocal(DeliveryId id, int qos) {
    if (qos > 0 && session != null) {
      pendingAcks.add(id);
    }
  }

  private void flushAcks() {
    BrokerSession s = session;
    if (!pendingAcks.isEmpty()) {
      if (s != null) {
        s.acknowledge(pendingAcks);
      }
      pendingAcks.clear();
    }
  }

  private void updateCredits() {
    int c = session == null ? 0 : window.room();
    if (limiter.limiting() && window.hasUnsent()) {
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
      pump(); // publishes the status (connected, and whether a backlog is being drained)
      publishStatusOnChange();
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
        limiter.drained(); // a new catch-up starts at the next connect
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
    counters.received().increment();
    InboundMapping.Result r = inbound.toLocal(remote);
    if (r instanceof InboundMapping.Publish p && session != null) {
      session.publish(p.local()).whenComplete((outcome, err) -> {
        if (err != null || !outcome.accepted()) {
          counters.droppedLocal().increment();
          LOG.debug("uplink {}: local publish on {} refused: {}", config.name(), p.local().topic(), err != null ? err : outcome.status());
        }
        ack.run(); // the broker has routed it: acknowledge upstream (end-to-end QoS 1)
      });
      return;
    }
    if (r instanceof InboundMapping.OwnOrigin) {
      counters.droppedLoop().increment();
    } else {
      counters.droppedLocal().increment();
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

  /** Messages waiting in the local session's queue (the buffer), not counting {@code inflight}. */
  int backlog() {
    BrokerSession s = session;
    return s == null ? 0 : s.queued();
  }

  /** Bytes (payload + topic) of the messages in the buffer, from the session's counter. */
  long backlogBytes() {
    BrokerSession s = session;
    return s == null ? 0 : s.queuedBytes();
  }

  UplinkStatus status() {
    return new UplinkStatus(config.name(), config.host() + ":" + config.port(), connected, inflight, backlog(), backlogBytes(),
        limiter.catchingUp(), lastError, lastConnectedAt, lastDisconnectedAt, (long) counters.forwarded().count(), (long) counters.received().count());
  }

  /**
   * Every {@code status_interval}: ends a catch-up whose backlog drained without new traffic, and
   * republishes the status while messages wait (once more when the backlog reaches zero).
   */
  private void statusTick() {
    if (stopping) {
      return;
    }
    checkDrained();
    wakeBroker(); // a safety net: no missed wake-up can stall the buffer longer than one interval
    statusPublisher.tick(backlog(), connected, limiter.catchingUp());
  }

  private void publishStatusOnChange() {
    statusPublisher.publishOnChange(connected, limiter.catchingUp());
  }

  private void publishStatus() {
    statusPublisher.publish();
  }
}
