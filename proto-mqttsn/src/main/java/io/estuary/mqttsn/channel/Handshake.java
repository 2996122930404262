package io.estuary.mqttsn.channel;

import io.estuary.api.AuthResult;
import io.estuary.api.BrokerSession;
import io.estuary.api.ClientCredentials;
import io.estuary.api.ClientInfo;
import io.estuary.api.CloseReason;
import io.estuary.api.GatewayContext;
import io.estuary.api.Message;
import io.estuary.api.Payload;
import io.estuary.api.SessionOptions;
import io.estuary.api.SessionRefusedException;
import io.estuary.api.topic.Topics;
import io.estuary.cf.PeerIdentity;
import io.estuary.mqttsn.MqttSnConfig;
import io.estuary.mqttsn.channel.MqttSnChannel.State;
import io.estuary.mqttsn.codec.MqttSnFrame.Connack;
import io.estuary.mqttsn.codec.MqttSnFrame.Connect;
import io.estuary.mqttsn.codec.MqttSnFrame.WillMsg;
import io.estuary.mqttsn.codec.MqttSnFrame.WillMsgReq;
import io.estuary.mqttsn.codec.MqttSnFrame.WillMsgResp;
import io.estuary.mqttsn.codec.MqttSnFrame.WillMsgUpd;
import io.estuary.mqttsn.codec.MqttSnFrame.WillTopic;
import io.estuary.mqttsn.codec.MqttSnFrame.WillTopicReq;
import io.estuary.mqttsn.codec.MqttSnFrame.WillTopicResp;
import io.estuary.mqttsn.codec.MqttSnFrame.WillTopicUpd;
import io.estuary.mqttsn.codec.ReturnCode;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connect phase of a channel: CONNECT, the will exchange (MQTT-SN 1.2 §6.2, §6.3), authentication,
 * opening the broker session with its stored topic ids, and CONNACK; then the will updates of a connected
 * client (§6.4), since this class keeps the will.
 *
 * <p>Thread contract: owned by its channel's thread (the transport's event loop, also the session's
 * {@code DeliverySink.executor()}); the broker's stages are handed back to that thread before they touch
 * any state here or in the channel.
 */
final class Handshake {
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

  private final MqttSnChannel ch;
  private final MqttSnConfig config;
  private final GatewayContext ctx;
  private final String listener;
  private final Executor executor;
  private final TopicIdStore topicStore;

  private Connect pendingConnect;
  /** Opened by the broker, waiting for the stored topic ids before CONNACK. */
  private BrokerSession opening;
  private WillTopic pendingWillTopic;
  private String willTopic;
  private int willQos;
  private boolean willRetain;
  private Payload willPayload = Payload.EMPTY;

  Handshake(MqttSnChannel ch, MqttSnConfig config, GatewayContext ctx, String listener, Executor executor,
      TopicIdStore topicStore) {
    this.ch = ch;
    this.config = config;
    this.ctx = ctx;
    this.listener = listener;
    this.executor = executor;
    this.topicStore = topicStore;
  }

  // ------------------------------------------------------------------ connect (§6.2, §6.3)

  void onConnect(Connect c) {
    if (ch.state() == State.CONNECTING && pendingConnect != null && pendingConnect.equals(c)) {
      return; // a retransmitted CONNECT while the broker is still answering
    }
    if (c.clientId().isEmpty()) {
      ch.drop("bad_connect", "empty client id"); // §5.3.1: 1..23 characters
      ch.send(new Connack(ReturnCode.REJECTED_NOT_SUPPORTED));
      ch.finish();
      return;
    }
    ch.restart(c.clientId(), keepAlive(c));
    pendingConnect = c;
    willTopic = null;
    willPayload = Payload.EMPTY;
    if (c.cleanSession()) {
      ch.topics().clear();
    }
    if (c.will()) {
      ch.enter(State.WAIT_WILL_TOPIC);
      ch.send(new WillTopicReq());
    } else {
      authenticate();
    }
  }

  /**
   * The keepalive of a CONNECT: on a plain-UDP listener a CONNECT without one (0, "none") gets
   * {@code min_keepalive}, so that a session opened by a spoofed datagram, whose address never answers,
   * expires. A keepalive the client asked for stands, however short: raising it would only keep a spoofed
   * session, and delay a real client's will, longer than the client itself asked. Over DTLS the handshake
   * proved the address: the client's value stands, 0 included.
   */
  private Duration keepAlive(Connect c) {
    Duration asked = Duration.ofSeconds(c.durationSeconds());
    Duration min = config.limits().minKeepalive();
    if (listener.startsWith("udp:") && asked.isZero() && !min.isZero()) {
      ctx.metrics().counter("keepalive.raised").increment();
      return min;
    }
    return asked;
  }

  void onWillTopic(WillTopic w) {
    if (ch.state() != State.WAIT_WILL_TOPIC) {
      ch.drop("unexpected", "WILLTOPIC");
    } else if (w.isEmpty()) {
      authenticate(); // §5.4.7: an empty WILLTOPIC means no will
    } else if (badWillTopic(w.topic())) {
      ch.send(new Connack(ReturnCode.REJECTED_INVALID_TOPIC_ID));
      ch.finish();
    } else {
      pendingWillTopic = w;
      ch.enter(State.WAIT_WILL_MSG);
      ch.send(new WillMsgReq());
    }
  }

  void onWillMsg(WillMsg m) {
    if (ch.state() != State.WAIT_WILL_MSG) {
      ch.drop("unexpected", "WILLMSG");
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
    if (Inbound.tooLong(ch, topic)) {
      ch.limit("max_topic_length", "will topic of " + Inbound.utf8Length(topic) + " bytes");
      return true;
    }
    String why = Topics.checkName(ch.mountpoint().mountTopic(topic), MAX_TOPIC_LEVELS);
    if (why == null && topic.indexOf('\uFFFD') < 0) {
      return false;
    }
    ch.drop("bad_will_topic", "will topic '" + topic + "': " + (why == null ? "not UTF-8" : why));
    return true;
  }

  private void authenticate() {
    ch.enter(State.CONNECTING);
    PeerIdentity identity = ch.peerIdentity();
    ClientCredentials credentials = new ClientCredentials(ch.clientId(), ch.username(), null,
        identity == null ? MqttSnChannel.PROTOCOL : SECURE_PROTOCOL, ch.peer(), identity == null ? null : identity.name());
    // a stale answer (the client reconnected or closed meanwhile) is ignored by whileCurrent
    ctx.authenticate(credentials).whenCompleteAsync(ch.whileCurrent(this::onAuth), executor);
  }

  private void onAuth(AuthResult auth, Throwable err) {
    if (ch.state() != State.CONNECTING) {
      return;
    }
    if (err != null || auth == null || !auth.isAllowed()) {
      ch.drop("not_authorized", "CONNECT not authenticated: " + (err != null ? err.toString() : auth));
      ch.send(new Connack(ReturnCode.REJECTED_NOT_SUPPORTED)); // MQTT-SN 1.2 has no "not authorized" code
      ch.finish();
      return;
    }
    Connect c = pendingConnect;
    SessionOptions options = SessionOptions.builder()
        .cleanStart(c.cleanSession())
        .sessionExpiry(c.cleanSession() ? Duration.ZERO : config.sessionExpiry())
        .keepAlive(ch.keepAlive())
        .will(will())
        .receiveMaximum(config.maxInflight())
        .maxPacketSize(MAX_PACKET_SIZE)
        .build();
    ClientInfo info = new ClientInfo(ch.clientId(), ch.username(), MqttSnChannel.PROTOCOL, listener, ch.peer(),
        ch.mountpoint().prefix(), ch.authIdentity());
    int gen = ch.generation();
    ctx.openSession(info, options, new SessionSink(ch, gen, executor))
        .whenComplete((s, e) -> ch.step(() -> onOpened(gen, s, e)));
  }

  private void onOpened(int gen, BrokerSession s, Throwable err) {
    if (gen != ch.generation() || ch.state() != State.CONNECTING) {
      if (s != null && ch.state() == State.CLOSED) {
        if (ch.droppedUnproven() && !s.sessionPresent()) {
          s.discard(); // dropped half-open before the broker answered: the session it created goes too
        } else {
          s.close(CloseReason.NORMAL);
        }
      }
      return;
    }
    if (err != null || s == null) {
      SessionRefusedException refused = SessionRefusedException.of(err);
      if (refused != null) {
        // MQTT-SN 1.2 §5.3.10 has no "bad client id" or "not authorized": 0x03 "not supported" says the
        // request will never be accepted as it is; 0x01 "congestion" says try later (UNAVAILABLE, QUOTA_EXCEEDED)
        ch.drop("session_refused_" + refused.reason().name().toLowerCase(Locale.ROOT), refused.getMessage());
        SessionRefusedException.Reason why = refused.reason();
        ch.send(new Connack(why == SessionRefusedException.Reason.UNAVAILABLE
            || why == SessionRefusedException.Reason.QUOTA_EXCEEDED ? ReturnCode.REJECTED_CONGESTION : ReturnCode.REJECTED_NOT_SUPPORTED));
      } else {
        log.debug("mqttsn client {} at {}: session not opened: {}", ch.clientId(), ch.where(), String.valueOf(err));
        ch.send(new Connack(ReturnCode.REJECTED_CONGESTION));
      }
      ch.finish();
      return;
    }
    TopicRegistry topics = ch.topics();
    String clientId = ch.clientId();
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
    // if the gateway dies while connected, the ids still expire; the end of the connection moves this
    topics.expiresAt(ch.now() + config.sessionExpiry().toMillis() + ch.keepAlive().toMillis() * 2);
    if (!s.sessionPresent()) {
      topics.clear();
      topicStore.replace(clientId, Map.of());
      accepted(s);
    } else if (topics.size() > 0) { // the channel kept its table across a re-CONNECT: the store follows it
      topicStore.replace(clientId, topics.table());
      accepted(s);
    } else { // a gateway restart: read the ids on the store's executor, CONNACK once they are back here
      opening = s;
      topicStore.load(clientId).whenCompleteAsync(ch.whileCurrent((stored, e) -> {
        if (opening != s) {
          return;
        }
        opening = null;
        if (e != null) {
          ch.drop("topic_store_failed", "stored topic ids unreadable: " + e);
        } else {
          topics.load(stored);
        }
        accepted(s);
      }), executor);
    }
  }

  /** Whether a session is open at the broker but not yet acknowledged to the client. */
  boolean opening() {
    return opening != null;
  }

  /** Closes the session the broker opened before CONNACK, if any (a re-CONNECT, a close). */
  void closeOpening(CloseReason reason) {
    if (opening != null) {
      opening.close(reason);
      opening = null;
    }
  }

  /** The broker closed the session it was opening. */
  void forgetOpening() {
    opening = null;
  }

  private void accepted(BrokerSession s) {
    ch.persistentSession(!pendingConnect.cleanSession());
    pendingConnect = null;
    ch.accepted(s);
  }

  private Message will() {
    return willTopic == null ? null : Message.of(ch.mountpoint().mountTopic(willTopic), willPayload, willQos, willRetain);
  }

  // ------------------------------------------------------------------ will updates (§6.4)

  void onWillTopicUpd(WillTopicUpd w) {
    if (!w.isEmpty() && badWillTopic(w.topic())) {
      ch.send(new WillTopicResp(ReturnCode.REJECTED_INVALID_TOPIC_ID)); // the previous will stays
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
    ch.session().updateWill(will());
    ch.send(new WillTopicResp(ReturnCode.ACCEPTED));
  }

  void onWillMsgUpd(WillMsgUpd m) {
    willPayload = m.message();
    if (willTopic != null) {
      ch.session().updateWill(will());
    }
    ch.send(new WillMsgResp(ReturnCode.ACCEPTED));
  }
}
