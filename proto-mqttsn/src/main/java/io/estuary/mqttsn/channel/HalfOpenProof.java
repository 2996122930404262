package io.estuary.mqttsn.channel;

import io.estuary.api.GatewayContext;
import io.estuary.api.Metrics;
import io.estuary.mqttsn.codec.MqttSnFrame;
import io.estuary.mqttsn.codec.MqttSnFrame.Disconnect;
import io.estuary.mqttsn.codec.MqttSnFrame.PingReq;
import io.estuary.mqttsn.codec.MqttSnFrame.Puback;
import io.estuary.mqttsn.codec.MqttSnFrame.Pubcomp;
import io.estuary.mqttsn.codec.MqttSnFrame.Publish;
import io.estuary.mqttsn.codec.MqttSnFrame.Pubrec;
import io.estuary.mqttsn.codec.MqttSnFrame.Regack;
import io.estuary.mqttsn.codec.MqttSnFrame.Register;
import io.estuary.mqttsn.codec.MqttSnFrame.Subscribe;
import io.estuary.mqttsn.codec.MqttSnFrame.Unsubscribe;
import io.estuary.mqttsn.codec.MqttSnFrame.WillMsg;
import io.estuary.mqttsn.codec.MqttSnFrame.WillMsgUpd;
import io.estuary.mqttsn.codec.MqttSnFrame.WillTopic;
import io.estuary.mqttsn.codec.MqttSnFrame.WillTopicUpd;
import io.estuary.mqttsn.codec.TopicRef;
import java.util.HashMap;
import java.util.Map;

/**
 * Which datagram from a half-open client's address proves that the address receives our answers (issue #13), and
 * how often each frame type did ({@code mqttsn.half_open.promoted{listener, by}}).
 *
 * <p>Only a message that makes sense for this session promotes: REGISTER, SUBSCRIBE, UNSUBSCRIBE, PINGREQ,
 * DISCONNECT, WILLTOPICUPD/WILLMSGUPD; WILLTOPIC/WILLMSG only while the gateway waits for them (it asked with
 * WILLTOPICREQ/WILLMSGREQ); a PUBLISH (QoS 0..2) only to a topic this client can name — a normal topic id it has
 * registered, a configured predefined id, or a short topic name; PUBACK/REGACK/PUBREC/PUBCOMP only echoing a MsgId
 * the gateway sent this client and awaits. Never a CONNECT (repeated or another client id), connectionless
 * traffic (SEARCHGW, ADVERTISE, GWINFO, QoS -1 PUBLISH) or a PUBLISH to an unknown topic id: a spoofer's random
 * datagrams decode as such (a half-open client has registered nothing). A real client's first message after
 * CONNACK is one of the promoting kinds, so it never loses its session to this rule.
 *
 * <p>Owned by the listener's dispatcher thread.
 */
final class HalfOpenProof {
  private final GatewayContext ctx;
  private final String listener;
  private final Map<String, Metrics.Counter> promoted = new HashMap<>();

  HalfOpenProof(GatewayContext ctx, String listener) {
    this.ctx = ctx;
    this.listener = listener;
  }

  /** Whether {@code frame} from half-open {@code ch}'s address promotes it; counted by frame type when it does. */
  boolean proves(MqttSnChannel ch, MqttSnFrame frame) {
    if (!makesSense(ch, frame)) {
      return false;
    }
    String by = frame.getClass().getSimpleName();
    promoted.computeIfAbsent(by, b -> ctx.metrics().counter("half_open.promoted", "listener", listener, "by", b))
        .increment();
    return true;
  }

  private static boolean makesSense(MqttSnChannel ch, MqttSnFrame frame) {
    if (frame instanceof Register || frame instanceof Subscribe || frame instanceof Unsubscribe
        || frame instanceof PingReq || frame instanceof Disconnect || frame instanceof WillTopicUpd
        || frame instanceof WillMsgUpd) {
      return true;
    }
    if (frame instanceof WillTopic) {
      return ch.state() == MqttSnChannel.State.WAIT_WILL_TOPIC;
    }
    if (frame instanceof WillMsg) {
      return ch.state() == MqttSnChannel.State.WAIT_WILL_MSG;
    }
    if (frame instanceof Publish p) {
      return p.qos() != -1 && nameable(ch, p.topic());
    }
    // an ack of a message id the gateway awaits; else CONNECT, PUBREL for nothing we acknowledged, connectionless
    // and gateway traffic
    return acksAwaited(ch, frame);
  }

  /** Whether {@code frame} is a PUBACK, REGACK, PUBREC or PUBCOMP of a message id the gateway awaits from {@code ch}. */
  static boolean acksAwaited(MqttSnChannel ch, MqttSnFrame frame) {
    int msgId;
    if (frame instanceof Puback a) {
      msgId = a.msgId();
    } else if (frame instanceof Regack a) {
      msgId = a.msgId();
    } else if (frame instanceof Pubrec a) {
      msgId = a.msgId();
    } else if (frame instanceof Pubcomp a) {
      msgId = a.msgId();
    } else {
      return false;
    }
    return ch.outbound().awaits(msgId);
  }

  private static boolean nameable(MqttSnChannel ch, TopicRef topic) {
    if (topic instanceof TopicRef.Id id) {
      return ch.topics().name(id.id()) != null;
    }
    if (topic instanceof TopicRef.Predefined p) {
      return ch.config().predefinedTopic(p.id()) != null;
    }
    return topic instanceof TopicRef.Short;
  }
}
