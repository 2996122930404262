package io.estuary.mqttsn.channel;

import io.estuary.api.AuthResult;
import io.estuary.api.BrokerSession;
import io.estuary.api.ClientCredentials;
import io.estuary.api.ClientInfo;
import io.estuary.api.CloseReason;
import io.estuary.api.Delivery;
import io.estuary.api.DeliverySink;
import io.estuary.api.GatewayContext;
import io.estuary.api.Message;
import io.estuary.api.Payload;
import io.estuary.api.SessionOptions;
import io.estuary.api.SessionRefusedException;
import io.estuary.api.topic.Topics;
import io.estuary.cf.PeerIdentity;
import io.estuary.api.topic.Mountpoint;
import io.estuary.mqttsn.MqttSnConfig;
import io.estuary.mqttsn.codec.MqttSnFrame.*;
import io.estuary.mqttsn.codec.MqttSnFrame;
import io.estuary.mqttsn.codec.ReturnCode;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One MQTT-SN client: the state machine of MQTT-SN 1.2 §6 between the device and its {@link
 * BrokerSession}. Frames go in through {@link #handleIn}, broker deliveries through the session's sink,
 * timer ticks through {@link #handleTimeout}; each returns the {@link Action}s it caused. Effects that
 * follow an asynchronous broker answer (CONNACK after authentication, PUBACK after routing) go to the
 * {@code outbound} consumer given at construction, unless the answer came synchronously, in which case
 * they are part of the returned list.
 *
 * <p>Thread contract: every method runs on {@code executor} (the transport's event loop), which is
 * also the executor of the session's {@link DeliverySink}; the broker's stages complete there.
 */
public final class MqttSnChannel {
  /** Where a channel is in its life (§6.14 Figure 4 for the sleep states). */
  public enum State { NEW, WAIT_WILL_TOPIC, WAIT_WILL_MSG, CONNECTING, ACTIVE, ASLEEP, AWAKE, CLOSED }

  static final String PROTOCOL = "mqttsn";
  /**
   * The protocol named in {@link ClientCredentials} for clients on a DTLS listener (as CoAP has
   * {@code coaps}): {@code authentication.passwordless_protocols} can admit DTLS-proved devices without
   * admitting plain-UDP ones.
   */
  static final String SECURE_PROTOCOL = "mqttsn-dtls";
  /** Will topics are checked as MQTT checks them, with {@code mqtt.max_topic_levels}' default. */
  static final int MAX_TOPIC_LEVELS = 128;
  /** Deliveries larger than this do not fit a UDP datagram with the 3-octet length form (§5.2.1). */
  static final int MAX_PACKET_SIZE = 65_000;
  private static final Logger log = LoggerFactory.getLogger(MqttSnChannel.class);
  private static final Logger drops = LoggerFactory.getLogger("io.estuary.mqttsn.drops");

  private final MqttSnConfig config;
  private final GatewayContext ctx;
  private final String listener;
  private final Executor executor;
  private final Consumer<List<Action>> outbound;
  private final TopicIdStore topicStore;
  private final TopicRegistry topics = new TopicRegistry();
  private final Outbound out;
  private final Inbound in;

  private Peer where;
  private PeerIdentity peerIdentity;
  private boolean identityAsUsername;
  private State state = State.NEW;
  private final long createdAt;
  private long lastSeen;
  private int generation;
  private String clientId = "";
  private Mountpoint mountpoint = Mountpoint.NONE;
  private Connect pendingConnect;
  private WillTopic pendingWillTopic;
  private String willTopic;
  private int willQos;
  private boolean willRetain;
  private Payload willPayload = Payload.EMPTY;
  private BrokerSession session;
  /** Opened by the broker, waiting for the stored topic ids before CONNACK. */
  private BrokerSession opening;
  private Duration keepAlive = Duration.ZERO;
  private Duration sleepDuration = Duration.ZERO;
  private long sleepDeadline;
  private boolean wakeDrained;
  /** The client stopped answering (keepalive, missed wake-up, retries exhausted): §6.14 "lost". */
  private boolean lost;
  // listing mirrors, written on the channel's thread at the end of each step, read by any thread
  private volatile String stateMirror = "connecting";
  private volatile int heldMirror;
  private volatile BrokerSession sessionMirror;

  private final List<Action> collected = new ArrayList<>();
  private int depth;

  public MqttSnChannel(MqttSnConfig config, GatewayContext ctx, String listener, InetSocketAddress peer,
      Executor executor, Consumer<List<Action>> outbound, TopicIdStore topicStore) {
    this(config, ctx, listener, Peer.direct(peer), executor, outbound, topicStore);
  }

  /** A client at {@code where}: directly attached, or behind a forwarder (§5.5). */
  public MqttSnChannel(MqttSnConfig config, GatewayContext ctx, String listener, Peer where,
      Executor executor, Consumer<List<Action>> outbound, TopicIdStore topicStore) {
    this.config = config;
    this.topicStore = topicStore;
    this.ctx = ctx;
    this.listener = listener;
    this.where = where;
    this.executor = executor;
    this.outbound = outbound;
    this.createdAt = ctx.clock().millis();
    this.lastSeen = createdAt;
    this.out = new Outbound(this);
    this.in = new Inbound(this);
  }

  public State state() {
    return state;
  }

  public String clientId() {
    return clientId;
  }

  public InetSocketAddress peer() {
    return where.address();
  }

  /** The address and, behind a forwarder, the wireless node id. */
  public Peer where() {
    return where;
  }

  /** The client showed up from another address, port or forwarder (§6.14 wake-up, or a new CONNECT). */
  public void moveTo(Peer newPeer) {
    if (!newPeer.equals(where)) {
      log.debug("mqttsn client {} moved from {} to {}", clientId, where, newPeer);
      where = newPeer;
    }
  }

  /**
   * The DTLS peer identity (PSK identity, certificate CN, RPK name) of the current datagrams, or null on
   * plain UDP; with {@code asUsername} it becomes the session's username ({@code identity_as = username}).
   */
  public void peerIdentity(PeerIdentity identity, boolean asUsername) {
    peerIdentity = identity;
    identityAsUsername = asUsername;
  }

  /** The DTLS-proved identity ({@code psk:…}, {@code x509:…}, {@code rpk:…}) of the client, or null on plain UDP. */
  public String authIdentity() {
    return peerIdentity == null ? null : peerIdentity.authIdentity();
  }

  // ------------------------------------------------------------------ entry points

  public List<Action> handleIn(MqttSnFrame frame) {
    return run(() -> {
      lastSeen = now();
      onFrame(frame);
    });
  }

  public List<Action> handleDeliver(int gen, Delivery delivery) {
    return run(() -> {
      if (gen == generation && state != State.CLOSED) {
        out.deliver(delivery);
      }
    });
  }

  public List<Action> handleSessionClosed(int gen, CloseReason reason) {
    return run(() -> {
      if (gen != generation || (session == null && opening == null)) {
        return;
      }
      log.debug("mqttsn client {} session closed by the broker: {}", clientId, reason);
      session = null;
      opening = null;
      send(Disconnect.plain());
      finish();
    });
  }

  /**
   * When {@link #handleTimeout} has something to do at the earliest (epoch millis, the context's
   * clock); cheap and allocation-free, so the timer tick can skip the idle majority of a large fleet.
   */
  public long nextDeadline() {
    return switch (state) {
      case NEW, WAIT_WILL_TOPIC, WAIT_WILL_MSG, CONNECTING -> createdAt + config.idleTimeout().toMillis() + 1;
      case ACTIVE, AWAKE -> {
        long retry = out.nextRetryAt(config.retryInterval().toMillis());
        long keepalive = keepAlive.isZero() ? Long.MAX_VALUE
            : lastSeen + (long) (keepAlive.toMillis() * config.keepaliveMultiplier()) + 1;
        yield Math.min(retry, keepalive);
      }
      case ASLEEP -> sleepDeadline + 1;
      case CLOSED -> Long.MAX_VALUE;
    };
  }

  /** Checks keepalive, sleep, handshake and retry deadlines against the context's clock. */
  public List<Action> handleTimeout() {
    return run(() -> {
      long now = now();
      switch (state) {
        case NEW, WAIT_WILL_TOPIC, WAIT_WILL_MSG, CONNECTING -> {
          if (now - createdAt > config.idleTimeout().toMillis()) {
            drop("handshake_timeout", "no CONNACK within idle_timeout");
            finish();
          }
        }
        case ACTIVE, AWAKE -> {
          long limit = (long) (keepAlive.toMillis() * config.keepaliveMultiplier());
          if (!keepAlive.isZero() && now - lastSeen > limit) {
            log.debug("mqttsn client {} at {}: keepalive timeout", clientId, where);
            lost = true;
            closeSession(CloseReason.KEEPALIVE_TIMEOUT);
          } else if (!out.retry(now)) {
            log.debug("mqttsn client {} at {}: no acknowledgement after {} retries", clientId, where, config.maxRetries());
            lost = true;
            closeSession(CloseReason.TRANSPORT_ERROR);
          }
        }
        case ASLEEP -> {
          if (now > sleepDeadline) {
            log.debug("mqttsn client {}: missed its wake-up deadline", clientId);
            lost = true;
            closeSession(CloseReason.SLEEP_TIMEOUT); // §6.14: the client is lost, its will goes out
          }
        }
        case CLOSED -> { }
      }
    });
  }

  /** The gateway is stopping: close the session without a will. */
  public List<Action> shutdown() {
    return run(() -> {
      if (session != null) {
        send(Disconnect.plain());
      }
      closeSession(CloseReason.SERVER_SHUTDOWN);
    });
  }

  /** The client is gone without a goodbye (another client took its address): close, no datagram. */
  public List<Action> abandon(CloseReason reason) {
    return run(() -> closeSession(reason));
  }

  /**
   * The client's state as the listing names it (MQTT-SN 1.2 §6.14 Figure 4): {@code active},
   * {@code asleep}, {@code awake}, {@code lost}; {@code connecting} before CONNACK and
   * {@code disconnected} after a DISCONNECT, a take-over or a shutdown.
   */
  public String clientState() {
    return switch (state) {
      case NEW, WAIT_WILL_TOPIC, WAIT_WILL_MSG, CONNECTING -> "connecting";
      case ACTIVE -> "active";
      case ASLEEP -> "asleep";
      case AWAKE -> "awake";
      case CLOSED -> lost ? "lost" : "disconnected";
    };
  }

  /**
   * For listings ({@link DeliverySink#attributes()}), thread-safe: {@code state} (see {@link
   * #clientState()}), {@code buffered} (messages waiting for the client: queued by the broker while it
   * sleeps plus those the gateway holds until a REGACK or SUBACK) and {@code topic_ids} (name → id).
   */
  public Map<String, Object> attributes() {
    BrokerSession s = sessionMirror;
    int buffered = heldMirror + (s == null ? 0 : s.queued());
    return Map.of("state", stateMirror, "buffered", buffered, "topic_ids", topics.snapshot());
  }

  // ------------------------------------------------------------------ dispatch

  private void onFrame(MqttSnFrame f) {
    if (f instanceof Connect c) {
      onConnect(c);
    } else if (f instanceof WillTopic w) {
      onWillTopic(w);
    } else if (f instanceof WillMsg m) {
      onWillMsg(m);
    } else if (f instanceof PingReq p) {
      onPingReq(p);
    } else if (f instanceof Disconnect d) {
      onDisconnect(d);
    } else if (session == null) {
      if (f instanceof Publish p && p.qos() == -1) {
        publishQosMinusOne(p);
      } else {
        drop("not_connected", f.getClass().getSimpleName());
      }
    } else if (f instanceof Publish p) {
      in.onPublish(p);
    } else if (f instanceof Pubrel r) {
      in.onPubrel(r);
    } else if (f instanceof Register r) {
      in.onRegister(r);
    } else if (f instanceof Regack r) {
      out.onRegack(r);
    } else if (f instanceof Puback a) {
      out.onPuback(a);
    } else if (f instanceof Pubrec r) {
      out.onPubrec(r);
    } else if (f instanceof Pubcomp c) {
      out.onPubcomp(c);
    } else if (f instanceof Subscribe s) {
      in.onSubscribe(s);
    } else if (f instanceof Unsubscribe u) {
      in.onUnsubscribe(u);
    } else if (f instanceof WillTopicUpd w) {
      onWillTopicUpd(w);
    } else if (f instanceof WillMsgUpd m) {
      onWillMsgUpd(m);
    } else {
      drop("unexpected", f.getClass().getSimpleName());
    }
  }

  // ------------------------------------------------------------------ connect (§6.2, §6.3)

  private void onConnect(Connect c) {
    if (state == State.CONNECTING && pendingConnect != null && pendingConnect.equals(c)) {
      return; // a retransmitted CONNECT while the broker is still answering
    }
    if (c.clientId().isEmpty()) {
      drop("bad_connect", "empty client id"); // §5.3.1: 1..23 characters
      send(new Connack(ReturnCode.REJECTED_NOT_SUPPORTED));
      finish();
      return;
    }
    if (session != null) { // a re-CONNECT (e.g. a sleeping client returning to active, §6.14)
      session.close(CloseReason.NORMAL);
      session = null;
    }
    if (opening != null) {
      opening.close(CloseReason.NORMAL);
      opening = null;
    }
    generation++;
    out.reset();
    lost = false;
    clientId = c.clientId();
    mountpoint = Mountpoint.of(config.mountpoint(), clientId);
    pendingConnect = c;
    keepAlive = Duration.ofSeconds(c.durationSeconds());
    willTopic = null;
    willPayload = Payload.EMPTY;
    if (c.cleanSession()) {
      topics.clear();
    }
    if (c.will()) {
      state = State.WAIT_WILL_TOPIC;
      send(new WillTopicReq());
    } else {
      authenticate();
    }
  }

  private void onWillTopic(WillTopic w) {
    if (state != State.WAIT_WILL_TOPIC) {
      drop("unexpected", "WILLTOPIC");
    } else if (w.isEmpty()) {
      authenticate(); // §5.4.7: an empty WILLTOPIC means no will
    } else if (badWillTopic(w.topic())) {
      send(new Connack(ReturnCode.REJECTED_INVALID_TOPIC_ID));
      finish();
    } else {
      pendingWillTopic = w;
      state = State.WAIT_WILL_MSG;
      send(new WillMsgReq());
    }
  }

  private void onWillMsg(WillMsg m) {
    if (state != State.WAIT_WILL_MSG) {
      drop("unexpected", "WILLMSG");
      return;
    }
    willTopic = pendingWillTopic.topic();
    willQos = pendingWillTopic.qos();
    willRetain = pendingWillTopic.retain();
    willPayload = m.message();
    authenticate();
  }

  /** A will topic MQTT would refuse (wildcards, NUL, too long, too many levels): dropped and true. */
  private boolean badWillTopic(String topic) {
    String why = Topics.checkName(mountpoint.mountTopic(topic), MAX_TOPIC_LEVELS);
    if (why == null && topic.indexOf('\uFFFD') < 0) {
      return false;
    }
    drop("bad_will_topic", "will topic '" + topic + "': " + (why == null ? "not UTF-8" : why));
    return true;
  }

  private void authenticate() {
    state = State.CONNECTING;
    int gen = generation;
    ClientCredentials credentials = new ClientCredentials(clientId, username(), null,
        peerIdentity == null ? PROTOCOL : SECURE_PROTOCOL, where.address(), peerIdentity == null ? null : peerIdentity.name());
    ctx.authenticate(credentials).whenCompleteAsync((auth, err) -> emitAll(run(() -> onAuth(gen, auth, err))), executor);
  }

  private void onAuth(int gen, AuthResult auth, Throwable err) {
    if (gen != generation || state != State.CONNECTING) {
      return;
    }
    if (err != null || auth == null || !auth.isAllowed()) {
      drop("not_authorized", "CONNECT not authenticated: " + (err != null ? err.toString() : auth));
      send(new Connack(ReturnCode.REJECTED_NOT_SUPPORTED)); // MQTT-SN 1.2 has no "not authorized" code
      finish();
      return;
    }
    Connect c = pendingConnect;
    SessionOptions options = SessionOptions.builder()
        .cleanStart(c.cleanSession())
        .sessionExpiry(c.cleanSession() ? Duration.ZERO : config.sessionExpiry())
        .keepAlive(keepAlive)
        .will(will())
        .receiveMaximum(config.maxInflight())
        .maxPacketSize(MAX_PACKET_SIZE)
        .build();
    ClientInfo info = new ClientInfo(clientId, username(), PROTOCOL, listener, where.address(), mountpoint.prefix(),
        authIdentity());
    ctx.openSession(info, options, new Sink(gen))
        .whenComplete((s, e) -> emitAll(run(() -> onOpened(gen, s, e))));
  }

  private void onOpened(int gen, BrokerSession s, Throwable err) {
    if (gen != generation || state != State.CONNECTING) {
      if (s != null && state == State.CLOSED) {
        s.close(CloseReason.NORMAL);
      }
      return;
    }
    if (err != null || s == null) {
      SessionRefusedException refused = SessionRefusedException.of(err);
      if (refused != null) {
        // MQTT-SN 1.2 §5.3.10 has no "bad client id" or "not authorized": 0x03 "not supported" says the
        // request will never be accepted as it is; 0x01 "congestion" says try later (UNAVAILABLE only)
        drop("session_refused_" + refused.reason().name().toLowerCase(java.util.Locale.ROOT), refused.getMessage());
        send(new Connack(refused.reason() == SessionRefusedException.Reason.UNAVAILABLE
            ? ReturnCode.REJECTED_CONGESTION : ReturnCode.REJECTED_NOT_SUPPORTED));
      } else {
        log.debug("mqttsn client {} at {}: session not opened: {}", clientId, where, String.valueOf(err));
        send(new Connack(ReturnCode.REJECTED_CONGESTION));
      }
      finish();
      return;
    }
    if (pendingConnect.cleanSession()) {
      topics.detach(); // ids die with the connection: nothing to store
      if (!s.sessionPresent()) {
        topics.clear();
      }
      accepted(s);
      return;
    }
    // ids outlive the connection with the session (DESIGN: storage); the core says whether it resumed
    topics.attach(topicStore, clientId);
    if (!s.sessionPresent()) {
      topics.clear();
      topicStore.replace(clientId, Map.of());
      accepted(s);
    } else if (topics.size() > 0) { // the channel kept its table across a re-CONNECT: the store follows it
      topicStore.replace(clientId, topics.table());
      accepted(s);
    } else { // a gateway restart: read the ids on the store's executor, CONNACK once they are back here
      opening = s;
      topicStore.load(clientId).whenCompleteAsync(whileCurrent((stored, e) -> {
        if (opening != s) {
          return;
        }
        opening = null;
        if (e != null) {
          drop("topic_store_failed", "stored topic ids unreadable: " + e);
        } else {
          topics.load(stored);
        }
        accepted(s);
      }), executor);
    }
  }

  private void accepted(BrokerSession s) {
    session = s;
    state = State.ACTIVE;
    pendingConnect = null;
    send(new Connack(ReturnCode.ACCEPTED));
    out.releaseHeld();
  }

  private String username() {
    // MQTT-SN carries neither username nor password: the client id doubles as the username, so that
    // authentication.users (with passwordless_protocols) and ACL rules can name devices; a DTLS listener
    // with identity_as = username uses the PSK identity / certificate CN instead
    return identityAsUsername && peerIdentity != null ? peerIdentity.name() : clientId;
  }

  private Message will() {
    return willTopic == null ? null : Message.of(mountpoint.mountTopic(willTopic), willPayload, willQos, willRetain);
  }

  // ------------------------------------------------------------------ QoS -1 (§6.8)

  private void publishQosMinusOne(Publish p) {
    if (!config.enableQos3()) {
      drop("qos3_disabled", "QoS -1 PUBLISH");
      return;
    }
    if (p.retain() && !config.qosNeg1Retain()) {
      drop("qos3_retain", "QoS -1 PUBLISH with retain (qos_neg1_retain = false)");
      return;
    }
    Message m = ConnectionlessPublisher.message(config, p);
    if (m == null) {
      drop("unknown_topic", "QoS -1 PUBLISH to an unknown topic");
      return;
    }
    ctx.publish(ConnectionlessPublisher.publisher(config, listener, where.address()), m);
  }

  // ------------------------------------------------------------------ will updates (§6.4)

  private void onWillTopicUpd(WillTopicUpd w) {
    if (!w.isEmpty() && badWillTopic(w.topic())) {
      send(new WillTopicResp(ReturnCode.REJECTED_INVALID_TOPIC_ID)); // the previous will stays
      return;
    }
    if (w.isEmpty()) {
      willTopic = null;
      willPayload = Payload.EMPTY;
    } else {
      willTopic = w.topic();
      willQos = w.qos();
      willRetain = w.retain();
    }
    session.updateWill(will());
    send(new WillTopicResp(ReturnCode.ACCEPTED));
  }

  private void onWillMsgUpd(WillMsgUpd m) {
    willPayload = m.message();
    if (willTopic != null) {
      session.updateWill(will());
    }
    send(new WillMsgResp(ReturnCode.ACCEPTED));
  }

  // ------------------------------------------------------------------ ping, disconnect, sleep (§6.12, §6.14)

  private void onPingReq(PingReq p) {
    switch (state) {
      case ASLEEP -> {
        state = State.AWAKE; // §6.14: flush what was buffered, then PINGRESP
        wakeDrained = false;
        int gen = generation;
        out.releaseHeld();
        session.wake().whenComplete((v, e) -> emitAll(run(() -> {
          if (gen == generation && state == State.AWAKE && e == null) {
            wakeDrained = true;
            checkAwakeDone();
          }
        })));
      }
      case ACTIVE, AWAKE -> send(new PingResp());
      default -> drop("not_connected", "PINGREQ");
    }
  }

  private void onDisconnect(Disconnect d) {
    if (session == null) {
      send(Disconnect.plain());
      finish();
      return;
    }
    if (d.durationSeconds().isPresent() && d.durationSeconds().getAsInt() > 0) {
      sleepDuration = Duration.ofSeconds(d.durationSeconds().getAsInt());
      send(Disconnect.plain()); // §6.14: acknowledged with a DISCONNECT without duration
      goToSleep();
      return;
    }
    send(Disconnect.plain());
    closeSession(CloseReason.NORMAL);
  }

  private void goToSleep() {
    state = State.ASLEEP;
    sleepDeadline = now() + (long) (sleepDuration.toMillis() * config.keepaliveMultiplier());
    session.sleep(); // the deadline above is ours: the broker only queues (BrokerSession#sleep)
  }

  /**
   * After a wake-up, sends PINGRESP and puts the client back to sleep once the broker's queue is
   * drained (the stage of {@code wake()}) and nothing of ours is still registering or in flight.
   */
  void checkAwakeDone() {
    if (state == State.AWAKE && wakeDrained && out.idle()) {
      send(new PingResp());
      goToSleep();
    }
  }

  // ------------------------------------------------------------------ helpers

  Outbound outbound() {
    return out;
  }

  /**
   * Wraps a callback for a broker stage: it runs with its actions collected and emitted, and only if
   * the client has not reconnected or closed in the meantime.
   */
  <T> BiConsumer<T, Throwable> whileCurrent(BiConsumer<T, Throwable> body) {
    int gen = generation;
    return (v, e) -> emitAll(run(() -> {
      if (gen == generation) {
        body.accept(v, e);
      }
    }));
  }

  BrokerSession session() {
    return session;
  }

  TopicRegistry topics() {
    return topics;
  }

  MqttSnConfig config() {
    return config;
  }

  Mountpoint mountpoint() {
    return mountpoint;
  }

  boolean awake() {
    return state == State.AWAKE;
  }

  boolean asleep() {
    return state == State.ASLEEP;
  }

  long now() {
    return ctx.clock().millis();
  }

  void send(MqttSnFrame frame) {
    emit(new Action.Send(where.address(), where.wrap(frame)));
  }

  void closeSession(CloseReason reason) {
    if (opening != null) {
      opening.close(reason);
      opening = null;
    }
    if (session != null) {
      BrokerSession s = session;
      session = null;
      finish();
      stateMirror = clientState(); // the core keeps our last attributes ("lost") for the listing
      s.close(reason);
    }
    finish();
  }

  private void finish() {
    if (state != State.CLOSED) {
      state = State.CLOSED;
      generation++;
      out.reset();
      emit(new Action.Close(clientId));
    }
  }

  void drop(String reason, String what) {
    drops.debug("mqttsn client {} at {}: dropped {} ({})", clientId, where, what, reason);
    ctx.metrics().counter("drops", "reason", reason).increment();
  }

  private void emit(Action a) {
    if (depth > 0) {
      collected.add(a);
    } else {
      outbound.accept(List.of(a));
    }
  }

  private void emitAll(List<Action> actions) {
    if (!actions.isEmpty()) {
      outbound.accept(actions);
    }
  }

  private List<Action> run(Runnable r) {
    depth++;
    try {
      r.run();
    } finally {
      depth--;
    }
    if (depth > 0) {
      return List.of();
    }
    stateMirror = clientState();
    heldMirror = out.buffered();
    sessionMirror = session;
    if (collected.isEmpty()) {
      return List.of();
    }
    List<Action> result = List.copyOf(collected);
    collected.clear();
    return result;
  }

  /** The session's sink: one per opened session, so a stale session's calls are recognised. */
  private final class Sink implements DeliverySink {
    private final int gen;

    Sink(int gen) {
      this.gen = gen;
    }

    @Override
    public Executor executor() {
      return executor;
    }

    @Override
    public int credits() {
      return Integer.MAX_VALUE; // UDP has no back-pressure; the inflight window bounds QoS 1/2
    }

    @Override
    public void deliver(Delivery delivery) {
      emitAll(handleDeliver(gen, delivery));
    }

    @Override
    public void sessionClosed(CloseReason reason) {
      emitAll(handleSessionClosed(gen, reason));
    }

    @Override
    public Map<String, Object> attributes() {
      return MqttSnChannel.this.attributes();
    }
  }

  /** The generation a sink must present (tests deliver through it). */
  public int generation() {
    return generation;
  }
}
