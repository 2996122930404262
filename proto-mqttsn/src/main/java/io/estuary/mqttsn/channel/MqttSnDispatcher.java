package io.estuary.mqttsn.channel;

import io.estuary.cf.IdentityAs;
import io.estuary.cf.PeerIdentity;
import io.estuary.api.CloseReason;
import io.estuary.api.GatewayContext;
import io.estuary.api.Message;
import io.estuary.api.Metrics;
import io.estuary.api.Payload;
import io.estuary.mqttsn.MqttSnConfig;
import io.estuary.mqttsn.MqttSnLimits;
import io.estuary.mqttsn.codec.MqttSnFrame;
import io.estuary.mqttsn.codec.MqttSnFrame.*;
import io.estuary.mqttsn.codec.ReturnCode;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The clients of one listener: finds the channel for a datagram, answers SEARCHGW (§6.1) and routes
 * connectionless QoS -1 publishes. Channels are keyed by client id and address. A client that is
 * connected (or still connecting) never moves to another address: a CONNECT carrying its client id from
 * elsewhere gets CONNACK 0x01 (the id is busy; a device that really moved retries once the old channel is
 * lost), a PINGREQ a DISCONNECT (no connection here); both are counted as {@code address_in_use}. A
 * sleeping client may wake up (PINGREQ with its client id) or reconnect from a new address or port only on
 * a listener with {@code wakeup_from_new_address} (NAT rebinding after a long sleep), and over DTLS only
 * with the DTLS identity it connected with. On a DTLS listener with {@code identity_as = clientid} the peer's identity is the client id:
 * a CONNECT with an empty client id gets it, a CONNECT or wake-up PINGREQ naming another client id is
 * refused. A client behind a forwarder (§5.5, encapsulated messages) is keyed by the forwarder's address
 * and its wireless node id, and everything sent to it goes back encapsulated.
 *
 * <p>Limits (issue #13, docs/mqttsn.md "Limits"): datagrams over a source's {@code source_datagram_rate}
 * are dropped before decoding; a CONNECT over {@code source_conn_rate} or the listener's {@code
 * max_conn_rate}, or one that would open a channel beyond {@code max_connections} or a forwarder's
 * {@code max_forwarder_nodes}, gets CONNACK 0x01 "congestion"; encapsulated messages from a forwarder not
 * in {@code forwarders.allow} are dropped. Each is counted in {@code mqttsn.drops{reason=<key>}}.
 *
 * <p>Half-open channels (plain UDP listeners with {@code half_open_timeout} > 0, like a TCP SYN backlog):
 * a CONNECT from an address without a channel is answered as before, but the channel stays <em>half-open</em>
 * until the client sends a message that makes sense for its session ({@link HalfOpenProof}: REGISTER, SUBSCRIBE,
 * PINGREQ, a PUBLISH to a topic it can name, ...), which shows that the address receives our answers. At most
 * {@code max_half_open} channels are half-open; a CONNECT from a new address beyond gets CONNACK
 * congestion ({@code half_open_full}). A half-open channel not heard within the timeout is closed without a
 * datagram and the session its CONNECT created is discarded ({@code half_open_timeout}; at most {@code
 * max_half_open} of them per timeout, so a backlog a flood filled at once drains evenly instead of freeing every place,
 * and admitting as many new sessions, in the same moment), as when a CONNECT of
 * another client id from its address replaces it ({@code mqttsn.half_open.replaced}); a CONNECT that
 * resumed an existing persistent session leaves the table as soon as the broker says so. A client behind a
 * forwarder is half-open per node (forwarder address and wireless node id): the node's own next message
 * proves it. A promoted client whose client must still echo a value of ours ({@link EchoProof}) counts to
 * {@code max_unproven} until it does; beyond, the oldest such client is closed and its new session discarded
 * ({@link #awaitEcho}). Owned by the transport's event loop.
 */
public final class MqttSnDispatcher {
  private static final Logger drops = LoggerFactory.getLogger("io.estuary.mqttsn.drops");

  private final MqttSnConfig config;
  private final GatewayContext ctx;
  private final String listener;
  private final Executor executor;
  private final Consumer<List<Action>> transport;
  private final TopicIdStore topicIds;
  private final IdentityAs identityAs;
  private final Map<Peer, MqttSnChannel> byAddress = new HashMap<>();
  private final Map<String, MqttSnChannel> byClientId = new HashMap<>();
  /** The directly attached channels of {@link #byAddress} by bare address: the per-datagram check allocates nothing. */
  private final Map<InetSocketAddress, MqttSnChannel> direct = new java.util.concurrent.ConcurrentHashMap<>();
  private final Map<String, Metrics.Counter> dropCounters = new java.util.concurrent.ConcurrentHashMap<>();
  /** The drops a flood makes most of, resolved once (no lookup by tag per datagram). */
  private final Metrics.Counter noSession;
  private final Metrics.Counter malformed;
  private final Metrics.Counter unknownAnswerRate;
  private final ListenerGuard guard;
  private final HalfOpenProof proof;
  private final Metrics.Counter halfOpenReplaced;
  /** Channels per forwarder address (clients behind a forwarder, §5.5). */
  private final Map<InetSocketAddress, Integer> forwarderNodes = new HashMap<>();
  private long lastRefusalLog = Long.MIN_VALUE / 2;
  /** Half-open channels, oldest (first to time out) first; empty unless {@link #halfOpenTimeout} > 0. */
  private final LinkedHashSet<MqttSnChannel> halfOpen = new LinkedHashSet<>();
  /** Plain UDP with half_open_timeout > 0: millis a new client has for its second datagram; else 0. */
  private final long halfOpenTimeout;
  private volatile int halfOpenMirror;
  /** Plain UDP with half-open tracking and discard_unproven_sessions: new clients must echo a random id. */
  private final boolean discardUnproven;
  /**
   * Promoted channels (no longer half-open) whose client has not echoed a value of ours yet and whose session is
   * not one it resumed, oldest promotion first: at most {@code max_unproven}, the oldest closed beyond.
   */
  private final LinkedHashSet<MqttSnChannel> unverified = new LinkedHashSet<>();
  private volatile int unverifiedMirror;
  /**
   * The places of unproven persistent sessions (created by a CONNECT here, never proven) that a plain DISCONNECT or
   * the shutdown kept offline: at most {@code max_unproven}, stored, freed when their sessions go. Null unless
   * {@link #discardUnproven}.
   */
  private final OfflinePlaces offline;
  /** The key-value space of the kept-offline places (stored as {@code mqttsn-unproven-offline}). */
  public static final String PLACES = "unproven-offline";
  /** Draws where an unproven client's first topic id and msg id start: the nonce MQTT-SN has no field for. */
  private final java.security.SecureRandom nonces = new java.security.SecureRandom();
  /** Told when an address gets its first channel and loses its last (the transport's connected sockets). */
  private AddressWatcher addresses = AddressWatcher.NONE;
  /** The addresses {@link #addresses} was told of (attached and not yet detached). */
  private final java.util.Set<InetSocketAddress> watched = new java.util.HashSet<>();
  private Metrics.Counter portUnreachable;

  /** A plain UDP listener's dispatcher. */
  public MqttSnDispatcher(MqttSnConfig config, GatewayContext ctx, String listener, Executor executor,
      Consumer<List<Action>> transport, TopicIdStore topicIds) {
    this(config, ctx, listener, executor, transport, topicIds, IdentityAs.NONE);
  }

  /** A DTLS listener's dispatcher: {@code identityAs} says what the peer identity becomes. */
  public MqttSnDispatcher(MqttSnConfig config, GatewayContext ctx, String listener, Executor executor,
      Consumer<List<Action>> transport, TopicIdStore topicIds, IdentityAs identityAs) {
    this.config = config;
    this.ctx = ctx;
    this.listener = listener;
    this.executor = executor;
    this.transport = transport;
    this.topicIds = topicIds;
    this.identityAs = identityAs;
    this.guard = new ListenerGuard(config.limits().listener(listener), ctx, listener);
    this.noSession = dropCounter("no_session");
    this.malformed = dropCounter("malformed");
    this.unknownAnswerRate = dropCounter("unknown_answer_rate");
    for (String screened : new String[] {"half_open_full", "max_conn_rate", "source_conn_rate"}) {
      dropCounter(screened); // resolved once: screenConnect looks them up without allocating
    }
    this.proof = new HalfOpenProof(ctx, listener);
    this.halfOpenReplaced = ctx.metrics().counter("half_open.replaced", "listener", listener);
    MqttSnLimits.ListenerLimits limits = guard.limits();
    this.halfOpenTimeout = identityAs == IdentityAs.NONE && listener.startsWith("udp:") && limits.halfOpen()
        ? Math.max(1, limits.halfOpenTimeout().toMillis()) : 0;
    if (halfOpenTimeout > 0) {
      ctx.metrics().gauge("half_open", () -> halfOpenMirror, "listener", listener);
    }
    this.discardUnproven = halfOpenTimeout > 0 && limits.discardUnprovenSessions();
    this.offline = discardUnproven ? new OfflinePlaces(ctx, listener, executor, ctx.keyValueSpace(PLACES),
        limits.maxUnproven(), config.sessionExpiry()) : null;
    if (discardUnproven) {
      ctx.metrics().gauge("unproven", () -> unverifiedMirror, "listener", listener);
      ctx.metrics().gauge("unproven_offline", offline::size, "listener", listener);
      dropCounter("max_unproven");
    }
  }

  /**
   * Whether a datagram from {@code from} is within its source's {@code source_datagram_rate}; the
   * transport asks before decoding and drops (counted) what is not. Thread-safe (asked on the listener socket's loop).
   */
  public boolean admitDatagram(InetSocketAddress from) {
    if (guard.admitDatagram(from.getAddress())) {
      return true;
    }
    limit(Peer.direct(from), "source_datagram_rate", () -> "datagram over source_datagram_rate "
        + guard.limits().sourceDatagramRate());
    return false;
  }

  /**
   * Whether a directly attached client has a channel (connecting, half-open, connected or asleep) at {@code
   * from}: the transport's first question for every datagram, one map lookup. Thread-safe: the plain UDP listener
   * socket asks from its own loop (a channel created meanwhile is seen by the client's next datagram, which it only
   * sends after our answer).
   */
  public boolean hasChannelAt(InetSocketAddress from) {
    return direct.containsKey(from);
  }

  /**
   * The transport dropped a datagram from an address without a channel by its header alone: {@code
   * malformed} (its length field does not match) or {@code no_session} (a message type that needs a
   * connection). Counted; logged at DEBUG only, a flood's datagrams allocate nothing here. Thread-safe.
   */
  public void dropUnknown(InetSocketAddress from, boolean isMalformed) {
    (isMalformed ? malformed : noSession).increment();
    if (drops.isDebugEnabled()) {
      drops.debug("mqttsn datagram from {} dropped: {}", from, isMalformed ? "bad length header (malformed)"
          : "a message type that needs a connection, from an unknown address (no_session)");
    }
  }

  public int size() {
    return byAddress.size();
  }

  /** What {@link #screenConnect} decided about a CONNECT from an address without a channel. */
  public enum Screen {
    /** Within the half-open backlog and the rates, which it has taken: decode it and hand it over as admitted. */
    ADMITTED,
    /** Not screened here (see {@link #screenConnect}): decode it, the dispatcher decides. */
    UNSCREENED,
    /** Refused, counted and logged: answer CONNACK 0x01 "congestion" (within unknown_answer_rate). */
    REFUSED,
    /** Refused, counted and logged; over unknown_answer_rate, not answered (counted too). */
    REFUSED_UNANSWERED
  }

  /**
   * The listener socket's early look at a CONNECT of its own (not behind a forwarder) from an address without a
   * channel, before it is decoded (issue #13): the half-open backlog ({@code half_open_full}), then {@code
   * source_conn_rate} and {@code max_conn_rate}, in the order {@link #onFrame} checks them. A flood's spoofed
   * CONNECTs are thus refused where they are read, without being decoded, queued for this dispatcher's loop,
   * or answered from it. An admitted CONNECT has taken the rates: {@link #onFrame(InetSocketAddress, MqttSnFrame,
   * PeerIdentity, int, boolean)} does not take them again. A listener that lets sleeping clients wake up from a new
   * address does not screen: such a CONNECT may continue a known client, whom a full backlog must not keep out.
   * Thread-safe (the listener socket's loop asks): it reads the half-open count's mirror, the guard's buckets
   * and the counters.
   */
  public Screen screenConnect(InetSocketAddress from) {
    if (identityAs != IdentityAs.NONE || config.wakeupFromNewAddress().contains(listener)) {
      return Screen.UNSCREENED;
    }
    String over = halfOpenTimeout > 0 && halfOpenMirror >= guard.limits().maxHalfOpen() ? "half_open_full"
        : guard.admitConnect(from.getAddress());
    if (over == null) {
      return Screen.ADMITTED;
    }
    // a flood's CONNECTs: counted and logged without allocating
    dropCounters.get(over).increment();
    Refusals.log(over, listener, from, "CONNECT refused before decoding");
    if (guard.admitUnknownAnswer()) {
      return Screen.REFUSED;
    }
    unknownAnswerRate.increment();
    return Screen.REFUSED_UNANSWERED;
  }


  /** Who is told when an address gets its first channel and loses its last; set before the first datagram. */
  public void watchAddresses(AddressWatcher watcher) {
    this.addresses = watcher;
  }

  /**
   * The kernel reported ICMP port unreachable for {@code at} (on a connected socket): counted in {@code
   * port_unreachable}; a half-open client there has just shown that its address does not receive our answers,
   * so it is dropped at once as if its {@code half_open_timeout} had passed (counted {@code half_open_unreachable}).
   */
  public void unreachable(InetSocketAddress at) {
    if (portUnreachable == null) {
      portUnreachable = ctx.metrics().counter("port_unreachable", "listener", listener);
    }
    portUnreachable.increment();
    MqttSnChannel ch = direct.get(at);
    if (ch != null && ch.unproven() && halfOpen.remove(ch)) {
      halfOpenMirror = halfOpen.size();
      drop(ch.where(), "half_open_unreachable", "client " + ch.clientId() + " half-open, its port unreachable");
      process(ch, ch.dropUnproven());
    }
  }

  /** Whether a client with this id has a channel here (connecting, connected or asleep). */
  public boolean hasClient(String clientId) {
    return byClientId.containsKey(clientId);
  }

  public void onFrame(InetSocketAddress from, MqttSnFrame frame) {
    onFrame(from, frame, null);
  }

  /** A frame from a DTLS peer: {@code identity} is what its handshake proved (null on plain UDP). */
  public void onFrame(InetSocketAddress from, MqttSnFrame frame, PeerIdentity identity) {
    onFrame(from, frame, identity, 0);
  }

  /** A frame that came in a datagram of {@code size} bytes (for bytes_rate; 0 when not known). */
  public void onFrame(InetSocketAddress from, MqttSnFrame frame, PeerIdentity identity, int size) {
    onFrame(from, frame, identity, size, false);
  }

  /**
   * As {@link #onFrame(InetSocketAddress, MqttSnFrame, PeerIdentity, int)}; {@code connectAdmitted}: a CONNECT
   * {@link #screenConnect} admitted, whose rates are taken.
   */
  public void onFrame(InetSocketAddress from, MqttSnFrame frame, PeerIdentity identity, int size,
      boolean connectAdmitted) {
    if (frame instanceof Encapsulated e) { // §5.5: a forwarder relays a client's message
      if (!config.limits().forwarderAllowed(from.getAddress())) {
        limit(Peer.direct(from), "forwarder_not_allowed", () -> "encapsulated message from a forwarder not in forwarders.allow");
        return;
      }
      onFrame(new Peer(from, e.wirelessNodeId()), e.message(), identity, size, false);
    } else {
      onFrame(Peer.direct(from), frame, identity, size, connectAdmitted);
    }
  }

  private void onFrame(Peer from, MqttSnFrame frame, PeerIdentity identity, int size, boolean connectAdmitted) {
    if (identityAs != IdentityAs.NONE && (frame instanceof Connect || frame instanceof PingReq)) {
      frame = withIdentity(from, frame, identity);
      if (frame == null) {
        return;
      }
    }
    if (frame instanceof SearchGw) {
      answerUnknown(from, new GwInfo(config.gatewayId(), Payload.EMPTY)); // §6.1: the gateway itself answers
      return;
    }
    if (frame instanceof Advertise || frame instanceof GwInfo) {
      return; // other gateways' discovery traffic
    }
    MqttSnChannel ch = byAddress.get(from);
    boolean promoted = false;
    if (ch != null && ch.unproven() && proof.proves(ch, frame)) {
      prove(ch); // a message of the connection after the CONNECT: the address receives our answers
      promoted = true;
    }
    if (frame instanceof Connect c) {
      MqttSnChannel known = c.clientId().isEmpty() ? null : byClientId.get(c.clientId());
      if (known != null && !known.where().equals(from) && !mayMove(known, identity)) {
        refuseMove(from, known, "CONNECT");
        answerUnknown(from, new Connack(ReturnCode.REJECTED_CONGESTION));
        return;
      }
      boolean newChannel = ch == null && known == null;
      String over = null;
      if (newChannel && halfOpenTimeout > 0 && halfOpen.size() >= guard.limits().maxHalfOpen()) {
        // a SYN backlog full: who has not answered yet keeps the newcomers out; checked before the rates
        // so that a flood refused here does not use up max_conn_rate for clients that reconnect
        over = "half_open_full";
      }
      if (over == null && !connectAdmitted) {
        over = guard.admitConnect(from.address().getAddress());
      }
      if (over == null && newChannel) {
        over = overCapacity(from);
      }
      if (over != null) { // §5.4.5: 0x01 "congestion", the client retries later
        Connect refused = c;
        limit(from, over, () -> "CONNECT of " + refused.clientId() + " refused");
        if (ch == null) {
          answerUnknown(from, new Connack(ReturnCode.REJECTED_CONGESTION));
        } else {
          send(from, new Connack(ReturnCode.REJECTED_CONGESTION)); // a client we know always hears why
        }
        return;
      }
      ch = channelForConnect(from, ch, c.clientId());
    } else if (ch == null && frame instanceof PingReq p && !p.clientId().isEmpty()) {
      ch = byClientId.get(p.clientId()); // §6.14: a sleeping client wakes up, maybe from a new port
      if (ch != null && !mayMove(ch, identity)) {
        refuseMove(from, ch, "PINGREQ");
        send(from, Disconnect.plain());
        return;
      }
      if (ch != null) {
        move(ch, from);
      }
    }
    if (ch != null) {
      ch.peerIdentity(identity, identityAs == IdentityAs.USERNAME);
      process(ch, ch.handleIn(frame, size));
      if (promoted) {
        awaitEcho(ch); // after the frame: a plain DISCONNECT closed it, an echo proved it
      } else if (ch.countedUnproven && ch.echoProven()) {
        uncount(ch); // it echoed a topic id or message id of ours
      }
    } else if (frame instanceof Publish p && p.qos() == -1) {
      publishWithoutConnection(from, p);
    } else {
      if (drops.isDebugEnabled()) {
        drop(from, "no_session", frame.getClass().getSimpleName() + " from an unknown client");
      } else {
        noSession.increment();
      }
    }
  }

  /**
   * Whether {@code ch} may continue at another address: only asleep, only where the listener allows it,
   * and over DTLS only with the identity it had.
   */
  private boolean mayMove(MqttSnChannel ch, PeerIdentity identity) {
    if (ch.state() != MqttSnChannel.State.ASLEEP || !config.wakeupFromNewAddress().contains(listener)) {
      return false;
    }
    String had = ch.authIdentity();
    return had == null ? identity == null : identity != null && had.equals(identity.authIdentity());
  }

  private void refuseMove(Peer from, MqttSnChannel victim, String what) {
    drop(from, "address_in_use", what + " for client " + victim.clientId() + " (" + victim.clientState()
        + " at " + victim.where() + ")");
  }

  /**
   * A DTLS record under a known Connection ID came from a new address (RFC 9146, a NAT rebinding): the
   * client at {@code previous} continues at {@code now}.
   */
  public void rebind(InetSocketAddress previous, InetSocketAddress now) {
    MqttSnChannel ch = byAddress.get(Peer.direct(previous));
    if (ch != null) {
      move(ch, Peer.direct(now));
    }
  }

  /**
   * The frame with the DTLS identity applied ({@code identity_as}), or null when it was refused: no
   * identity at all, or a client id other than the identity with {@code identity_as = clientid}.
   */
  private MqttSnFrame withIdentity(Peer from, MqttSnFrame frame, PeerIdentity peer) {
    String identity = peer == null ? null : peer.name();
    if (frame instanceof PingReq p) {
      if (identityAs == IdentityAs.CLIENTID && !p.clientId().isEmpty() && !p.clientId().equals(identity)) {
        drop(from, "identity_mismatch", "PINGREQ for " + p.clientId() + " from DTLS identity " + identity);
        return null;
      }
      return frame;
    }
    Connect c = (Connect) frame;
    if (identity == null) {
      drop(from, "no_identity", "CONNECT without a DTLS identity");
      send(from, new Connack(ReturnCode.REJECTED_NOT_SUPPORTED));
      return null;
    }
    if (identityAs == IdentityAs.USERNAME) {
      return c;
    }
    if (c.clientId().isEmpty()) {
      return new Connect(c.will(), c.cleanSession(), c.durationSeconds(), identity);
    }
    if (!c.clientId().equals(identity)) {
      drop(from, "identity_mismatch", "CONNECT as " + c.clientId() + " from DTLS identity " + identity);
      send(from, new Connack(ReturnCode.REJECTED_NOT_SUPPORTED));
      return null;
    }
    return c;
  }

  /** A datagram that did not decode. */
  public void onFrameError(InetSocketAddress from, String reason) {
    if (drops.isDebugEnabled()) {
      drop(Peer.direct(from), "malformed", reason);
    } else {
      malformed.increment();
    }
  }

  /**
   * The timer tick: keepalive, sleep, retries. Only channels whose {@link MqttSnChannel#nextDeadline()}
   * has passed run their timeout step; with 100,000 idle clients a tick is one field comparison each.
   */
  public void tick() {
    long now = ctx.clock().millis();
    expireHalfOpen(now);
    if (offline != null) {
      offline.purge(now);
    }
    List<MqttSnChannel> due = null;
    for (MqttSnChannel ch : byAddress.values()) {
      if (ch.nextDeadline() <= now) {
        if (due == null) {
          due = new ArrayList<>();
        }
        due.add(ch);
      }
    }
    if (due != null) {
      for (MqttSnChannel ch : due) {
        process(ch, ch.handleTimeout());
      }
    }
  }

  /**
   * Reads back the kept-offline places of the previous run (their sessions were kept with them): see {@link
   * OfflinePlaces#restore}. Completes on this dispatcher's executor once they count. Where unproven sessions are not
   * discarded (any more), the listener's stored places are deleted.
   */
  public java.util.concurrent.CompletionStage<Integer> restorePlaces() {
    if (offline == null) {
      if (listener.startsWith("udp:")) { // the echo proof is off now: places a previous run stored are garbage
        return ctx.keyValueSpace(PLACES).deleteAll(listener + "|").thenApplyAsync(n -> 0, executor);
      }
      return java.util.concurrent.CompletableFuture.completedFuture(0);
    }
    return offline.restore();
  }

  /** Half-open channels whose timeout passed: closed, their new sessions discarded (counted). */
  private void expireHalfOpen(long now) {
    List<MqttSnChannel> expired = null;
    for (Iterator<MqttSnChannel> it = halfOpen.iterator(); it.hasNext(); ) {
      MqttSnChannel ch = it.next();
      if (ch.unprovenUntil() > now || !guard.admitHalfOpenExpiry()) {
        break; // the set is in deadline order (one timeout for the listener); the rest wait for the next tick
      }
      it.remove();
      if (expired == null) {
        expired = new ArrayList<>();
      }
      expired.add(ch);
    }
    halfOpenMirror = halfOpen.size();
    if (expired != null) {
      for (MqttSnChannel ch : expired) {
        drop(ch.where(), "half_open_timeout", "client " + ch.clientId() + " not heard within half_open_timeout");
        process(ch, ch.dropUnproven());
      }
    }
  }

  /** Half-open channels on this listener (a snapshot). */
  public int halfOpen() {
    return halfOpenMirror;
  }

  /** {@code ch} no longer counts to {@code max_unproven}: a flag test on the hot path, the set touched only here. */
  private void uncount(MqttSnChannel ch) {
    ch.countedUnproven = false;
    unverified.remove(ch);
    unverifiedMirror = unverified.size();
  }

  /** Promoted channels whose client has not proved its address yet (a snapshot; see {@code max_unproven}). */
  public int unproven() {
    return unverifiedMirror;
  }

  /** Places held by unproven persistent sessions kept offline (run out and freed ones not counted; a snapshot). */
  public int unprovenOffline() {
    return offline == null ? 0 : offline.size();
  }

  /**
   * {@code ch} was just promoted: until its client echoes a value of ours it counts to {@code max_unproven}; beyond,
   * the oldest such client is closed — DISCONNECT (within {@code unknown_answer_rate}), its new session discarded
   * as at the half-open timeout, counted {@code max_unproven}. A blind spoofer can promote sessions (a PINGREQ from
   * the forged address) but never prove one, so spoofed sessions hold at most this many channels, however long the
   * keepalive or sleep duration they asked for, and proven and new clients are never locked out by them.
   */
  private void awaitEcho(MqttSnChannel ch) {
    if (!discardUnproven || ch.echoProven() || ch.resumedSession() || ch.state() == MqttSnChannel.State.CLOSED) {
      return;
    }
    unverified.add(ch);
    ch.countedUnproven = true;
    while (unverified.size() > guard.limits().maxUnproven()) {
      MqttSnChannel oldest = unverified.iterator().next();
      uncount(oldest);
      limit(oldest.where(), "max_unproven",
          () -> "client " + oldest.clientId() + " closed: the oldest of max_unproven clients that never proved their address");
      answerUnknown(oldest.where(), Disconnect.plain());
      process(oldest, oldest.dropUnproven());
    }
    unverifiedMirror = unverified.size();
  }

  private void prove(MqttSnChannel ch) {
    ch.prove();
    halfOpen.remove(ch);
    halfOpenMirror = halfOpen.size();
    if (ch.where().wirelessNodeId() == null) {
      watch(ch.where().address()); // its address has answered: now it gets its own socket
    }
  }

  /** Gateway shutdown: every client gets DISCONNECT, every session closes without will. */
  public void shutdown() {
    for (MqttSnChannel ch : new ArrayList<>(byAddress.values())) {
      process(ch, ch.shutdown());
    }
  }

  /** The cap a new channel at {@code from} would exceed (max_connections, max_forwarder_nodes), or null. */
  private String overCapacity(Peer from) {
    if (byAddress.size() >= guard.limits().maxConnections()) {
      return "max_connections";
    }
    if (from.wirelessNodeId() != null
        && forwarderNodes.getOrDefault(from.address(), 0) >= config.limits().maxForwarderNodes()) {
      return "max_forwarder_nodes";
    }
    return null;
  }

  private void index(Peer at, MqttSnChannel ch) {
    byAddress.put(at, ch);
    if (at.wirelessNodeId() != null) {
      forwarderNodes.merge(at.address(), 1, Integer::sum);
    } else {
      direct.put(at.address(), ch);
    }
    watch(at.address());
  }

  private void unindex(Peer at, MqttSnChannel ch) {
    if (byAddress.remove(at, ch)) {
      if (at.wirelessNodeId() != null) {
        forwarderNodes.computeIfPresent(at.address(), (a, n) -> n <= 1 ? null : n - 1);
      } else {
        direct.remove(at.address(), ch);
      }
      watch(at.address());
    }
  }

  /**
   * Tells the {@link AddressWatcher} (the connected sockets) when {@code a} gets its first channel that is not
   * half-open and when it has none left: a half-open client — possibly a spoofed CONNECT — gets no socket of its own
   * until it proves its address (issue #13: the flood's half-open CONNECTs cost a socket each before). A forwarder's
   * address counts from its first node.
   */
  private void watch(InetSocketAddress a) {
    MqttSnChannel ch = direct.get(a);
    boolean want = forwarderNodes.containsKey(a) || ch != null && !ch.unproven();
    if (want && watched.add(a)) {
      addresses.attached(a);
    } else if (!want && watched.remove(a)) {
      addresses.detached(a);
    }
  }

  private MqttSnChannel channelForConnect(Peer from, MqttSnChannel atAddress, String clientId) {
    MqttSnChannel known = clientId.isEmpty() ? null : byClientId.get(clientId);
    if (atAddress != null && atAddress != known && !atAddress.clientId().equals(clientId)) {
      // another client id from this address: the old device behind it is gone; a half-open one never proved
      // its address, so its new session goes as at the half-open timeout (a clean = 0 one is not kept offline)
      if (atAddress.unproven()) {
        halfOpenReplaced.increment();
        halfOpen.remove(atAddress);
        halfOpenMirror = halfOpen.size();
        process(atAddress, atAddress.dropUnproven());
      } else {
        process(atAddress, atAddress.abandon(CloseReason.TRANSPORT_ERROR));
      }
      atAddress = null;
    }
    MqttSnChannel ch = known != null ? known : atAddress;
    if (ch == null) {
      ch = newChannel(from, halfOpenTimeout > 0 ? ctx.clock().millis() + halfOpenTimeout : 0);
      if (halfOpenTimeout > 0) {
        if (discardUnproven) {
          ch.requireEchoProof(nonces::nextInt, offline);
        }
        halfOpen.add(ch);
        halfOpenMirror = halfOpen.size();
      }
    } else {
      move(ch, from);
    }
    if (!clientId.isEmpty()) {
      byClientId.put(clientId, ch);
    }
    return ch;
  }

  /** {@code unprovenUntil} > 0: the channel is half-open until then (marked before it is indexed). */
  private MqttSnChannel newChannel(Peer from, long unprovenUntil) {
    MqttSnChannel[] self = new MqttSnChannel[1];
    MqttSnChannel ch = new MqttSnChannel(config, ctx, listener, from, executor, actions -> process(self[0], actions),
        topicIds);
    self[0] = ch;
    if (unprovenUntil > 0) {
      ch.markUnproven(unprovenUntil);
    }
    index(from, ch);
    return ch;
  }

  private void move(MqttSnChannel ch, Peer to) {
    if (!ch.where().equals(to)) {
      unindex(ch.where(), ch);
      MqttSnChannel other = byAddress.get(to);
      if (other != null && other != ch) {
        process(other, other.abandon(CloseReason.TRANSPORT_ERROR));
      }
      ch.moveTo(to);
      index(to, ch);
    }
  }

  private void process(MqttSnChannel ch, List<Action> actions) {
    if (ch.unproven() && ch.resumedSession()) {
      prove(ch); // the CONNECT resumed a session that existed before: its keepalive applies, not the timeout
    }
    if (ch.countedUnproven && ch.resumedSession()) {
      uncount(ch); // the broker said it resumed a session: nothing to discard
    }
    if (actions.isEmpty()) {
      return;
    }
    for (Action a : actions) {
      if (a instanceof Action.Close) {
        unindex(ch.where(), ch);
        byClientId.remove(ch.clientId(), ch);
        if (ch.unproven()) {
          prove(ch); // closed otherwise (refused, re-CONNECTed elsewhere): leaves the table
        }
        if (ch.countedUnproven) {
          uncount(ch);
        }
      }
    }
    transport.accept(actions);
  }

  private void publishWithoutConnection(Peer from, Publish p) {
    if (!config.enableQos3()) {
      drop(from, "qos3_disabled", "QoS -1 PUBLISH");
      return;
    }
    if (p.retain() && !config.qosNeg1Retain()) {
      drop(from, "qos3_retain", "QoS -1 PUBLISH with retain (qos_neg1_retain = false)");
      return;
    }
    Message m = ConnectionlessPublisher.message(config, p);
    if (m == null) {
      drop(from, "unknown_topic", "QoS -1 PUBLISH with a normal topic id or unknown predefined id");
      return;
    }
    ctx.publish(ConnectionlessPublisher.publisher(config, listener, from.address()), m);
  }

  /**
   * An answer to a source without a channel (a refusal CONNACK, GWINFO): each costs a sendto to an address
   * that may be forged, so beyond the listener's {@code unknown_answer_rate} it is counted and not sent.
   */
  private void answerUnknown(Peer to, MqttSnFrame frame) {
    if (guard.admitUnknownAnswer()) {
      send(to, frame);
    } else {
      unknownAnswerRate.increment();
    }
  }

  private void send(Peer to, MqttSnFrame frame) {
    transport.accept(List.of(new Action.Send(to.address(), to.wrap(frame))));
  }

  /** A configured limit refused or dropped a datagram: counted under its key, logged at most once a second. */
  private void limit(Peer from, String reason, java.util.function.Supplier<String> what) {
    dropCounter(reason).increment();
    Refusals.log(reason, () -> listener + " datagram from " + from + ": " + what.get());
  }

  private void drop(Peer from, String reason, String what) {
    long now = ctx.clock().millis();
    if (reason.equals("address_in_use") && now - lastRefusalLog >= 1000) {
      lastRefusalLog = now; // INFO at most once a second per listener: a flood of forged PINGREQs stays DEBUG
      drops.info("mqttsn datagram from {} refused: {} ({})", from, what, reason); // a hijack attempt, or a device that moved
    } else {
      drops.debug("mqttsn datagram from {} dropped: {} ({})", from, what, reason);
    }
    dropCounter(reason).increment();
  }

  private Metrics.Counter dropCounter(String reason) {
    return dropCounters.computeIfAbsent(reason, r -> ctx.metrics().counter("drops", "reason", r));
  }
}
