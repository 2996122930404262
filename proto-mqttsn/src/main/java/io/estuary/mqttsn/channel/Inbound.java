package io.estuary.mqttsn.channel;

import io.estuary.api.BrokerSession;
import io.estuary.api.Message;
import io.estuary.api.PublishOutcome;
import io.estuary.api.SubscribeOutcome;
import io.estuary.api.Subscription;
import io.estuary.api.TopicFilter;
import io.estuary.mqttsn.MqttSnConfig;
import io.estuary.mqttsn.codec.MqttSnCodec;
import io.estuary.mqttsn.codec.MqttSnFrame.Puback;
import io.estuary.mqttsn.codec.MqttSnFrame.Pubcomp;
import io.estuary.mqttsn.codec.MqttSnFrame.Publish;
import io.estuary.mqttsn.codec.MqttSnFrame.Pubrec;
import io.estuary.mqttsn.codec.MqttSnFrame.Pubrel;
import io.estuary.mqttsn.codec.MqttSnFrame.Regack;
import io.estuary.mqttsn.codec.MqttSnFrame.Register;
import io.estuary.mqttsn.codec.MqttSnFrame.Suback;
import io.estuary.mqttsn.codec.MqttSnFrame.Subscribe;
import io.estuary.mqttsn.codec.MqttSnFrame.Unsuback;
import io.estuary.mqttsn.codec.MqttSnFrame.Unsubscribe;
import io.estuary.mqttsn.codec.ReturnCode;
import io.estuary.mqttsn.codec.TopicRef;
import java.util.List;

/**
 * Client → gateway requests of a connected client: PUBLISH (§6.7, §6.8), REGISTER (§6.5), SUBSCRIBE and
 * UNSUBSCRIBE (§6.9); and the QoS -1 PUBLISH of a client without a connection (§6.8). Answers follow
 * the broker's stages; a stage that completes after the client reconnected is ignored. Owned by the
 * channel's thread.
 */
final class Inbound {
  private final MqttSnChannel ch;

  Inbound(MqttSnChannel ch) {
    this.ch = ch;
  }

  void onPublish(Publish p) {
    String topic = resolve(p.topic());
    int topicIdField = MqttSnCodec.topicIdField(p.topic());
    if (topic == null) {
      ch.drop("unknown_topic", "PUBLISH to unknown topic id " + topicIdField);
      if (p.qos() >= 0) {
        ch.send(new Puback(topicIdField, p.msgId(), ReturnCode.REJECTED_INVALID_TOPIC_ID));
      }
      return;
    }
    if (p.qos() == -1 && p.topic() instanceof TopicRef.Id) {
      ch.drop("bad_publish", "QoS -1 with a normal topic id"); // §6.8: predefined or short only
      return;
    }
    Message m = Message.of(ch.mountpoint().mountTopic(topic), p.data(), Math.max(0, p.qos()), p.retain());
    BrokerSession session = ch.session();
    switch (p.qos()) {
      case 1 -> session.publish(m).whenComplete(ch.whileCurrent((o, e) ->
          ch.send(new Puback(topicIdField, p.msgId(), returnCode(o, e)))));
      case 2 -> session.publishOnce(p.msgId(), m).whenComplete(ch.whileCurrent((o, e) -> {
        ReturnCode rc = returnCode(o, e);
        ch.send(rc == ReturnCode.ACCEPTED ? new Pubrec(p.msgId()) : new Puback(topicIdField, p.msgId(), rc));
      }));
      default -> session.publish(m);
    }
  }

  /** QoS -1 PUBLISH from a client without a session (§6.8): routed as QoS 0 for a connectionless publisher. */
  void publishWithoutConnection(Publish p) {
    MqttSnConfig config = ch.config();
    if (!config.enableQos3()) {
      ch.drop("qos3_disabled", "QoS -1 PUBLISH");
      return;
    }
    if (p.retain() && !config.qosNeg1Retain()) {
      ch.drop("qos3_retain", "QoS -1 PUBLISH with retain (qos_neg1_retain = false)");
      return;
    }
    Message m = ConnectionlessPublisher.message(config, p);
    if (m == null) {
      ch.drop("unknown_topic", "QoS -1 PUBLISH to an unknown topic");
      return;
    }
    ch.context().publish(ConnectionlessPublisher.publisher(config, ch.listener(), ch.peer()), m);
  }

  void onPubrel(Pubrel r) {
    ch.session().releaseKey(r.msgId());
    ch.send(new Pubcomp(r.msgId()));
  }

  static ReturnCode returnCode(PublishOutcome o, Throwable e) {
    if (e != null || o == null) {
      return ReturnCode.REJECTED_CONGESTION;
    }
    if (o.accepted()) {
      return ReturnCode.ACCEPTED;
    }
    return o.status() == PublishOutcome.Status.QUOTA_EXCEEDED ? ReturnCode.REJECTED_CONGESTION
        : ReturnCode.REJECTED_NOT_SUPPORTED;
  }

  /** The client-side topic name of a topic reference, or null when unknown. */
  String resolve(TopicRef ref) {
    if (ref instanceof TopicRef.Id id) {
      return ch.topics().name(id.id());
    } else if (ref instanceof TopicRef.Predefined p) {
      return ch.config().predefinedTopic(p.id());
    } else if (ref instanceof TopicRef.Short s) {
      return s.name();
    }
    return ((TopicRef.Name) ref).name();
  }

  void onRegister(Register r) {
    String name = r.topicName();
    if (name.contains("+") || name.contains("#")) {
      ch.send(new Regack(0, r.msgId(), ReturnCode.REJECTED_NOT_SUPPORTED));
      return;
    }
    if (tooLong(ch, name)) { // §5.4.11: the name is refused, as an id the gateway will not give
      ch.limit("max_topic_length", "REGISTER of a " + utf8Length(name) + "-byte name");
      ch.send(new Regack(0, r.msgId(), ReturnCode.REJECTED_INVALID_TOPIC_ID));
      return;
    }
    int id = ch.topics().idFor(name);
    if (id < 0) { // §5.4.11: congestion, try later (after UNSUBSCRIBE or a clean session)
      ch.limit("max_topic_ids", "REGISTER beyond max_topic_ids " + ch.config().limits().maxTopicIds());
      ch.send(new Regack(0, r.msgId(), ReturnCode.REJECTED_CONGESTION));
      return;
    }
    ch.send(new Regack(id, r.msgId(), ReturnCode.ACCEPTED));
  }

  /** Whether {@code name} is longer than max_topic_length bytes in UTF-8. */
  static boolean tooLong(MqttSnChannel ch, String name) {
    int max = ch.config().limits().maxTopicLength();
    return name.length() > max || (name.length() * 3 > max && utf8Length(name) > max);
  }

  static int utf8Length(String s) {
    return s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
  }

  void onSubscribe(Subscribe s) {
    String filter = resolve(s.topic());
    if (filter == null) {
      ch.send(new Suback(0, 0, s.msgId(), ReturnCode.REJECTED_INVALID_TOPIC_ID));
      return;
    }
    if (tooLong(ch, filter)) {
      ch.limit("max_topic_length", "SUBSCRIBE to a " + utf8Length(filter) + "-byte filter");
      ch.send(new Suback(0, 0, s.msgId(), ReturnCode.REJECTED_INVALID_TOPIC_ID));
      return;
    }
    int topicId = 0; // not relevant for wildcards and short names (§5.4.16)
    if (s.topic() instanceof TopicRef.Predefined p) {
      topicId = p.id();
    } else if (s.topic() instanceof TopicRef.Name && !filter.contains("+") && !filter.contains("#")) {
      topicId = ch.topics().idFor(filter);
      if (topicId < 0) {
        ch.limit("max_topic_ids", "SUBSCRIBE beyond max_topic_ids " + ch.config().limits().maxTopicIds());
        ch.send(new Suback(0, 0, s.msgId(), ReturnCode.REJECTED_CONGESTION));
        return;
      }
    }
    int ackTopicId = topicId;
    ch.outbound().holdWhile(true);
    ch.session().subscribe(List.of(Subscription.of(ch.mountpoint().mountFilter(filter), s.qos())))
        .whenComplete(ch.whileCurrent((outcomes, e) -> {
          SubscribeOutcome o = e == null && outcomes != null && !outcomes.isEmpty() ? outcomes.get(0) : null;
          if (o != null && o.isGranted()) {
            ch.subscribed();
            ch.send(new Suback(o.grantedQos(), ackTopicId, s.msgId(), ReturnCode.ACCEPTED));
          } else if (o != null && o.failure() == SubscribeOutcome.Failure.QUOTA_EXCEEDED) {
            // max_subscriptions or max_topic_tree_nodes: 0x01 "congestion" (try later), as for a CONNECT over a cap
            ch.send(new Suback(0, 0, s.msgId(), ReturnCode.REJECTED_CONGESTION));
          } else {
            ch.send(new Suback(0, 0, s.msgId(), ReturnCode.REJECTED_NOT_SUPPORTED));
          }
          ch.outbound().holdWhile(false); // retained messages go out after the SUBACK that names their topic id
        }));
  }

  void onUnsubscribe(Unsubscribe u) {
    String filter = resolve(u.topic());
    if (filter == null) {
      ch.send(new Unsuback(u.msgId()));
      return;
    }
    ch.session().unsubscribe(List.of(new TopicFilter(ch.mountpoint().mountFilter(filter))))
        .whenComplete(ch.whileCurrent((v, e) -> ch.send(new Unsuback(u.msgId()))));
  }
}
