package io.estuary.mqtt.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.estuary.api.MessageProperties;
import io.estuary.api.Payload;
import io.estuary.api.UserProperty;
import io.estuary.mqtt.codec.MqttFrame.Publish;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.util.AttributeKey;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Publish properties through Netty's MQTT 5 encoder and decoder and {@link NettyFrames}, both ways. */
class NettyFramesTest {
  /** Netty's channel attribute for the negotiated version (set by its decoder from CONNECT). */
  static final AttributeKey<MqttVersion> VERSION = AttributeKey.valueOf("NETTY_CODEC_MQTT_VERSION");
  static final List<UserProperty> USER = List.of(new UserProperty("k", "v"), new UserProperty("k2", "v2"),
      new UserProperty("k", "v3"));

  @Test
  void a_publish_whose_only_properties_are_user_properties_keeps_them_in_order() {
    MqttProperties p = new MqttProperties();
    USER.forEach(u -> p.add(new MqttProperties.UserProperty(u.name(), u.value())));
    Publish decoded = (Publish) NettyFrames.decode(wire(publish(p)));
    assertThat(decoded.properties().userProperties()).containsExactlyElementsOf(USER);
  }

  @Test
  void a_will_whose_only_properties_are_user_properties_keeps_them() {
    MqttProperties p = new MqttProperties();
    p.add(new MqttProperties.UserProperty("w", "1"));
    assertThat(NettyFrames.properties(p).userProperties()).containsExactly(new UserProperty("w", "1"));
  }

  @Test
  void every_publish_property_survives_the_server_encoder_and_a_decoder() {
    MessageProperties all = new MessageProperties(1, 42L, "text/plain", "reply/here",
        Payload.copyOf("corr".getBytes(StandardCharsets.UTF_8)), USER);
    Publish out = new Publish("t/x", 7, 1, false, false, Payload.copyOf(new byte[] {1}), all, null, List.of(3));
    Publish back = (Publish) NettyFrames.decode(wire((MqttPublishMessage) NettyFrames.encode(out)));
    assertThat(back.properties()).isEqualTo(all);
  }

  @Test
  void a_publish_without_properties_decodes_to_none() {
    assertThat(((Publish) NettyFrames.decode(wire(publish(MqttProperties.NO_PROPERTIES)))).properties())
        .isSameAs(MessageProperties.NONE);
    assertThat(NettyFrames.properties(new MqttProperties())).isSameAs(MessageProperties.NONE);
    MqttProperties alias = new MqttProperties();
    alias.add(new MqttProperties.IntegerProperty(MqttPropertyType.TOPIC_ALIAS.value(), 3));
    assertThat(NettyFrames.properties(alias)).isEqualTo(MessageProperties.NONE);
  }

  private static MqttPublishMessage publish(MqttProperties p) {
    return MqttMessageBuilders.publish().topicName("t/x").qos(MqttQoS.AT_LEAST_ONCE).messageId(1).properties(p)
        .payload(io.netty.buffer.Unpooled.wrappedBuffer(new byte[] {1})).build();
  }

  /** Encodes with MQTT 5 on one embedded channel and decodes on another, like two peers would. */
  private static MqttMessage wire(MqttPublishMessage m) {
    EmbeddedChannel enc = new EmbeddedChannel(MqttEncoder.INSTANCE);
    enc.attr(VERSION).set(MqttVersion.MQTT_5);
    enc.writeOutbound(m);
    ByteBuf bytes = enc.readOutbound();
    EmbeddedChannel dec = new EmbeddedChannel(new MqttDecoder());
    dec.attr(VERSION).set(MqttVersion.MQTT_5);
    dec.writeInbound(bytes);
    MqttMessage got = dec.readInbound();
    assertThat(got.decoderResult().isSuccess()).as(String.valueOf(got.decoderResult())).isTrue();
    return got;
  }
}
