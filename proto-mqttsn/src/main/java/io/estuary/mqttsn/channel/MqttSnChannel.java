package io.estuary.mqttsn.channel;

import io.estuary.api.BrokerSession;
import io.estuary.api.CloseReason;
import io.estuary.api.Delivery;
import io.estuary.api.DeliverySink;
import io.estuary.api.GatewayContext;
import io.estuary.api.PacketTrace;
import io.estuary.api.limits.TokenBucket;
import io.estuary.api.topic.Mountpoint;
import io.estuary.cf.PeerIdentity;
import io.estuary.mqttsn.MqttSnConfig;
import io.estuary.mqttsn.MqttSnLimits;
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
 * <p>The channel keeps what every phase shares (state, generation, client id, session, peer) and
 * dispatches frames to its phases: {@link Handshake} (CONNECT, will, CONNACK), {@link SleepCycle} (PINGREQ,
 * DISCONNECT, sleep), {@link Inbound} (the client's requests) and {@link Outbound} (deliveries).
 *
 * <p>Thread contract: every method runs on {@code executor} (the transport's event loop), which is
 * also the executor of the session's {@link DeliverySink}; the broker's stages complete there. The phase
 * objects and {@link TopicRegistry} are owned by the same thread; only {@link #attributes()} is read from
 * others, through volatile mirrors.
 */
public final class MqttSnChannel {
  /** Where a channel is in its life (§6.14 Figure 4 for the sleep states). */
  public enum State { NEW, WAIT_WILL_TOPIC, WAIT_WILL_MSG, CONNECTING, ACTIVE, ASLEEP, AWAKE, CLOSED }

  static final String PROTOCOL = "mqttsn";
  private static final Logger log = LoggerFactory.getLogger(MqttSnChannel.class);
  private static final Logger drops = LoggerFactory.getLogger("io.estuary.mqttsn.drops");

  private final MqttSnConfig config;
  private final GatewayContext ctx;
  private final String listener;
  private final Consumer<List<Action>> outbound;
  private final TopicRegistry topics;
  private final Outbound out;
  private final Inbound in;
  private final Handshake handshake;
  private final SleepCycle sleep;
  private final EchoProof proof;

  private Peer where;
  private PeerIdentity peerIdentity;
  private boolean identityAsUsername;
  private State state = State.NEW;
  private final long createdAt;
  private long lastSeen;
  private int generation;
  private String clientId = "";
  private Mountpoint mountpoint = Mountpoint.NONE;
  private BrokerSession session;
  private Duration keepAlive = Duration.ZERO;
  /** The client stopped answering (keepalive, missed wake-up, retries exhausted): §6.14 "lost". */
  private boolean lost;
  // listing mirrors, written on the channel's thread at the end of each step, read by any thread
  private volatile String stateMirror = "connecting";
  private volatile int heldMirror;
  private volatile long keepAliveMirror;
  /** A listing shows at most this many of a client's topic ids (topic_ids_cnt counts them all). */
  static final int LISTED_TOPIC_IDS = 100;
  private volatile BrokerSession sessionMirror;

  /** messages_rate and bytes_rate of the client's PUBLISHes; null while unlimited (the default). */
  private TokenBucket messagesIn;
  private TokenBucket bytesIn;
  /** QoS 0 bytes sent since the client was last heard (max_unanswered_bytes). */
  private long unanswered;
  /**
   * Half-open (plain UDP, issue #13): connected from a new address and not heard since its CONNECT, so
   * nothing shows the address receives our answers; until {@link #unprovenUntil}.
   */
  private boolean unproven;
  private long unprovenUntil;
  /** Dropped while half-open: a session the broker opens afterwards is discarded, not kept. */
  private boolean droppedUnproven;

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
    this.ctx = ctx;
    this.listener = listener;
    this.where = where;
    this.outbound = outbound;
    this.topics = new TopicRegistry(config.limits().maxTopicIds());
    this.createdAt = ctx.clock().millis();
    this.lastSeen = createdAt;
    this.out = new Outbound(this);
    this.in = new Inbound(this);
    this.handshake = new Handshake(this, config, ctx, listener, executor, topicStore);
    this.sleep = new SleepCycle(this, config);
    this.proof = new EchoProof(this, ctx, listener);
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
    return handleIn(frame, 0);
  }

  /** A frame that arrived in a datagram of {@code size} bytes (0 when not known: bytes_rate skips it). */
  public List<Action> handleIn(MqttSnFrame frame, int size) {
    PacketTrace t = ctx.trace(frame instanceof Connect c && !c.clientId().isEmpty() ? c.clientId() : clientId);
    if (t != null) {
      t.in(FrameSummary.of(frame));
    }
    return run(() -> {
      lastSeen = now();
      unanswered = 0; // heard again: the QoS 0 budget refills
      if (frame instanceof Publish && session != null && !withinRates(size)) {
        return;
      }
      proof.onFrame(frame, session);
      onFrame(frame);
    });
  }

  /** Whether a PUBLISH of {@code size} bytes is within the client's messages_rate and bytes_rate. */
  private boolean withinRates(int size) {
    MqttSnLimits limits = config.limits();
    if (messagesIn == null && !limits.messagesRate().isInfinite()) {
      messagesIn = new TokenBucket(limits.messagesRate(), () -> ctx.clock().millis() * 1_000_000L);
    }
    if (bytesIn == null && !limits.bytesRate().isInfinite()) {
      bytesIn = new TokenBucket(limits.bytesRate(), () -> ctx.clock().millis() * 1_000_000L);
    }
    if (messagesIn != null && !messagesIn.tryAcquire(1)) {
      limit("messages_rate", "PUBLISH over messages_rate " + limits.messagesRate());
      return false;
    }
    if (bytesIn != null && size > 0 && !bytesIn.tryAcquire(size)) {
      limit("bytes_rate", "PUBLISH of " + size + " bytes over bytes_rate " + limits.bytesRate());
      return false;
    }
    return true;
  }

  /**
   * Whether {@code bytes} more QoS 0 bytes may go to the client before it is heard again
   * (max_unanswered_bytes); counts them when they may.
   */
  boolean spendUnanswered(int bytes) {
    if (unanswered + bytes > config.limits().maxUnansweredBytes()) {
      return false;
    }
    unanswered += bytes;
    return true;
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
      if (gen != generation || (session == null && !handshake.opening())) {
        return;
      }
      log.debug("mqttsn client {} session closed by the broker: {}", clientId, reason);
      session = null;
      topics.expiresAt(now() + config.sessionExpiry().toMillis());
      handshake.forgetOpening();
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
      case ASLEEP -> sleep.deadline() + 1;
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
          if (now > sleep.deadline()) {
            log.debug("mqttsn client {}: missed its wake-up deadline", clientId);
            lost = true;
            closeSession(CloseReason.SLEEP_TIMEOUT); // §6.14: lost, its will goes out (unproven: see EchoProof)
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
   * sleeps plus those the gateway holds until a REGACK or SUBACK), {@code keepalive} (seconds, as
   * granted), {@code topic_ids_cnt} and {@code topic_ids} (name → id, the lowest {@value
   * #LISTED_TOPIC_IDS} ids).
   */
  public Map<String, Object> attributes() {
    BrokerSession s = sessionMirror;
    int buffered = heldMirror + (s == null ? 0 : s.queued());
    return Map.of("state", stateMirror, "buffered", buffered, "keepalive", keepAliveMirror,
        "topic_ids_cnt", topics.count(), "topic_ids", topics.snapshot(LISTED_TOPIC_IDS));
  }

  // ------------------------------------------------------------------ half-open (issue #13)

  /** The channel is half-open until {@code deadline} (clock millis): its client must send a second datagram. */
  public void markUnproven(long deadline) {
    unproven = true;
    unprovenUntil = deadline;
  }

  /**
   * The client must echo a topic id or message id the gateway chose at random ({@link EchoProof}), or a persistent
   * session its CONNECT created is discarded when the connection ends without DISCONNECT; {@code random} maps a
   * bound to 0..bound-1 (a secure generator: the ids are the nonce).
   */
  /** A SUBSCRIBE of this connection was granted (see {@link EchoProof#discards}). */
  void subscribed() {
    proof.subscribed();
  }

  public void requireEchoProof(java.util.function.IntUnaryOperator random) {
    requireEchoProof(random, EchoProof.KeptOffline.UNBOUNDED);
  }

  /** As {@link #requireEchoProof(java.util.function.IntUnaryOperator)}, with the listener's kept-offline table. */
  void requireEchoProof(java.util.function.IntUnaryOperator random, EchoProof.KeptOffline keptOffline) {
    proof.require(random, keptOffline);
  }

  /** Whether the client echoed a value of ours, or was never asked to ({@link #requireEchoProof}). */
  public boolean echoProven() {
    return proof.proven();
  }

  /** The broker accepted a CONNECT asking for a persistent session (or not). */
  void persistentSession(boolean persistent) {
    proof.persistent(persistent);
  }

  /** Whether the dispatcher counts this channel to {@code max_unproven} (in its set; owned by its thread). */
  boolean countedUnproven;

  /** Whether the channel is half-open (see {@link #markUnproven}). */
  public boolean unproven() {
    return unproven;
  }

  public long unprovenUntil() {
    return unprovenUntil;
  }

  /** The client sent a datagram after its CONNECT: its address receives, the channel is an ordinary one. */
  public void prove() {
    unproven = false;
  }

  /**
   * Whether the CONNECT resumed a session that existed before (the broker said session present): the
   * half-open timeout does not apply to it, its keepalive does.
   */
  public boolean resumedSession() {
    return (session != null && session.sessionPresent()) || handshake.opening();
  }

  /**
   * The half-open timeout passed without a second datagram: the channel closes without a datagram and the
   * session this CONNECT created is discarded, persistent or not (a spoofed {@code clean = 0} CONNECT must
   * not stay in the store nor come back at restart), with its stored topic ids.
   */
  public List<Action> dropUnproven() {
    return run(() -> {
      unproven = false;
      droppedUnproven = true;
      handshake.closeOpening(CloseReason.TRANSPORT_ERROR); // a resumed session still loading: kept, not orphaned
      BrokerSession s = session;
      session = null;
      topics.forget();
      finish();
      if (s != null) {
        if (s.sessionPresent()) {
          s.close(CloseReason.TRANSPORT_ERROR); // not expected (resumed sessions leave the table): keep it
        } else {
          s.discard();
        }
      }
    });
  }

  /** Whether the channel was dropped half-open (a late session must be discarded). */
  boolean droppedUnproven() {
    return droppedUnproven;
  }

  // ------------------------------------------------------------------ dispatch

  private void onFrame(MqttSnFrame f) {
    if (f instanceof Connect c) {
      handshake.onConnect(c);
    } else if (f instanceof WillTopic w) {
      handshake.onWillTopic(w);
    } else if (f instanceof WillMsg m) {
      handshake.onWillMsg(m);
    } else if (f instanceof PingReq p) {
      sleep.onPingReq(p);
    } else if (f instanceof Disconnect d) {
      sleep.onDisconnect(d);
    } else if (session == null) {
      if (f instanceof Publish p && p.qos() == -1) {
        in.publishWithoutConnection(p);
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
      handshake.onWillTopicUpd(w);
    } else if (f instanceof WillMsgUpd m) {
      handshake.onWillMsgUpd(m);
    } else {
      drop("unexpected", f.getClass().getSimpleName());
    }
  }

  // ------------------------------------------------------------------ phase hooks (package-private)

  /** A new CONNECT (§6.2): ends the previous session, if any, and starts a new generation. */
  void restart(String newClientId, Duration newKeepAlive) {
    if (session != null) { // a re-CONNECT (e.g. a sleeping client returning to active, §6.14)
      BrokerSession s = session;
      session = null;
      // as a plain DISCONNECT: an unproven client's new session that holds nothing (or has no place among
      // max_unproven) goes, or the CONNECT would resume it and a blind spoofer's second CONNECT would get a
      // "resumed" session that is never counted nor discarded
      if (goesUnproven(s, CloseReason.NORMAL)) {
        topics.forget();
        s.discard();
      } else {
        s.close(CloseReason.NORMAL);
      }
    }
    proof.restart();
    handshake.closeOpening(CloseReason.NORMAL);
    generation++;
    out.reset();
    lost = false;
    clientId = newClientId;
    mountpoint = Mountpoint.of(config.mountpoint(), clientId);
    keepAlive = newKeepAlive;
    keepAliveMirror = newKeepAlive.toSeconds();
  }

  /** The broker accepted the session: CONNACK, then what was held for the client (§6.2). */
  void accepted(BrokerSession s) {
    session = s;
    state = State.ACTIVE;
    send(new Connack(ReturnCode.ACCEPTED));
    out.releaseHeld();
  }

  void enter(State next) {
    state = next;
  }

  Duration keepAlive() {
    return keepAlive;
  }

  PeerIdentity peerIdentity() {
    return peerIdentity;
  }

  String username() {
    // MQTT-SN carries neither username nor password: the client id doubles as the username, so that
    // authentication.users (with passwordless_protocols) and ACL rules can name devices; a DTLS listener
    // with identity_as = username uses the PSK identity / certificate CN instead
    return identityAsUsername && peerIdentity != null ? peerIdentity.name() : clientId;
  }

  void checkAwakeDone() {
    sleep.checkAwakeDone();
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
    return (v, e) -> step(() -> {
      if (gen == generation) {
        body.accept(v, e);
      }
    });
  }

  /** Runs one step outside an entry point (a broker stage's callback): its actions are emitted. */
  void step(Runnable body) {
    emitAll(run(body));
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

  GatewayContext context() {
    return ctx;
  }

  String listener() {
    return listener;
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
    PacketTrace t = ctx.trace(clientId);
    if (t != null) {
      t.out(FrameSummary.of(frame));
    }
    emit(new Action.Send(where.address(), where.wrap(frame)));
  }

  void closeSession(CloseReason reason) {
    handshake.closeOpening(reason);
    if (session != null) {
      BrokerSession s = session;
      session = null;
      if (goesUnproven(s, reason)) { // never proved its address: not kept offline (issue #13)
        topics.forget();
        finish();
        stateMirror = clientState();
        s.discard();
        return;
      }
      topics.expiresAt(now() + config.sessionExpiry().toMillis()); // only for a persistent session's ids
      finish();
      stateMirror = clientState(); // the core keeps our last attributes ("lost") for the listing
      s.close(reason);
    }
    finish();
  }

  /**
   * Whether {@code s}, ending for {@code reason}, is an unproven client's new persistent session that goes instead of
   * staying offline ({@link EchoProof#discards}, or no place left among {@code max_unproven}); counted when it does.
   */
  private boolean goesUnproven(BrokerSession s, CloseReason reason) {
    if (proof.discards(s, reason)) {
      drop("unproven_session", "persistent session of a client that never echoed a topic or message id, " + reason);
      return true;
    }
    if (proof.overKeptOffline(clientId, s, reason)) {
      limit("max_unproven", "persistent session of a client that never proved its address not kept offline: "
          + "max_unproven such sessions are");
      return true;
    }
    return false;
  }

  void finish() {
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

  /** A configured limit refused or dropped something: counted under its key, logged at most once a second. */
  void limit(String reason, String what) {
    ctx.metrics().counter("drops", "reason", reason).increment();
    Refusals.log(reason, () -> "client " + clientId + " at " + where + ": " + what);
  }

  private void emit(Action a) {
    if (depth > 0) {
      collected.add(a);
    } else {
      outbound.accept(List.of(a));
    }
  }

  void emitAll(List<Action> actions) {
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

  /** The generation a sink must present (tests deliver through it). */
  public int generation() {
    return generation;
  }
}
