package io.estuary.mqttsn.codec;

import io.estuary.api.Payload;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * One MQTT-SN 1.2 message (§5.4), as a value. Fields hold only what the message carries; flag bits a
 * message does not use are not modelled. Constructors reject values the wire cannot carry
 * ({@link IllegalArgumentException}): the decoder checks input before building a frame.
 *
 * <p>QoS is -1, 0, 1 or 2 where a message allows it; -1 is the flag value 0b11 (§5.3.4).
 */
public sealed interface MqttSnFrame {

  /** The MsgType octet (§5.3.2). */
  int msgType();

  // --- gateway discovery (§5.4.2 - §5.4.4)

  record Advertise(int gatewayId, int durationSeconds) implements MqttSnFrame {
    public Advertise {
      u8(gatewayId, "gatewayId");
      u16(durationSeconds, "durationSeconds");
    }

    @Override
    public int msgType() {
      return MsgType.ADVERTISE;
    }
  }

  record SearchGw(int radius) implements MqttSnFrame {
    public SearchGw {
      u8(radius, "radius");
    }

    @Override
    public int msgType() {
      return MsgType.SEARCHGW;
    }
  }

  /** {@code gatewayAddress} is empty when the gateway itself answers (§5.4.4). */
  record GwInfo(int gatewayId, Payload gatewayAddress) implements MqttSnFrame {
    public GwInfo {
      u8(gatewayId, "gatewayId");
      Objects.requireNonNull(gatewayAddress, "gatewayAddress");
    }

    @Override
    public int msgType() {
      return MsgType.GWINFO;
    }
  }

  // --- forwarder encapsulation (§5.5)

  /**
   * A message relayed by a forwarder: {@code radius} is the Ctrl octet's broadcast radius (0..3),
   * {@code wirelessNodeId} names the client behind the forwarder (1..252 octets), {@code message} is the
   * client's own message. Encapsulations do not nest.
   */
  record Encapsulated(int radius, Payload wirelessNodeId, MqttSnFrame message) implements MqttSnFrame {
    public Encapsulated {
      if (radius < 0 || radius > 3) {
        throw new IllegalArgumentException("radius must be 0..3, was " + radius);
      }
      Objects.requireNonNull(wirelessNodeId, "wirelessNodeId");
      if (wirelessNodeId.size() < 1 || wirelessNodeId.size() > 252) {
        throw new IllegalArgumentException("wirelessNodeId must be 1..252 octets, was " + wirelessNodeId.size());
      }
      Objects.requireNonNull(message, "message");
      if (message instanceof Encapsulated) {
        throw new IllegalArgumentException("encapsulated messages do not nest");
      }
    }

    @Override
    public int msgType() {
      return MsgType.ENCAPSULATED;
    }
  }

  // --- connection (§5.4.5 - §5.4.9)

  record Connect(boolean will, boolean cleanSession, int durationSeconds, String clientId) implements MqttSnFrame {
    public Connect {
      u16(durationSeconds, "durationSeconds");
      Objects.requireNonNull(clientId, "clientId");
    }

    @Override
    public int msgType() {
      return MsgType.CONNECT;
    }
  }

  record Connack(ReturnCode returnCode) implements MqttSnFrame {
    public Connack {
      Objects.requireNonNull(returnCode, "returnCode");
    }

    @Override
    public int msgType() {
      return MsgType.CONNACK;
    }
  }

  record WillTopicReq() implements MqttSnFrame {
    @Override
    public int msgType() {
      return MsgType.WILLTOPICREQ;
    }
  }

  /**
   * An empty topic is the "empty WILLTOPIC" (two octets, no flags): the client has no will (§5.4.7).
   * QoS and retain are then normalised to 0/false so that the value round-trips.
   */
  record WillTopic(int qos, boolean retain, String topic) implements MqttSnFrame {
    public WillTopic {
      Objects.requireNonNull(topic, "topic");
      qos = topic.isEmpty() ? 0 : qos;
      retain = !topic.isEmpty() && retain;
      qos012(qos);
    }

    public boolean isEmpty() {
      return topic.isEmpty();
    }

    @Override
    public int msgType() {
      return MsgType.WILLTOPIC;
    }
  }

  record WillMsgReq() implements MqttSnFrame {
    @Override
    public int msgType() {
      return MsgType.WILLMSGREQ;
    }
  }

  record WillMsg(Payload message) implements MqttSnFrame {
    public WillMsg {
      Objects.requireNonNull(message, "message");
    }

    @Override
    public int msgType() {
      return MsgType.WILLMSG;
    }
  }

  // --- topic registration (§5.4.10, §5.4.11)

  /** {@code topicId} is 0x0000 when a client sends it (§5.4.10). */
  record Register(int topicId, int msgId, String topicName) implements MqttSnFrame {
    public Register {
      u16(topicId, "topicId");
      u16(msgId, "msgId");
      Objects.requireNonNull(topicName, "topicName");
    }

    @Override
    public int msgType() {
      return MsgType.REGISTER;
    }
  }

  record Regack(int topicId, int msgId, ReturnCode returnCode) implements MqttSnFrame {
    public Regack {
      u16(topicId, "topicId");
      u16(msgId, "msgId");
      Objects.requireNonNull(returnCode, "returnCode");
    }

    @Override
    public int msgType() {
      return MsgType.REGACK;
    }
  }

  // --- publish (§5.4.12 - §5.4.14)

  /** {@code msgId} is not relevant for QoS 0 and -1 and is then usually 0x0000. */
  record Publish(boolean dup, int qos, boolean retain, TopicRef topic, int msgId, Payload data)
      implements MqttSnFrame {
    public Publish {
      if (qos < -1 || qos > 2) {
        throw new IllegalArgumentException("qos must be -1..2, was " + qos);
      }
      Objects.requireNonNull(topic, "topic");
      if (topic instanceof TopicRef.Name) {
        throw new IllegalArgumentException("PUBLISH carries a topic id or short name, not a topic name");
      }
      u16(msgId, "msgId");
      Objects.requireNonNull(data, "data");
    }

    @Override
    public int msgType() {
      return MsgType.PUBLISH;
    }
  }

  /** {@code topicId} is the raw two octets of the PUBLISH being acknowledged. */
  record Puback(int topicId, int msgId, ReturnCode returnCode) implements MqttSnFrame {
    public Puback {
      u16(topicId, "topicId");
      u16(msgId, "msgId");
      Objects.requireNonNull(returnCode, "returnCode");
    }

    @Override
    public int msgType() {
      return MsgType.PUBACK;
    }
  }

  record Pubrec(int msgId) implements MqttSnFrame {
    public Pubrec {
      u16(msgId, "msgId");
    }

    @Override
    public int msgType() {
      return MsgType.PUBREC;
    }
  }

  record Pubrel(int msgId) implements MqttSnFrame {
    public Pubrel {
      u16(msgId, "msgId");
    }

    @Override
    public int msgType() {
      return MsgType.PUBREL;
    }
  }

  record Pubcomp(int msgId) implements MqttSnFrame {
    public Pubcomp {
      u16(msgId, "msgId");
    }

    @Override
    public int msgType() {
      return MsgType.PUBCOMP;
    }
  }

  // --- subscriptions (§5.4.15 - §5.4.18)

  /** {@code topic} is a {@link TopicRef.Name}, {@link TopicRef.Predefined} or {@link TopicRef.Short}. */
  record Subscribe(boolean dup, int qos, int msgId, TopicRef topic) implements MqttSnFrame {
    public Subscribe {
      qos012(qos);
      u16(msgId, "msgId");
      subscribeTopic(topic);
    }

    @Override
    public int msgType() {
      return MsgType.SUBSCRIBE;
    }
  }

  /** {@code topicId} is 0x0000 for wildcard and short-name subscriptions (§5.4.16). */
  record Suback(int grantedQos, int topicId, int msgId, ReturnCode returnCode) implements MqttSnFrame {
    public Suback {
      qos012(grantedQos);
      u16(topicId, "topicId");
      u16(msgId, "msgId");
      Objects.requireNonNull(returnCode, "returnCode");
    }

    @Override
    public int msgType() {
      return MsgType.SUBACK;
    }
  }

  record Unsubscribe(int msgId, TopicRef topic) implements MqttSnFrame {
    public Unsubscribe {
      u16(msgId, "msgId");
      subscribeTopic(topic);
    }

    @Override
    public int msgType() {
      return MsgType.UNSUBSCRIBE;
    }
  }

  record Unsuback(int msgId) implements MqttSnFrame {
    public Unsuback {
      u16(msgId, "msgId");
    }

    @Override
    public int msgType() {
      return MsgType.UNSUBACK;
    }
  }

  // --- keepalive and disconnect (§5.4.19 - §5.4.21)

  /** {@code clientId} is empty when absent; a sleeping client sends it to wake up (§6.14). */
  record PingReq(String clientId) implements MqttSnFrame {
    public PingReq {
      Objects.requireNonNull(clientId, "clientId");
    }

    @Override
    public int msgType() {
      return MsgType.PINGREQ;
    }
  }

  record PingResp() implements MqttSnFrame {
    @Override
    public int msgType() {
      return MsgType.PINGRESP;
    }
  }

  /** With a duration the client goes to sleep for that many seconds (§6.14). */
  record Disconnect(OptionalInt durationSeconds) implements MqttSnFrame {
    public Disconnect {
      Objects.requireNonNull(durationSeconds, "durationSeconds");
      if (durationSeconds.isPresent()) {
        u16(durationSeconds.getAsInt(), "durationSeconds");
      }
    }

    public static Disconnect plain() {
      return new Disconnect(OptionalInt.empty());
    }

    public static Disconnect sleep(int seconds) {
      return new Disconnect(OptionalInt.of(seconds));
    }

    @Override
    public int msgType() {
      return MsgType.DISCONNECT;
    }
  }

  // --- will updates (§5.4.22 - §5.4.25)

  /** An empty topic is the empty WILLTOPICUPD: delete the will (§5.4.22). */
  record WillTopicUpd(int qos, boolean retain, String topic) implements MqttSnFrame {
    public WillTopicUpd {
      Objects.requireNonNull(topic, "topic");
      qos = topic.isEmpty() ? 0 : qos;
      retain = !topic.isEmpty() && retain;
      qos012(qos);
    }

    public boolean isEmpty() {
      return topic.isEmpty();
    }

    @Override
    public int msgType() {
      return MsgType.WILLTOPICUPD;
    }
  }

  record WillTopicResp(ReturnCode returnCode) implements MqttSnFrame {
    public WillTopicResp {
      Objects.requireNonNull(returnCode, "returnCode");
    }

    @Override
    public int msgType() {
      return MsgType.WILLTOPICRESP;
    }
  }

  record WillMsgUpd(Payload message) implements MqttSnFrame {
    public WillMsgUpd {
      Objects.requireNonNull(message, "message");
    }

    @Override
    public int msgType() {
      return MsgType.WILLMSGUPD;
    }
  }

  record WillMsgResp(ReturnCode returnCode) implements MqttSnFrame {
    public WillMsgResp {
      Objects.requireNonNull(returnCode, "returnCode");
    }

    @Override
    public int msgType() {
      return MsgType.WILLMSGRESP;
    }
  }

  private static void u8(int v, String name) {
    if (v < 0 || v > 0xFF) {
      throw new IllegalArgumentException(name + " must be 0..255, was " + v);
    }
  }

  private static void u16(int v, String name) {
    if (v < 0 || v > 0xFFFF) {
      throw new IllegalArgumentException(name + " must be 0..65535, was " + v);
    }
  }

  private static void qos012(int qos) {
    if (qos < 0 || qos > 2) {
      throw new IllegalArgumentException("qos must be 0..2, was " + qos);
    }
  }

  private static void subscribeTopic(TopicRef topic) {
    Objects.requireNonNull(topic, "topic");
    if (topic instanceof TopicRef.Id) {
      throw new IllegalArgumentException("SUBSCRIBE/UNSUBSCRIBE take a topic name, predefined id or short name");
    }
  }
}
