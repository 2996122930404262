package io.estuary.mqttsn.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.estuary.api.Payload;
import io.estuary.mqttsn.codec.DecodeResult.Decoded;
import io.estuary.mqttsn.codec.MqttSnFrame.*;
import java.util.OptionalInt;
import net.jqwik.api.*;

/** Round-trip and fuzz properties: encode∘decode is the identity, and no input makes decode throw. */
class MqttSnCodecPropertiesTest {

  @Property(tries = 2000)
  void encoded_frames_decode_to_the_same_frame(@ForAll("frames") MqttSnFrame frame) {
    assertThat(MqttSnCodec.decode(MqttSnCodec.encode(frame))).isEqualTo(new Decoded(frame));
  }

  @Property(tries = 5000)
  void random_bytes_never_throw(@ForAll byte[] datagram) {
    assertThat(MqttSnCodec.decode(datagram)).isNotNull();
  }

  @Property(tries = 5000)
  void mutated_valid_frames_never_throw(
      @ForAll("frames") MqttSnFrame frame, @ForAll int position, @ForAll byte value, @ForAll("cut") int cut) {
    byte[] b = MqttSnCodec.encode(frame);
    b[Math.floorMod(position, b.length)] = value;
    int len = Math.max(0, b.length - cut);
    DecodeResult r = MqttSnCodec.decode(b, 0, len);
    assertThat(r).isNotNull();
    if (r instanceof Decoded d) { // whatever decodes must encode again
      assertThat(MqttSnCodec.encode(d.frame())).isNotNull();
    }
  }

  @Provide
  Arbitrary<Integer> cut() {
    return Arbitraries.frequencyOf(Tuple.of(3, Arbitraries.just(0)), Tuple.of(1, Arbitraries.integers().between(1, 4)));
  }

  @Provide
  Arbitrary<MqttSnFrame> frames() {
    Arbitrary<Integer> u8 = Arbitraries.integers().between(0, 0xFF);
    Arbitrary<Integer> u16 = Arbitraries.integers().between(0, 0xFFFF);
    Arbitrary<Integer> qos = Arbitraries.integers().between(0, 2);
    Arbitrary<Boolean> bool = Arbitraries.of(true, false);
    Arbitrary<String> text = Arbitraries.strings().ofMinLength(0).ofMaxLength(40)
        .withCharRange('a', 'z').withChars('/', '+', '#', 'é', '水');
    Arbitrary<String> nonEmpty = text.filter(s -> !s.isEmpty());
    Arbitrary<Payload> payload = Arbitraries.bytes().array(byte[].class).ofMaxSize(400).map(Payload::copyOf);
    Arbitrary<ReturnCode> rc = Arbitraries.of(ReturnCode.class);
    Arbitrary<Integer> id = Arbitraries.integers().between(1, 0xFFFE);
    Arbitrary<TopicRef> shortName = Arbitraries.strings().withCharRange((char) 0, (char) 0xFF).ofLength(2).map(TopicRef.Short::new);
    Arbitrary<TopicRef> pubTopic = Arbitraries.oneOf(id.map(TopicRef.Id::new), id.map(TopicRef.Predefined::new), shortName);
    Arbitrary<TopicRef> subTopic = Arbitraries.oneOf(nonEmpty.map(TopicRef.Name::new), id.map(TopicRef.Predefined::new), shortName);
    return Arbitraries.oneOf(
        Combinators.combine(u8, u16).as(Advertise::new),
        u8.map(SearchGw::new),
        Combinators.combine(u8, payload).as(GwInfo::new),
        Combinators.combine(bool, bool, u16, text).as(Connect::new),
        rc.map(Connack::new),
        Arbitraries.just(new WillTopicReq()),
        Combinators.combine(qos, bool, text).as(WillTopic::new),
        Arbitraries.just(new WillMsgReq()),
        payload.map(WillMsg::new),
        Combinators.combine(u16, u16, nonEmpty).as(Register::new),
        Combinators.combine(u16, u16, rc).as(Regack::new),
        Combinators.combine(bool, Arbitraries.integers().between(-1, 2), bool, pubTopic, u16, payload).as(Publish::new),
        Combinators.combine(u16, u16, rc).as(Puback::new),
        u16.map(Pubrec::new),
        u16.map(Pubrel::new),
        u16.map(Pubcomp::new),
        Combinators.combine(bool, qos, u16, subTopic).as(Subscribe::new),
        Combinators.combine(qos, u16, u16, rc).as(Suback::new),
        Combinators.combine(u16, subTopic).as(Unsubscribe::new),
        u16.map(Unsuback::new),
        text.map(PingReq::new),
        Arbitraries.just(new PingResp()),
        Arbitraries.oneOf(Arbitraries.just(Disconnect.plain()), u16.map(d -> new Disconnect(OptionalInt.of(d)))),
        Combinators.combine(qos, bool, text).as(WillTopicUpd::new),
        rc.map(WillTopicResp::new),
        payload.map(WillMsgUpd::new),
        rc.map(WillMsgResp::new));
  }
}
