package io.estuary.mqttsn.channel;

import io.estuary.api.BrokerSession;
import io.estuary.api.CloseReason;
import io.estuary.api.GatewayContext;
import io.estuary.mqttsn.codec.MqttSnFrame;
import io.estuary.mqttsn.codec.MqttSnFrame.Publish;
import io.estuary.mqttsn.codec.TopicRef;
import java.util.function.IntUnaryOperator;

/**
 * Whether a plain-UDP client has proved that it receives what the gateway sends to its address (issue #13):
 * stronger than the half-open promotion ({@link HalfOpenProof}), which any valid follow-up passes — a blind
 * spoofer can send a PINGREQ or a PUBLISH to a short topic name without ever seeing our answers. A client is
 * <em>proven</em> once it echoes a value the gateway chose at random for it: a normal topic id (the first id
 * allocated to an unproven client starts at a random place, so using one in a PUBLISH shows it read our REGACK,
 * SUBACK or REGISTER) or a message id of the gateway's (the first one starts at a random place too; a PUBACK,
 * PUBREC, PUBCOMP or REGACK echoing one it awaits). MQTT-SN 1.2 has no nonce field, so these are the nonce.
 *
 * <p>What it decides: a {@code clean_session = false} session that its CONNECT created (not resumed) and whose
 * client was never proven is <em>discarded</em> instead of kept offline when the connection ends without
 * DISCONNECT (keepalive timeout, a missed wake-up, retries exhausted, another client id from its address), or with
 * a plain DISCONNECT, a repeated CONNECT or the gateway's shutdown while it holds nothing (no granted subscription,
 * no topic id); one that holds something needs one of the listener's {@code max_unproven} places — so a spoofed
 * persistent CONNECT that a valid follow-up promoted still leaves nothing behind, or at most a bounded number of
 * sessions. A real persistent
 * client proves itself in its first exchanges: it publishes with the id REGACK gave it, or acknowledges a QoS 1/2
 * delivery or a gateway REGISTER. Owned by the channel's thread.
 */
final class EchoProof {
  private final MqttSnChannel ch;
  private final GatewayContext ctx;
  private final String listener;
  /** Null unless the dispatcher asked for proof (plain UDP, new channel, {@code discard_unproven_sessions}). */
  private IntUnaryOperator random;
  /** The listener's table of unproven sessions kept offline ({@code max_unproven}); set with {@link #random}. */
  private KeptOffline keptOffline = KeptOffline.UNBOUNDED;
  private boolean proven;
  private boolean persistent;
  /** The broker granted a SUBSCRIBE of this connection: the session holds something a DISCONNECT keeps. */
  private boolean subscribed;

  EchoProof(MqttSnChannel ch, GatewayContext ctx, String listener) {
    this.ch = ch;
    this.ctx = ctx;
    this.listener = listener;
  }

  /**
   * The client must prove its address; {@code random} (bound → 0..bound-1) places its first ids, {@code keptOffline}
   * bounds the persistent sessions a plain DISCONNECT keeps offline while it has not.
   */
  void require(IntUnaryOperator random, KeptOffline keptOffline) {
    this.random = random;
    this.keptOffline = keptOffline;
    ch.topics().randomise(random);
    ch.outbound().randomise(random);
  }

  /** The CONNECT the broker accepted asked for a persistent session ({@code clean_session = false}). */
  void persistent(boolean persistent) {
    this.persistent = persistent;
  }

  /** The broker granted one of this connection's SUBSCRIBEs. */
  void subscribed() {
    subscribed = true;
  }

  /** A new CONNECT on the channel: what the previous connection's session held no longer counts. */
  void restart() {
    subscribed = false;
  }

  /** Whether the client has echoed a value of ours, or was never asked to. */
  boolean proven() {
    return random == null || proven;
  }

  /** Looks at a frame from the client before it is handled (an acknowledgement removes what it echoes). */
  void onFrame(MqttSnFrame frame, BrokerSession session) {
    if (proven() || session == null || !echoes(frame)) {
      return;
    }
    proven = true;
    ch.topics().randomise(null);
    keptOffline.proven(ch.clientId()); // a place its session held among max_unproven is free
    ctx.metrics().counter("proven", "listener", listener, "by", frame.getClass().getSimpleName())
        .increment();
  }

  private boolean echoes(MqttSnFrame frame) {
    if (frame instanceof Publish p) {
      return p.qos() != -1 && p.topic() instanceof TopicRef.Id id && ch.topics().name(id.id()) != null;
    }
    return HalfOpenProof.acksAwaited(ch, frame);
  }

  /**
   * Whether {@code session}, ending for {@code reason}, goes instead of staying offline: persistent, created by
   * this connection, never proven, and either no DISCONNECT (keepalive timeout, a missed wake-up, retries) or a
   * plain DISCONNECT (or the gateway's shutdown) while it holds nothing — no subscription, no topic id: nothing to
   * keep (MQTT-SN's CONNACK has no session-present flag), and a blind spoofer's CONNECT + DISCONNECT (or flood
   * garbage that decodes as one) leaves nothing behind, nor does its CONNECT + PINGREQ come back after a restart.
   * A session that holds something is kept by a DISCONNECT or the shutdown (within {@code max_unproven} places:
   * {@link #overKeptOffline}); a sleeping client that misses its wake-up is gone like one whose keepalive ran out
   * (a blind spoofer's DISCONNECT with a duration leaves nothing behind either: no session, no will); a kick or a
   * take-over is the broker's decision.
   */
  boolean discards(BrokerSession session, CloseReason reason) {
    return !proven() && persistent && !session.sessionPresent()
        && (reason == CloseReason.KEEPALIVE_TIMEOUT || reason == CloseReason.SLEEP_TIMEOUT
            || reason == CloseReason.TRANSPORT_ERROR || keptByGoodbye(reason) && !holdsSomething());
  }

  /** A granted subscription or a topic id (REGISTER, SUBSCRIBE by name): what a session keeps for its client. */
  private boolean holdsSomething() {
    return subscribed || ch.topics().size() > 0;
  }

  /**
   * A plain DISCONNECT, or the gateway's shutdown: either keeps a persistent session that holds something (a
   * granted subscription, a topic id), so that it is there when the client comes back (after the restart); one that
   * holds nothing has nothing to keep, and a spoofer's must not come back at restart.
   */
  private static boolean keptByGoodbye(CloseReason reason) {
    return reason == CloseReason.NORMAL || reason == CloseReason.SERVER_SHUTDOWN;
  }

  /**
   * Whether {@code session}, which {@link #discards} keeps, is an unproven persistent one a plain DISCONNECT leaves
   * offline and the listener's table of such sessions ({@code max_unproven}) is full: then it goes too. A session
   * this connection created needs a free place; a resumed one already in the table keeps (and renews) its place, one
   * not in it is not counted (it was kept, or proven, before).
   */
  boolean overKeptOffline(String clientId, BrokerSession session, CloseReason reason) {
    return !proven() && persistent && keptByGoodbye(reason)
        && !keptOffline.keep(clientId, !session.sessionPresent());
  }

  /** The listener's bounded table of unproven persistent sessions kept offline ({@link OfflinePlaces}). */
  interface KeptOffline {
    KeptOffline UNBOUNDED = (clientId, created) -> true;

    /** Whether {@code clientId}'s session may stay offline; {@code created}: this connection created it. */
    boolean keep(String clientId, boolean created);

    /** A client with {@code clientId} proved its address: its session no longer needs a place. */
    default void proven(String clientId) {
    }
  }
}
