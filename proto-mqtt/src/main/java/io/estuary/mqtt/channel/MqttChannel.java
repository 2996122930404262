package io.estuary.mqtt.channel;

import io.estuary.api.topic.Mountpoint;
import io.estuary.api.topic.Topics;
import io.estuary.api.AuthResult;
import io.estuary.api.BrokerSession;
import io.estuary.api.ClientCredentials;
import io.estuary.api.ClientInfo;
import io.estuary.api.CloseReason;
import io.estuary.api.Delivery;
import io.estuary.api.DeliveryId;
import io.estuary.api.DeliverySink;
import io.estuary.api.GatewayContext;
import io.estuary.api.Message;
import io.estuary.api.MessageProperties;
import io.estuary.api.PublishOutcome;
import io.estuary.api.SessionRefusedException;
import io.estuary.api.SubscribeOutcome;
import io.estuary.api.Subscription;
import io.estuary.api.TopicFilter;
import io.estuary.mqtt.MqttListenerConfig;
import io.estuary.mqtt.MqttListenerLimits;
import io.estuary.mqtt.codec.FrameError;
import io.estuary.mqtt.codec.MqttFrame;
import io.estuary.mqtt.codec.MqttFrame.ConnAck;
import io.estuary.mqtt.codec.MqttFrame.Connect;
import io.estuary.mqtt.codec.MqttFrame.Disconnect;
import io.estuary.mqtt.codec.MqttFrame.PubAck;
import io.estuary.mqtt.codec.MqttFrame.PubComp;
import io.estuary.mqtt.codec.MqttFrame.PubRec;
import io.estuary.mqtt.codec.MqttFrame.PubRel;
import io.estuary.mqtt.codec.MqttFrame.Publish;
import io.estuary.mqtt.codec.MqttFrame.ServerProperties;
import io.estuary.mqtt.codec.MqttFrame.SubAck;
import io.estuary.mqtt.codec.MqttFrame.Subscribe;
import io.estuary.mqtt.codec.MqttFrame.TopicRequest;
import io.estuary.mqtt.codec.MqttFrame.UnsubAck;
import io.estuary.mqtt.codec.MqttFrame.Unsubscribe;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One MQTT 3.1/3.1.1/5 connection: the state machine between the client's packets and its {@link
 * BrokerSession}. Packets go in through {@link #handleIn}, decoder failures through {@link
 * #handleFrameError}, the read-idle timer through {@link #handleTimeout}, broker deliveries through the
 * {@link DeliverySink} methods; what the transport must do comes out as {@link Action}s on the {@code
 * actions} consumer, in order. No sockets: tests feed frames and read the actions.
 *
 * <p>Thread contract: every method runs on {@code executor} (the connection's event loop), which is
 * also this sink's executor, so the broker's stages (open, publish, subscribe) complete there; the
 * authenticator's answer is handed back to it. Only {@link #credits()} and {@link #attributes()} are
 * read from other threads (volatile fields).
 */
public final class MqttChannel implements DeliverySink {
  /** Where a connection is in its life. */
  public enum State { AWAIT_CONNECT, CONNECTING, CONNECTED, CLOSED }

  static final String PROTOCOL = "mqtt";
  private static final Logger LOG = LoggerFactory.getLogger(MqttChannel.class);
  private static final Logger DROPS = LoggerFactory.getLogger("io.estuary.mqtt.drops");
  private static final Action CLOSE = new Action.Close();
  private static final Action FLUSH = new Action.Flush();
  /** Packets pipelined behind the CONNECT that are kept until the session is open; at this many reading pauses. */
  static final int EARLY_PAUSE = 32;
  /** ... and beyond this many (already-read bytes still decode after the pause) the connection is a protocol error. */
  static final int EARLY_MAX = 256;

  private final GatewayContext context;
  private final MqttListenerLimits limits;
  private final MqttListenerConfig listener;
  private final MqttListenerMetrics metrics;
  private final Executor executor;
  private final InetSocketAddress peer;
  private final Consumer<Action> actions;
  private final TopicAliases aliases;
  /** PUBACK/PUBCOMP ids of the current read burst, reported together by {@link #handleReadComplete}. */
  private final List<DeliveryId> pendingAcks = new ArrayList<>();
  /** Packets received while CONNECTING (MQTT 5 §3.1.4: a client need not wait for the CONNACK); bounded by EARLY_MAX. */
  private final java.util.ArrayDeque<MqttFrame> early = new java.util.ArrayDeque<>();
  private boolean earlyPaused;
  /** Inside {@link #deliver(List)}: packets are written without a flush, one {@link Action.Flush} ends the batch. */
  private boolean batching;

  private State state = State.AWAIT_CONNECT;
  private volatile int version = 4;
  private String clientId;
  private BrokerSession session;
  private CloseReason closeReason = CloseReason.TRANSPORT_ERROR;
  private volatile boolean writable = true;
  /** The listener was at {@code max_connections} when this connection was accepted: its CONNECT gets 0x97. */
  private boolean overQuota;
  /** QoS 1/2 publishes handed to the session and not answered yet; reading pauses at the receive maximum. */
  private int publishesPending;
  private boolean readingPaused;

  public MqttChannel(GatewayContext context, MqttListenerLimits limits, MqttListenerConfig listener, MqttListenerMetrics metrics,
      Executor executor, InetSocketAddress peer, Consumer<Action> actions) {
    this.context = context;
    this.limits = limits;
    this.aliases = new TopicAliases(limits.maxPacketSize()); // what one packet may hold anyway
    this.listener = listener;
    this.metrics = metrics;
    this.executor = executor;
    this.peer = peer;
    this.actions = actions;
  }

  /**
   * Marks a connection accepted beyond the listener's {@code max_connections}: its CONNECT is answered with
   * CONNACK 0x97 quota exceeded (3.1.1: 0x03 server unavailable) and the connection is closed.
   */
  public void refuseForQuota() {
    overQuota = true;
  }

  /** The receive maximum announced to MQTT 5 clients, also the QoS 1/2 window of 3.1.1 publishers. */
  private int receiveMaximum() {
    return limits.maxAwaitingRel() == 0 ? 65535 : Math.min(65535, limits.maxAwaitingRel());
  }

  public State state() {
    return state;
  }

  public String clientId() {
    return clientId;
  }

  private boolean v5() {
    return version == 5;
  }

  /** {@code code} in MQTT 5, 0 (success, the only code 3.1.1 has) before. */
  private int ifV5(int code) {
    return v5() ? code : 0;
  }

  private void send(MqttFrame f) {
    actions.accept(new Action.Send(f, !batching));
  }

  private void drop(String what) {
    DROPS.debug("{} {} {}: {}", listener.id(), clientId, peer, what);
  }

  // ---- inbound --------------------------------------------------------------------------------

  /** One decoded packet from the client. */
  public void handleIn(MqttFrame frame) {
    if (state == State.CLOSED) {
      return;
    }
    if (frame instanceof PubAck a && state == State.CONNECTED) {
      pendingAcks.add(new DeliveryId(a.packetId())); // reported in one hop at the end of the read burst
      return;
    }
    if (frame instanceof PubComp c && state == State.CONNECTED) {
      pendingAcks.add(new DeliveryId(c.packetId()));
      return;
    }
    flushAcks(); // whatever comes next (PUBREC, DISCONNECT...) reaches the session after the acks before it
    if (state != State.CONNECTED) {
      if (frame instanceof Connect c && state == State.AWAIT_CONNECT) {
        onConnect(c);
      } else if (state == State.CONNECTING) {
        keepEarly(frame);
      } else {
        drop("packet before CONNECT completed: " + frame.getClass().getSimpleName());
        closeNow(CloseReason.PROTOCOL_ERROR);
      }
      return;
    }
    if (frame instanceof Publish p) {
      onPublish(p);
    } else if (frame instanceof PubRec r) {
      session.received(new DeliveryId(r.packetId()));
      send(new PubRel(r.packetId(), 0));
    } else if (frame instanceof PubRel r) {
      boolean known = session.releaseKey(r.packetId());
      send(new PubComp(r.packetId(), known ? 0 : ifV5(0x92))); // 0x92 packet identifier not found
    } else if (frame instanceof Subscribe s) {
      onSubscribe(s);
    } else if (frame instanceof Unsubscribe u) {
      onUnsubscribe(u);
    } else if (frame instanceof MqttFrame.PingReq) {
      send(new MqttFrame.PingResp());
    } else if (frame instanceof Disconnect d) {
      onDisconnect(d);
    } else if (frame instanceof Connect) {
      drop("second CONNECT");
      disconnect(0x82, CloseReason.PROTOCOL_ERROR); // MQTT 5 §3.1.0-2: protocol error
    } else {
      drop("unexpected packet " + frame);
      disconnect(0x82, CloseReason.PROTOCOL_ERROR);
    }
  }

  /**
   * A packet that arrived behind the CONNECT while the session is being opened: kept, in order, and handled
   * once the CONNACK is out ({@link #replayEarly}); dropped if the CONNECT is refused (MQTT-3.1.4-6).
   */
  private void keepEarly(MqttFrame frame) {
    if (early.size() >= EARLY_MAX) {
      drop("more than " + EARLY_MAX + " packets before the CONNACK");
      early.clear();
      closeNow(CloseReason.PROTOCOL_ERROR);
      return;
    }
    early.add(frame);
    if (early.size() >= EARLY_PAUSE && !earlyPaused) {
      earlyPaused = true;
      actions.accept(new Action.Reading(false));
    }
  }

  private void replayEarly() {
    while (!early.isEmpty() && state == State.CONNECTED) {
      handleIn(early.poll());
    }
    early.clear();
    flushAcks();
    if (earlyPaused) {
      earlyPaused = false;
      if (!readingPaused && state == State.CONNECTED) {
        actions.accept(new Action.Reading(true));
      }
    }
  }

  /**
   * The transport has handed over every packet of one read: the PUBACKs and PUBCOMPs of the burst go to
   * the session in one {@link BrokerSession#acknowledge(List)} (one task on the session instead of one per
   * packet).
   */
  public void handleReadComplete() {
    flushAcks();
  }

  private void flushAcks() {
    if (pendingAcks.isEmpty()) {
      return;
    }
    if (session != null && state == State.CONNECTED) {
      session.acknowledge(pendingAcks.size() == 1 ? List.of(pendingAcks.get(0)) : List.copyOf(pendingAcks));
    }
    pendingAcks.clear();
  }

  /** A packet the decoder could not read. */
  public void handleFrameError(FrameError error) {
    flushAcks();
    metrics.malformed.increment();
    drop("malformed packet: " + error.detail());
    if (state == State.AWAIT_CONNECT) {
      switch (error.kind()) {
        case UNACCEPTABLE_PROTOCOL_VERSION -> connAckAndClose(0x01, 0x84);
        case IDENTIFIER_REJECTED -> connAckAndClose(0x02, 0x85);
        default -> closeNow(CloseReason.PROTOCOL_ERROR);
      }
      return;
    }
    disconnect(error.kind() == FrameError.Kind.TOO_LARGE ? 0x95 : 0x81, CloseReason.PROTOCOL_ERROR);
  }

  // ---- CONNECT --------------------------------------------------------------------------------

  private void onConnect(Connect c) {
    version = c.version();
    if (overQuota) {
      drop("listener at max_connections " + listener.maxConnections());
      connAckAndClose(0x03, 0x97); // quota exceeded (3.1.1: server unavailable)
      return;
    }
    ConnectCheck.Result result = ConnectCheck.check(c, limits, listener.mountpoint());
    if (result instanceof ConnectCheck.Refused r) {
      connAckAndClose(r.v3Code(), r.v5Code());
      return;
    }
    ConnectCheck.Accepted a = (ConnectCheck.Accepted) result;
    clientId = a.clientId();
    aliases.clientMaximum(a.clientTopicAliasMax());
    state = State.CONNECTING;
    ClientInfo info = new ClientInfo(a.clientId(), c.username(), PROTOCOL, listener.id(), peer, listener.mountpoint());
    context.authenticate(new ClientCredentials(a.clientId(), c.username(), c.password(), PROTOCOL, peer, null))
        .whenCompleteAsync((auth, err) -> guarded(() -> authenticated(auth, err, info, a)), executor);
  }

  private void authenticated(AuthResult auth, Throwable err, ClientInfo info, ConnectCheck.Accepted a) {
    if (err != null) {
      LOG.warn("authentication of {} failed", clientId, err);
      connAckAndClose(0x03, 0x88);
    } else if (!auth.isAllowed()) {
      DROPS.debug("{} refused: {}", clientId, auth.reason());
      metrics.authFailures.increment();
      boolean bad = auth.status() == AuthResult.Status.BAD_CREDENTIALS;
      connAckAndClose(bad ? 0x04 : 0x05, bad ? 0x86 : 0x87);
    } else if (state == State.CONNECTING) {
      context.openSession(info, a.options(), this).whenComplete((s, e) -> guarded(() -> opened(s, e, a)));
    }
  }

  private void opened(BrokerSession s, Throwable err, ConnectCheck.Accepted a) {
    if (err != null) {
      SessionRefusedException refused = SessionRefusedException.of(err);
      if (refused == null) {
        LOG.warn("{} {} {}: opening the session failed", listener.id(), clientId, peer, err);
        connAckAndClose(0x03, 0x88);
        return;
      }
      drop("session refused: " + refused.reason() + " (" + refused.getMessage() + ")");
      switch (refused.reason()) {
        case INVALID_CLIENT_ID, RESERVED_CLIENT_ID -> connAckAndClose(0x02, 0x85); // client identifier not valid
        case NOT_OWNER -> connAckAndClose(0x05, 0x87); // not authorized
        case UNAVAILABLE -> connAckAndClose(0x03, 0x88); // server unavailable
        case QUOTA_EXCEEDED -> connAckAndClose(0x03, 0x97); // quota exceeded (3.1.1: server unavailable)
      }
      return;
    }
    if (state != State.CONNECTING) { // the connection ended while the broker opened the session
      s.close(CloseReason.TRANSPORT_ERROR);
      return;
    }
    session = s;
    state = State.CONNECTED;
    ServerProperties props = null;
    if (v5()) {
      props = new ServerProperties(a.assignedId() ? clientId : null,
          receiveMaximum(),
          limits.maxTopicAlias(), limits.maxPacketSize(), limits.maxQosAllowed() < 2 ? limits.maxQosAllowed() : null,
          limits.retainAvailable(), limits.wildcardSubscription(), limits.subscriptionIdentifiers(), limits.sharedSubscription());
    }
    send(new ConnAck(0, s.sessionPresent(), props));
    // keepalive × multiplier (MQTT 3.1.1 §3.1.2.10); 0 disables it
    Duration ka = a.keepAlive();
    actions.accept(new Action.KeepAlive(ka.isZero() ? Duration.ZERO : Duration.ofMillis((long) (ka.toMillis() * limits.keepaliveMultiplier()))));
    metrics.connects.increment();
    LOG.debug("client {} connected from {} on {} (v{}, session present {})", clientId, peer, listener.id(), version, s.sessionPresent());
    replayEarly();
  }

  private void connAckAndClose(int v3Code, int v5Code) {
    early.clear(); // MQTT-3.1.4-6: nothing sent after a refused CONNECT is processed
    state = State.CLOSED;
    actions.accept(new Action.SendThenClose(new ConnAck(v5() ? v5Code : v3Code, false, null)));
  }

  // ---- PUBLISH --------------------------------------------------------------------------------

  private void onPublish(Publish p) {
    int qos = p.qos();
    if (qos == 0 && p.duplicate()) { // MQTT-3.3.1-2 (also checked on the wire by NettyFrames.violation)
      drop("DUP set on a QoS 0 PUBLISH");
      disconnect(0x81, CloseReason.PROTOCOL_ERROR);
      return;
    }
    String topic = p.topic();
    if (v5() && p.topicAlias() != null) {
      int alias = p.topicAlias();
      if (alias == 0 || alias > limits.maxTopicAlias()) {
        metrics.aliasRefused.increment();
        drop("topic alias out of range " + alias);
        disconnect(0x94, CloseReason.PROTOCOL_ERROR);
        return;
      }
      if (!topic.isEmpty() && !validTopic(topic)) { // checked before the alias table keeps it
        metrics.aliasRefused.increment();
        drop("invalid topic name '" + abbreviated(topic) + "' for topic alias " + alias);
        disconnect(0x90, CloseReason.PROTOCOL_ERROR);
        return;
      }
      if (!topic.isEmpty() && !aliases.fits(alias, topic)) {
        metrics.aliasRefused.increment();
        drop("topic aliases over " + limits.maxPacketSize() + " characters of topic names (mqtt.max_packet_size)");
        disconnect(0x97, CloseReason.PROTOCOL_ERROR); // quota exceeded
        return;
      }
      topic = aliases.inbound(alias, topic);
      if (topic == null) {
        metrics.aliasRefused.increment();
        drop("unknown topic alias " + alias);
        disconnect(0x82, CloseReason.PROTOCOL_ERROR);
        return;
      }
    }
    if (!validTopic(topic)) {
      drop("invalid topic name '" + topic + "'");
      disconnect(0x90, CloseReason.PROTOCOL_ERROR);
      return;
    }
    if (qos > limits.maxQosAllowed()) {
      disconnect(0x9B, CloseReason.PROTOCOL_ERROR);
      return;
    }
    if (p.retain() && !limits.retainAvailable()) {
      disconnect(0x9A, CloseReason.PROTOCOL_ERROR);
      return;
    }
    metrics.publishesIn.increment();
    Message msg = new Message(Mountpoint.of(listener.mountpoint()).mountTopic(topic), p.payload(), qos, p.retain(), p.properties(), 0L);
    int packetId = p.packetId();
    switch (qos) {
      case 0 -> session.publishUnanswered(msg);
      case 1 -> {
        publishStarted();
        session.publish(msg).whenComplete((o, e) -> guarded(() -> {
          publishDone();
          if (e == null && !refusedUnacknowledged(o)) {
            send(new PubAck(packetId, ifV5(ReasonCodes.publish(o))));
          }
        }));
      }
      default -> {
        publishStarted();
        session.publishOnce(packetId, msg).whenComplete((o, e) -> guarded(() -> {
          publishDone();
          if (e == null && !refusedUnacknowledged(o)) {
            send(new PubRec(packetId, ifV5(ReasonCodes.publish(o))));
          }
        }));
      }
    }
  }

  /** A topic name a client may publish to: not empty, no wildcard, valid UTF-8, within the level limit. */
  private boolean validTopic(String topic) {
    return !topic.isEmpty() && !Topics.hasWildcard(topic) && topic.indexOf('\uFFFD') < 0
        && Topics.checkName(topic, limits.maxTopicLevels()) == null;
  }

  private static String abbreviated(String topic) {
    return topic.length() <= 100 ? topic : topic.substring(0, 100) + "...";
  }

  /**
   * Backpressure on the publisher (issue #18's 3.1.1 case): with more QoS 1/2 publishes unanswered by the
   * broker than the receive maximum, the transport stops reading from the client until that is no longer so. An
   * MQTT 5 client that honours the receive maximum never gets there; a 3.1.1 client has no such window, so this is
   * what slows it down when the broker (store, session) takes its time. A client that keeps exactly the receive
   * maximum in flight is within its window and is not paused (no reading toggled for every message).
   */
  private void publishStarted() {
    if (++publishesPending > receiveMaximum() && !readingPaused) {
      readingPaused = true;
      metrics.inflightPauses.increment();
      actions.accept(new Action.Reading(false));
    }
  }

  private void publishDone() {
    publishesPending--;
    if (readingPaused && publishesPending <= receiveMaximum() && state == State.CONNECTED) {
      readingPaused = false;
      actions.accept(new Action.Reading(true));
    }
  }

  /**
   * MQTT 3.1.1 has no PUBACK/PUBREC reason code: a publish refused for quota (a full or failing store,
   * issue #13) must not be acknowledged as if stored, so the connection is closed instead (§3.3.5 allows
   * either) and the client re-sends it once it reconnects. MQTT 5 answers 0x97.
   */
  private boolean refusedUnacknowledged(PublishOutcome o) {
    if (v5() || o.status() != PublishOutcome.Status.QUOTA_EXCEEDED) {
      return false;
    }
    drop("publish refused (quota exceeded), closing the 3.1.1 connection unacknowledged");
    disconnect(0x97, CloseReason.TRANSPORT_ERROR);
    return true;
  }

  // ---- SUBSCRIBE / UNSUBSCRIBE ----------------------------------------------------------------

  private void onSubscribe(Subscribe m) {
    if (m.topics().isEmpty()) { // MQTT-3.8.3-2 (3.1.1: MQTT-3.8.3-3)
      drop("SUBSCRIBE without a topic filter");
      disconnect(0x82, CloseReason.PROTOCOL_ERROR);
      return;
    }
    for (TopicRequest t : m.topics()) {
      if (v5() && t.noLocal() && t.filter().startsWith("$share/")) { // MQTT-3.8.3-4
        drop("No Local on the shared subscription " + t.filter());
        disconnect(0x82, CloseReason.PROTOCOL_ERROR);
        return;
      }
    }
    int packetId = m.packetId();
    Integer subId = v5() ? m.subscriptionId() : null;
    List<Subscription> subs = new ArrayList<>(m.topics().size());
    for (TopicRequest t : m.topics()) {
      subs.add(new Subscription(new TopicFilter(Mountpoint.of(listener.mountpoint()).mountFilter(t.filter())), t.qos(),
          v5() && t.noLocal(), v5() && t.retainAsPublished(), v5() ? t.retainHandling() : 0, subId == null ? 0 : subId));
    }
    session.subscribe(subs).thenAccept(outcomes -> guarded(() -> {
      List<Integer> codes = new ArrayList<>(outcomes.size());
      for (SubscribeOutcome o : outcomes) {
        codes.add(o.isGranted() ? o.grantedQos() : (v5() ? ReasonCodes.subscribeFailure(o.failure()) : 0x80));
      }
      send(new SubAck(packetId, codes));
    }));
  }

  private void onUnsubscribe(Unsubscribe m) {
    if (m.filters().isEmpty()) { // MQTT-3.10.3-2 (3.1.1: MQTT-3.10.3-2)
      drop("UNSUBSCRIBE without a topic filter");
      disconnect(0x82, CloseReason.PROTOCOL_ERROR);
      return;
    }
    int packetId = m.packetId();
    List<TopicFilter> filters = new ArrayList<>(m.filters().size());
    for (String t : m.filters()) {
      filters.add(new TopicFilter(Mountpoint.of(listener.mountpoint()).mountFilter(t)));
    }
    session.unsubscribe(filters).thenAccept(had -> guarded(() -> { // 0x11: no subscription existed (MQTT 5 §3.11.3)
      List<Integer> codes = new ArrayList<>(had.size());
      had.forEach(h -> codes.add(Boolean.TRUE.equals(h) ? 0x00 : 0x11));
      send(new UnsubAck(packetId, v5() ? codes : List.of()));
    }));
  }

  private void onDisconnect(Disconnect d) {
    // MQTT 5 §3.14.2.1: 0x04 = disconnect with will message
    closeReason = v5() && d.reasonCode() == 0x04 ? CloseReason.NORMAL_WITH_WILL : CloseReason.NORMAL;
    state = State.CLOSED;
    session.close(closeReason);
    actions.accept(CLOSE);
  }

  // ---- closing --------------------------------------------------------------------------------

  /** v5: DISCONNECT with {@code reasonCode} then close; v3: just close. */
  private void disconnect(int reasonCode, CloseReason reason) {
    if (state == State.CLOSED) {
      return;
    }
    flushAcks();
    early.clear();
    closeReason = reason;
    state = State.CLOSED;
    if (session != null) {
      session.close(reason);
    }
    actions.accept(v5() ? new Action.SendThenClose(new Disconnect(reasonCode)) : CLOSE);
  }

  private void closeNow(CloseReason reason) {
    early.clear();
    flushAcks();
    closeReason = reason;
    if (session != null && state == State.CONNECTED) {
      session.close(reason);
    }
    state = State.CLOSED;
    actions.accept(CLOSE);
  }

  /** The read-idle timer fired: keepalive exceeded, or no CONNECT within {@code mqtt.idle_timeout}. */
  public void handleTimeout() {
    drop(state == State.CONNECTED ? "keepalive timeout" : "no CONNECT in time");
    if (state == State.AWAIT_CONNECT) {
      metrics.connectTimeouts.increment();
    }
    if (state == State.CONNECTED) {
      disconnect(0x8D, CloseReason.KEEPALIVE_TIMEOUT); // MQTT 5 0x8D keep alive timeout
    } else {
      closeNow(CloseReason.KEEPALIVE_TIMEOUT); // also ends a closing connection whose last write is stuck
    }
  }

  /** The transport can (or cannot) take more writes. */
  public void handleWritable(boolean nowWritable) {
    writable = nowWritable;
    if (nowWritable && session != null && state == State.CONNECTED) {
      session.creditsAvailable();
    }
  }

  /** The connection is gone (peer closed, or our close completed). */
  public void handleClosed() {
    flushAcks();
    if (session != null && state == State.CONNECTED) {
      session.close(closeReason);
    }
    state = State.CLOSED;
  }

  /** The transport failed (reset, TLS error): close without a packet. */
  public void handleTransportError(Throwable cause) {
    DROPS.debug("{} {} {}: connection error {}", listener.id(), clientId, peer, cause.toString());
    closeNow(CloseReason.TRANSPORT_ERROR);
  }

  /** The adapter stops: MQTT 5 clients get DISCONNECT 0x8B "server shutting down", every session SERVER_SHUTDOWN. */
  public void handleShutdown() {
    if (state == State.CONNECTED) {
      disconnect(0x8B, CloseReason.SERVER_SHUTDOWN);
    } else if (state != State.CLOSED) {
      closeNow(CloseReason.SERVER_SHUTDOWN);
    }
  }

  /**
   * An exception from the listener's own code while handling this connection: a bug, never device
   * input. Counted ({@code mqtt.errors{reason=internal}}), logged, and the connection is closed.
   */
  public void handleInternalError(Throwable t) {
    metrics.internalErrors.increment();
    LOG.warn("{} {} {}: internal error, closing the connection", listener.id(), clientId, peer, t);
    if (state != State.CLOSED) {
      closeNow(CloseReason.TRANSPORT_ERROR);
    }
  }

  /** Runs a continuation of a broker stage; an exception in it would otherwise vanish in the stage. */
  private void guarded(Runnable r) {
    try {
      r.run();
    } catch (RuntimeException e) {
      handleInternalError(e);
    }
  }

  // ---- DeliverySink ---------------------------------------------------------------------------

  @Override
  public Executor executor() {
    return executor;
  }

  @Override
  public int credits() {
    return writable ? Integer.MAX_VALUE : 0;
  }

  @Override
  public void deliver(Delivery d) {
    if (state != State.CONNECTED) {
      return;
    }
    try {
      if (d.releasePending()) {
        send(new PubRel((int) d.id().value(), 0));
        return;
      }
      Message m = d.message();
      String topic = Mountpoint.of(listener.mountpoint()).unmount(m.topic());
      Integer alias = null;
      if (v5()) {
        Integer known = aliases.outboundKnown(topic);
        if (known != null) { // MQTT 5 §3.3.2.3.4: a known alias goes without the topic name
          alias = known;
          topic = "";
        } else {
          alias = aliases.outboundAssign(topic);
        }
      }
      metrics.publishesOut.increment();
      send(new Publish(topic, (int) d.id().value(), m.qos(), m.retain(), d.duplicate(), m.payload(),
          v5() ? m.properties() : MessageProperties.NONE, alias, v5() ? d.subscriptionIds() : List.of()));
    } catch (RuntimeException e) {
      handleInternalError(e);
    }
  }

  /** A drain's deliveries, in order: written one by one, flushed once (one write to the socket per batch). */
  @Override
  public void deliver(List<Delivery> deliveries) {
    batching = true;
    try {
      for (Delivery d : deliveries) {
        deliver(d);
      }
    } finally {
      batching = false;
      actions.accept(FLUSH); // also after a failure mid-batch: what was written goes out
    }
  }

  @Override
  public void sessionClosed(CloseReason reason) {
    int code = switch (reason) {
      case TAKEN_OVER -> 0x8E;
      case SERVER_SHUTDOWN -> 0x8B;
      case ADMIN_KICK -> 0x98;
      default -> 0x80;
    };
    session = null; // the broker already detached this connection
    disconnect(code, reason);
  }

  @Override
  public Map<String, Object> attributes() {
    return Map.of("listener", listener.id(), "proto_ver", version);
  }
}
