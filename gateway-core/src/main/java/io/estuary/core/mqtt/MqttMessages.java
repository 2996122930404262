package io.estuary.core.mqtt;

import io.estuary.api.Delivery;
import io.estuary.api.Message;
import io.estuary.api.MessageProperties;
import io.estuary.api.Payload;
import io.estuary.api.UserProperty;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import java.util.ArrayList;
import java.util.List;

/** Conversions between Netty's MQTT messages and the core's protocol-neutral model. Stateless. */
final class MqttMessages {
  private MqttMessages() {}

  static Integer intProp(MqttProperties p, MqttPropertyType t) {
    MqttProperties.MqttProperty<?> prop = p.getProperty(t.value());
    return prop == null ? null : (Integer) prop.value();
  }

  static String stringProp(MqttProperties p, MqttPropertyType t) {
    MqttProperties.MqttProperty<?> prop = p.getProperty(t.value());
    return prop == null ? null : (String) prop.value();
  }

  static byte[] binaryProp(MqttProperties p, MqttPropertyType t) {
    MqttProperties.MqttProperty<?> prop = p.getProperty(t.value());
    return prop == null ? null : (byte[]) prop.value();
  }

  /** The publish properties forwarded untouched (MQTT 5 §3.3.2.3); topic alias and subscription ids excluded. */
  static MessageProperties fromNetty(MqttProperties p) {
    if (p == null || p.isEmpty()) {
      return MessageProperties.NONE;
    }
    Integer expiry = intProp(p, MqttPropertyType.PUBLICATION_EXPIRY_INTERVAL);
    byte[] corr = binaryProp(p, MqttPropertyType.CORRELATION_DATA);
    List<UserProperty> users = new ArrayList<>();
    for (MqttProperties.MqttProperty<?> up : p.getProperties(MqttPropertyType.USER_PROPERTY.value())) {
      if (up instanceof MqttProperties.UserProperty u) {
        users.add(new UserProperty(u.value().key, u.value().value));
      } else if (up instanceof MqttProperties.UserProperties us) {
        us.value().forEach(sp -> users.add(new UserProperty(sp.key, sp.value)));
      }
    }
    return new MessageProperties(
        intProp(p, MqttPropertyType.PAYLOAD_FORMAT_INDICATOR),
        expiry == null ? null : Integer.toUnsignedLong(expiry),
        stringProp(p, MqttPropertyType.CONTENT_TYPE),
        stringProp(p, MqttPropertyType.RESPONSE_TOPIC),
        corr == null ? null : Payload.copyOf(corr),
        users);
  }

  static MqttProperties toNetty(MessageProperties mp, List<Integer> subscriptionIds, int topicAlias) {
    MqttProperties p = new MqttProperties();
    if (mp.payloadFormatIndicator() != null) {
      p.add(new MqttProperties.IntegerProperty(MqttPropertyType.PAYLOAD_FORMAT_INDICATOR.value(), mp.payloadFormatIndicator()));
    }
    if (mp.messageExpiryInterval() != null) {
      p.add(new MqttProperties.IntegerProperty(MqttPropertyType.PUBLICATION_EXPIRY_INTERVAL.value(), mp.messageExpiryInterval().intValue()));
    }
    if (mp.contentType() != null) {
      p.add(new MqttProperties.StringProperty(MqttPropertyType.CONTENT_TYPE.value(), mp.contentType()));
    }
    if (mp.responseTopic() != null) {
      p.add(new MqttProperties.StringProperty(MqttPropertyType.RESPONSE_TOPIC.value(), mp.responseTopic()));
    }
    if (mp.correlationData() != null) {
      p.add(new MqttProperties.BinaryProperty(MqttPropertyType.CORRELATION_DATA.value(), mp.correlationData().toByteArray()));
    }
    if (!mp.userProperties().isEmpty()) {
      MqttProperties.UserProperties ups = new MqttProperties.UserProperties();
      mp.userProperties().forEach(u -> ups.add(u.name(), u.value()));
      p.add(ups);
    }
    for (Integer id : subscriptionIds) {
      p.add(new MqttProperties.IntegerProperty(MqttPropertyType.SUBSCRIPTION_IDENTIFIER.value(), id));
    }
    if (topicAlias > 0) {
      p.add(new MqttProperties.IntegerProperty(MqttPropertyType.TOPIC_ALIAS.value(), topicAlias));
    }
    return p;
  }

  static Payload payload(ByteBuf buf) {
    return Payload.wrapOwned(ByteBufUtil.getBytes(buf));
  }

  static MqttPublishMessage publish(Delivery d, String topic, int alias, boolean v5) {
    Message m = d.message();
    MqttFixedHeader fh = new MqttFixedHeader(MqttMessageType.PUBLISH, d.duplicate(), MqttQoS.valueOf(m.qos()), m.retain(), 0);
    MqttProperties props = v5 ? toNetty(m.properties(), d.subscriptionIds(), alias) : MqttProperties.NO_PROPERTIES;
    int packetId = m.qos() == 0 ? -1 : (int) d.id().value();
    return new MqttPublishMessage(fh, new MqttPublishVariableHeader(topic, packetId, props), Unpooled.wrappedBuffer(m.payload().buffer()));
  }
}
