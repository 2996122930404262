package io.estuary.mqttsn.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.estuary.api.Payload;
import io.estuary.mqttsn.codec.DecodeResult.Decoded;
import io.estuary.mqttsn.codec.DecodeResult.FrameError;
import io.estuary.mqttsn.codec.MqttSnFrame.*;
import java.util.Arrays;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class MqttSnCodecTest {

  private static byte[] bytes(int... v) {
    byte[] b = new byte[v.length];
    for (int i = 0; i < v.length; i++) {
      b[i] = (byte) v[i];
    }
    return b;
  }

  private static MqttSnFrame decoded(byte[] b) {
    DecodeResult r = MqttSnCodec.decode(b);
    assertThat(r).isInstanceOf(Decoded.class);
    return ((Decoded) r).frame();
  }

  private static String error(byte[] b) {
    DecodeResult r = MqttSnCodec.decode(b);
    assertThat(r).isInstanceOf(FrameError.class);
    return ((FrameError) r).reason();
  }

  // ------------------------------------------------------------------ well-formed

  @Test
  void decode_connect_readsFlagsDurationAndClientId() {
    byte[] b = bytes(
        0x0A,             // length 10
        0x04,             // CONNECT
        0x0C,             // flags: will (0x08) + clean session (0x04)
        0x01,             // protocol id
        0x00, 0x3C,       // duration 60 s
        'd', 'e', 'v', '1');
    assertThat(decoded(b)).isEqualTo(new Connect(true, true, 60, "dev1"));
    assertThat(MqttSnCodec.encode(new Connect(true, true, 60, "dev1"))).isEqualTo(b);
  }

  @Test
  void decode_publish_qosMinusOne_predefinedTopic() {
    byte[] b = bytes(
        0x09,             // length 9
        0x0C,             // PUBLISH
        0x61,             // flags: QoS 0b11 (-1), topic id type predefined (0b01)
        0x00, 0x05,       // topic id 5
        0x00, 0x00,       // msg id 0
        'h', 'i');
    assertThat(decoded(b)).isEqualTo(new Publish(false, -1, false, new TopicRef.Predefined(5), 0, Payload.utf8("hi")));
    assertThat(MqttSnCodec.encode(decoded(b))).isEqualTo(b);
  }

  @Test
  void decode_publish_dupQos2RetainShortTopic() {
    byte[] b = bytes(
        0x07, 0x0C,
        0xD2,             // DUP 0x80 | QoS 2 0x40 | retain 0x10 | short topic 0b10
        'a', 'b',         // short topic name "ab"
        0x12, 0x34);      // msg id 0x1234, empty payload
    assertThat(decoded(b)).isEqualTo(new Publish(true, 2, true, new TopicRef.Short("ab"), 0x1234, Payload.EMPTY));
  }

  @Test
  void decode_threeOctetLengthForm_isAccepted() {
    byte[] data = new byte[300];
    Arrays.fill(data, (byte) 'x');
    Publish p = new Publish(false, 1, false, new TopicRef.Id(7), 9, Payload.copyOf(data));
    byte[] b = MqttSnCodec.encode(p);
    assertThat(b).startsWith(bytes(0x01, 0x01, 0x35, 0x0C)); // 0x01, length 309 = 4 + 5 + 300, PUBLISH
    assertThat(decoded(b)).isEqualTo(p);
  }

  @Test
  void decode_threeOctetLengthForm_forShortMessage_isAccepted() {
    byte[] b = bytes(0x01, 0x00, 0x04, 0x17); // 3-octet form, length 4, PINGRESP
    assertThat(decoded(b)).isEqualTo(new PingResp());
  }

  @Test
  void decode_emptyWillTopic_meansNoWill() {
    assertThat(decoded(bytes(0x02, 0x07))).isEqualTo(new WillTopic(0, false, ""));
    assertThat(decoded(bytes(0x02, 0x1A))).isEqualTo(new WillTopicUpd(0, false, ""));
  }

  @Test
  void decode_disconnect_withAndWithoutDuration() {
    assertThat(decoded(bytes(0x02, 0x18))).isEqualTo(Disconnect.plain());
    assertThat(decoded(bytes(0x04, 0x18, 0x01, 0x2C))).isEqualTo(new Disconnect(OptionalInt.of(300)));
  }

  @Test
  void decode_pingreq_withClientId() {
    assertThat(decoded(bytes(0x04, 0x16, 'c', '1'))).isEqualTo(new PingReq("c1"));
    assertThat(decoded(bytes(0x02, 0x16))).isEqualTo(new PingReq(""));
  }

  @Test
  void decode_subscribe_byNamePredefinedAndShort() {
    assertThat(decoded(bytes(0x08, 0x12, 0x20, 0x00, 0x01, 'a', '/', '#')))   // QoS 1, topic name
        .isEqualTo(new Subscribe(false, 1, 1, new TopicRef.Name("a/#")));
    assertThat(decoded(bytes(0x07, 0x12, 0x41, 0x00, 0x02, 0x00, 0x09)))     // QoS 2, predefined 9
        .isEqualTo(new Subscribe(false, 2, 2, new TopicRef.Predefined(9)));
    assertThat(decoded(bytes(0x07, 0x14, 0x02, 0x00, 0x03, 'x', 'y')))       // UNSUBSCRIBE short "xy"
        .isEqualTo(new Unsubscribe(3, new TopicRef.Short("xy")));
  }

  // ------------------------------------------------------------------ malformed

  @Test
  void decode_emptyDatagram_isTruncated() {
    assertThat(error(bytes())).contains("truncated");
  }

  @Test
  void decode_singleOctet_isTruncated() {
    assertThat(error(bytes(0x02))).contains("truncated");
  }

  @Test
  void decode_lengthLargerThanDatagram_isTruncated() {
    assertThat(error(bytes(0x05, 0x17, 0x00))).contains("truncated"); // says 5, has 3
  }

  @Test
  void decode_lengthSmallerThanDatagram_isLengthMismatch() {
    assertThat(error(bytes(0x02, 0x17, 0x00))).contains("length mismatch"); // says 2, has 3
  }

  @Test
  void decode_lengthZero_isRejected() {
    assertThat(error(bytes(0x00, 0x17))).contains("shorter than the header");
  }

  @Test
  void decode_threeOctetForm_truncatedHeader_isRejected() {
    assertThat(error(bytes(0x01, 0x00, 0x04))).contains("truncated");
  }

  @Test
  void decode_threeOctetForm_lengthBelowHeader_isRejected() {
    assertThat(error(bytes(0x01, 0x00, 0x03, 0x17))).contains("shorter than the header");
  }

  @Test
  void decode_unknownMessageType_isRejected() {
    assertThat(error(bytes(0x02, 0x03))).contains("unknown message type 0x03");
    assertThat(error(bytes(0x02, 0xFF))).contains("unknown message type 0xFF");
  }

  @Test
  void decode_publishTopicIdZero_isRejected() {
    assertThat(error(bytes(0x07, 0x0C, 0x00, 0x00, 0x00, 0x00, 0x01))).contains("reserved topic id 0x0000");
  }

  @Test
  void decode_publishTopicIdFFFF_isRejected() {
    assertThat(error(bytes(0x07, 0x0C, 0x01, 0xFF, 0xFF, 0x00, 0x01))).contains("reserved topic id 0xFFFF");
  }

  @Test
  void decode_publishReservedTopicIdType_isBadFlags() {
    assertThat(error(bytes(0x07, 0x0C, 0x03, 0x00, 0x01, 0x00, 0x01))).contains("bad flags");
  }

  @Test
  void decode_publishWithoutMsgId_isWrongLength() {
    assertThat(error(bytes(0x05, 0x0C, 0x00, 0x00, 0x01))).contains("PUBLISH: wrong body length");
  }

  @Test
  void decode_subscribeQosMinusOne_isBadFlags() {
    assertThat(error(bytes(0x07, 0x12, 0x60, 0x00, 0x01, 'a', 'b'))).contains("bad flags");
  }

  @Test
  void decode_subscribePredefinedIdZero_isRejected() {
    assertThat(error(bytes(0x07, 0x12, 0x01, 0x00, 0x01, 0x00, 0x00))).contains("reserved topic id");
  }

  @Test
  void decode_subscribeShortNameOfThreeOctets_isWrongLength() {
    assertThat(error(bytes(0x08, 0x12, 0x02, 0x00, 0x01, 'a', 'b', 'c'))).contains("wrong body length");
  }

  @Test
  void decode_subscribeWithoutTopic_isWrongLength() {
    assertThat(error(bytes(0x05, 0x12, 0x00, 0x00, 0x01))).contains("wrong body length");
  }

  @Test
  void decode_connectWithWrongProtocolId_isRejected() {
    assertThat(error(bytes(0x07, 0x04, 0x00, 0x02, 0x00, 0x3C, 'c'))).contains("protocol id");
  }

  @Test
  void decode_connectWithMalformedUtf8ClientId_isRejected() {
    assertThat(error(bytes(0x07, 0x04, 0x00, 0x01, 0x00, 0x3C, 0xC3))).contains("not UTF-8"); // lone lead byte
  }

  @Test
  void decode_connackWithReservedReturnCode_isRejected() {
    assertThat(error(bytes(0x03, 0x05, 0x04))).contains("reserved return code");
  }

  @Test
  void decode_pubackTooShort_isWrongLength() {
    assertThat(error(bytes(0x06, 0x0D, 0x00, 0x01, 0x00, 0x01))).contains("PUBACK: wrong body length");
  }

  @Test
  void decode_pingrespWithBody_isWrongLength() {
    assertThat(error(bytes(0x03, 0x17, 0x00))).contains("PINGRESP: wrong body length");
  }

  @Test
  void decode_disconnectWithOneOctetDuration_isWrongLength() {
    assertThat(error(bytes(0x03, 0x18, 0x01))).contains("DISCONNECT: wrong body length");
  }

  @Test
  void decode_willTopicQosMinusOne_isBadFlags() {
    assertThat(error(bytes(0x04, 0x07, 0x60, 'w'))).contains("bad flags");
  }

  @Test
  void decode_registerWithoutTopicName_isWrongLength() {
    assertThat(error(bytes(0x06, 0x0A, 0x00, 0x00, 0x00, 0x01))).contains("REGISTER: wrong body length");
  }

  @Test
  void decode_advertiseTooLong_isWrongLength() {
    assertThat(error(bytes(0x06, 0x00, 0x01, 0x00, 0x10, 0x00))).contains("ADVERTISE: wrong body length");
  }

  @Test
  void decode_subackQosMinusOne_isBadFlags() {
    assertThat(error(bytes(0x08, 0x13, 0x60, 0x00, 0x01, 0x00, 0x01, 0x00))).contains("bad flags");
  }

  // ------------------------------------------------------------------ forwarder encapsulation (§5.5)

  @Test
  void decode_encapsulated_readsRadiusNodeIdAndTheInnerMessage() {
    byte[] b = bytes(
        0x05, 0xFE, 0x01, 0xAB, 0xCD,           // length 5 (header only), 0xFE, Ctrl radius 1, node id AB CD
        0x04, 0x16, 'd', 'x');                  // PINGREQ "dx"
    assertThat(decoded(b)).isEqualTo(new Encapsulated(1, Payload.copyOf(new byte[] {(byte) 0xAB, (byte) 0xCD}),
        new PingReq("dx")));
  }

  @Test
  void encapsulated_roundTrips() {
    Encapsulated e = new Encapsulated(0, Payload.copyOf(new byte[] {1, 2, 3}),
        new Publish(false, 1, false, new TopicRef.Id(5), 9, Payload.utf8("hi")));
    assertThat(decoded(MqttSnCodec.encode(e))).isEqualTo(e);
  }

  @Test
  void decode_encapsulatedWithoutNodeId_isRejected() {
    assertThat(error(bytes(0x03, 0xFE, 0x00, 0x02, 0x17))).contains("node id");
  }

  @Test
  void decode_encapsulatedWithReservedCtrlBits_isRejected() {
    assertThat(error(bytes(0x04, 0xFE, 0x04, 0x01, 0x02, 0x17))).contains("Ctrl");
  }

  @Test
  void decode_nestedEncapsulation_isRejected() {
    assertThat(error(bytes(0x04, 0xFE, 0x00, 0x01, 0x04, 0xFE, 0x00, 0x02, 0x02, 0x17))).contains("nested");
  }

  @Test
  void decode_encapsulatedMalformedMessage_isRejected() {
    assertThat(error(bytes(0x04, 0xFE, 0x00, 0x01, 0x05, 0x17))).startsWith("encapsulated:");
  }

  @Test
  void decode_encapsulationHeaderLongerThanTheDatagram_isRejected() {
    assertThat(error(bytes(0x09, 0xFE, 0x00, 0x01, 0x02))).contains("truncated");
  }
}
