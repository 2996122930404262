package io.estuary.mqtt.codec;

import io.estuary.api.MessageProperties;
import io.estuary.api.Payload;
import io.estuary.api.UserProperty;
import io.estuary.mqtt.codec.FrameError.Kind;
import io.estuary.mqtt.codec.MqttFrame.ConnAck;
import io.estuary.mqtt.codec.MqttFrame.Connect;
import io.estuary.mqtt.codec.MqttFrame.Disconnect;
import io.estuary.mqtt.codec.MqttFrame.PingReq;
import io.estuary.mqtt.codec.MqttFrame.PingResp;
import io.estuary.mqtt.codec.MqttFrame.PubAck;
import io.estuary.mqtt.codec.MqttFrame.PubComp;
import io.estuary.mqtt.codec.MqttFrame.PubRec;
import io.estuary.mqtt.codec.MqttFrame.PubRel;
import io.estuary.mqtt.codec.MqttFrame.Publish;
import io.estuary.mqtt.codec.MqttFrame.ServerProperties;
import io.estuary.mqtt.codec.MqttFrame.SubAck;
import io.estuary.mqtt.codec.MqttFrame.Subscribe;
import io.estuary.mqtt.codec.MqttFrame.TopicRequest;
import io.estuary.mqtt.codec.MqttFrame.UnsubAck;
import io.estuary.mqtt.codec.MqttFrame.Unsubscribe;
import io.estuary.mqtt.codec.MqttFrame.Will;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnAckVariableHeader;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttIdentifierRejectedException;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageIdAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType;
import io.netty.handler.codec.mqtt.MqttPubReplyMessageVariableHeader;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import io.netty.handler.codec.mqtt.MqttSubAckPayload;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import io.netty.handler.codec.mqtt.MqttTopicSubscription;
import io.netty.handler.codec.mqtt.MqttUnacceptableProtocolVersionException;
import io.netty.handler.codec.mqtt.MqttUnsubAckMessage;
import io.netty.handler.codec.mqtt.MqttUnsubAckPayload;
import io.netty.handler.codec.mqtt.MqttUnsubscribeMessage;
import java.util.ArrayList;
import java.util.List;

/** Netty's MQTT messages ↔ {@link MqttFrame}s. Stateless; the caller owns (and releases) Netty's buffers. */
public final class NettyFrames {
  private NettyFrames() {}

  // ---- decoding -------------------------------------------------------------------------------

  /** A successfully decoded message (its {@code decoderResult()} is a success) as a frame. */
  public static MqttFrame decode(MqttMessage m) {
    MqttMessageType type = m.fixedHeader().messageType();
    return switch (type) {
      case CONNECT -> connect((MqttConnectMessage) m);
      case PUBLISH -> publish((MqttPublishMessage) m);
      case PUBACK -> new PubAck(messageId(m), replyCode(m));
      case PUBREC -> new PubRec(messageId(m), replyCode(m));
      case PUBREL -> new PubRel(messageId(m), replyCode(m));
      case PUBCOMP -> new PubComp(messageId(m), replyCode(m));
      case SUBSCRIBE -> subscribe((MqttSubscribeMessage) m);
      case UNSUBSCRIBE -> unsubscribe((MqttUnsubscribeMessage) m);
      case PINGREQ -> new PingReq();
      case DISCONNECT -> new Disconnect(m.variableHeader() instanceof MqttReasonCodeAndPropertiesVariableHeader rh
          ? rh.reasonCode() & 0xFF : 0);
      default -> new MqttFrame.Unexpected(type.name());
    };
  }

  /**
   * A rule Netty's decoder does not check on a message it decoded, or null: Will QoS or Will Retain set
   * without the Will Flag (MQTT-3.1.2-11, MQTT-3.1.2-13) and DUP set on a QoS 0 PUBLISH (MQTT-3.3.1-2) are
   * malformed packets.
   */
  public static FrameError violation(MqttMessage m) {
    if (m instanceof MqttConnectMessage c) {
      var vh = c.variableHeader();
      if (!vh.isWillFlag() && (vh.willQos() != 0 || vh.isWillRetain())) {
        return new FrameError(Kind.MALFORMED, "Will QoS or Will Retain set without the Will Flag");
      }
    } else if (m instanceof MqttPublishMessage p) {
      if (p.fixedHeader().isDup() && p.fixedHeader().qosLevel() == MqttQoS.AT_MOST_ONCE) {
        return new FrameError(Kind.MALFORMED, "DUP set on a QoS 0 PUBLISH");
      }
    }
    return null;
  }

  /** What a decoder failure means for the state machine. */
  public static FrameError error(Throwable cause) {
    String detail = String.valueOf(cause);
    if (cause instanceof MqttUnacceptableProtocolVersionException) {
      return new FrameError(Kind.UNACCEPTABLE_PROTOCOL_VERSION, detail);
    }
    if (cause instanceof MqttIdentifierRejectedException) {
      return new FrameError(Kind.IDENTIFIER_REJECTED, detail);
    }
    // Netty reports an oversize remaining length as TooLongFrameException or a DecoderException, by version
    String m = String.valueOf(cause.getMessage());
    if (cause instanceof TooLongFrameException || m.contains("too large") || m.contains("exceeds limit")) {
      return new FrameError(Kind.TOO_LARGE, detail);
    }
    return new FrameError(Kind.MALFORMED, detail);
  }

  private static Connect connect(MqttConnectMessage m) {
    var vh = m.variableHeader();
    var pl = m.payload();
    MqttProperties props = vh.properties();
    Will will = null;
    if (vh.isWillFlag()) {
      MqttProperties wp = pl.willProperties();
      will = new Will(pl.willTopic(), pl.willMessageInBytes(), vh.willQos(), vh.isWillRetain(), properties(wp),
          wp == null ? null : intProp(wp, MqttPropertyType.WILL_DELAY_INTERVAL));
    }
    return new Connect(vh.version(), pl.clientIdentifier(), vh.isCleanSession(), vh.keepAliveTimeSeconds(),
        vh.hasUserName() ? pl.userName() : null, vh.hasPassword() ? pl.passwordInBytes() : null, will,
        intProp(props, MqttPropertyType.SESSION_EXPIRY_INTERVAL), intProp(props, MqttPropertyType.RECEIVE_MAXIMUM),
        intProp(props, MqttPropertyType.MAXIMUM_PACKET_SIZE), intProp(props, MqttPropertyType.TOPIC_ALIAS_MAXIMUM),
        props == null ? null : stringProp(props, MqttPropertyType.AUTHENTICATION_METHOD));
  }

  private static Publish publish(MqttPublishMessage p) {
    var fh = p.fixedHeader();
    var vh = p.variableHeader();
    MqttProperties props = vh.properties();
    return new Publish(vh.topicName(), vh.packetId(), fh.qosLevel().value(), fh.isRetain(), fh.isDup(),
        Payload.wrapOwned(ByteBufUtil.getBytes(p.payload())), properties(props), intProp(props, MqttPropertyType.TOPIC_ALIAS),
        List.of());
  }

  private static Subscribe subscribe(MqttSubscribeMessage m) {
    var vh = m.idAndPropertiesVariableHeader();
    List<TopicRequest> topics = new ArrayList<>();
    for (MqttTopicSubscription ts : m.payload().topicSubscriptions()) {
      var o = ts.option();
      topics.add(new TopicRequest(ts.topicName(), o.qos().value(), o.isNoLocal(), o.isRetainAsPublished(), o.retainHandling().value()));
    }
    return new Subscribe(vh.messageId(), intProp(vh.properties(), MqttPropertyType.SUBSCRIPTION_IDENTIFIER), topics);
  }

  private static Unsubscribe unsubscribe(MqttUnsubscribeMessage m) {
    return new Unsubscribe(m.idAndPropertiesVariableHeader().messageId(), m.payload().topics());
  }

  private static int messageId(MqttMessage m) {
    return ((MqttMessageIdVariableHeader) m.variableHeader()).messageId();
  }

  private static int replyCode(MqttMessage m) {
    return m.variableHeader() instanceof MqttPubReplyMessageVariableHeader r ? r.reasonCode() & 0xFF : 0;
  }

  static Integer intProp(MqttProperties p, MqttPropertyType t) {
    if (p == null) {
      return null;
    }
    MqttProperties.MqttProperty<?> prop = p.getProperty(t.value());
    return prop == null ? null : (Integer) prop.value();
  }

  private static String stringProp(MqttProperties p, MqttPropertyType t) {
    MqttProperties.MqttProperty<?> prop = p.getProperty(t.value());
    return prop == null ? null : (String) prop.value();
  }

  private static byte[] binaryProp(MqttProperties p, MqttPropertyType t) {
    MqttProperties.MqttProperty<?> prop = p.getProperty(t.value());
    return prop == null ? null : (byte[]) prop.value();
  }

  /** The publish properties forwarded untouched (MQTT 5 §3.3.2.3); topic alias and subscription ids excluded. */
  static MessageProperties properties(MqttProperties p) {
    // Netty's MqttProperties.isEmpty() looks only at its map and ignores user properties and subscription
    // ids, which it keeps in separate lists: a PUBLISH whose only properties are user properties is not empty.
    if (p == null || p.listAll().isEmpty()) {
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

  // ---- encoding -------------------------------------------------------------------------------

  /** A frame the server sends, as Netty's message for {@code MqttEncoder}. */
  public static MqttMessage encode(MqttFrame f) {
    if (f instanceof Publish p) {
      return publish(p);
    } else if (f instanceof PubAck a) {
      return pubReply(MqttMessageType.PUBACK, a.packetId(), a.reasonCode());
    } else if (f instanceof PubRec r) {
      return pubReply(MqttMessageType.PUBREC, r.packetId(), r.reasonCode());
    } else if (f instanceof PubRel r) {
      return pubReply(MqttMessageType.PUBREL, r.packetId(), r.reasonCode());
    } else if (f instanceof PubComp c) {
      return pubReply(MqttMessageType.PUBCOMP, c.packetId(), c.reasonCode());
    } else if (f instanceof ConnAck c) {
      return connAck(c);
    } else if (f instanceof SubAck s) {
      return new MqttSubAckMessage(fixed(MqttMessageType.SUBACK, MqttQoS.AT_MOST_ONCE),
          new MqttMessageIdAndPropertiesVariableHeader(s.packetId(), MqttProperties.NO_PROPERTIES), new MqttSubAckPayload(s.reasonCodes()));
    } else if (f instanceof UnsubAck u) {
      return unsubAck(u);
    } else if (f instanceof PingResp) {
      return new MqttMessage(fixed(MqttMessageType.PINGRESP, MqttQoS.AT_MOST_ONCE));
    } else if (f instanceof Disconnect d) {
      return new MqttMessage(fixed(MqttMessageType.DISCONNECT, MqttQoS.AT_MOST_ONCE),
          new MqttReasonCodeAndPropertiesVariableHeader((byte) d.reasonCode(), MqttProperties.NO_PROPERTIES));
    }
    throw new IllegalArgumentException("the server does not send " + f.getClass().getSimpleName());
  }

  private static MqttFixedHeader fixed(MqttMessageType type, MqttQoS qos) {
    return new MqttFixedHeader(type, false, qos, false, 0);
  }

  private static MqttMessage pubReply(MqttMessageType type, int packetId, int reasonCode) {
    MqttQoS q = type == MqttMessageType.PUBREL ? MqttQoS.AT_LEAST_ONCE : MqttQoS.AT_MOST_ONCE;
    Object vh = reasonCode != 0
        ? new MqttPubReplyMessageVariableHeader(packetId, (byte) reasonCode, MqttProperties.NO_PROPERTIES)
        : MqttMessageIdVariableHeader.from(packetId);
    return new MqttMessage(fixed(type, q), vh);
  }

  private static MqttConnAckMessage connAck(ConnAck c) {
    MqttProperties props = MqttProperties.NO_PROPERTIES;
    ServerProperties sp = c.properties();
    if (sp != null) {
      props = new MqttProperties();
      if (sp.assignedClientId() != null) {
        props.add(new MqttProperties.StringProperty(MqttPropertyType.ASSIGNED_CLIENT_IDENTIFIER.value(), sp.assignedClientId()));
      }
      props.add(intProperty(MqttPropertyType.RECEIVE_MAXIMUM, sp.receiveMaximum()));
      props.add(intProperty(MqttPropertyType.TOPIC_ALIAS_MAXIMUM, sp.topicAliasMaximum()));
      props.add(intProperty(MqttPropertyType.MAXIMUM_PACKET_SIZE, sp.maximumPacketSize()));
      if (sp.maximumQos() != null) {
        props.add(intProperty(MqttPropertyType.MAXIMUM_QOS, sp.maximumQos()));
      }
      props.add(intProperty(MqttPropertyType.RETAIN_AVAILABLE, sp.retainAvailable() ? 1 : 0));
      props.add(intProperty(MqttPropertyType.WILDCARD_SUBSCRIPTION_AVAILABLE, sp.wildcardSubscription() ? 1 : 0));
      props.add(intProperty(MqttPropertyType.SUBSCRIPTION_IDENTIFIER_AVAILABLE, sp.subscriptionIdentifiers() ? 1 : 0));
      props.add(intProperty(MqttPropertyType.SHARED_SUBSCRIPTION_AVAILABLE, sp.sharedSubscription() ? 1 : 0));
    }
    return new MqttConnAckMessage(fixed(MqttMessageType.CONNACK, MqttQoS.AT_MOST_ONCE),
        new MqttConnAckVariableHeader(MqttConnectReturnCode.valueOf((byte) c.reasonCode()), c.sessionPresent(), props));
  }

  private static MqttUnsubAckMessage unsubAck(UnsubAck u) {
    MqttUnsubAckPayload payload = null;
    if (!u.reasonCodes().isEmpty()) {
      short[] codes = new short[u.reasonCodes().size()];
      for (int i = 0; i < codes.length; i++) {
        codes[i] = u.reasonCodes().get(i).shortValue();
      }
      payload = new MqttUnsubAckPayload(codes);
    }
    return new MqttUnsubAckMessage(fixed(MqttMessageType.UNSUBACK, MqttQoS.AT_MOST_ONCE),
        new MqttMessageIdAndPropertiesVariableHeader(u.packetId(), MqttProperties.NO_PROPERTIES), payload);
  }

  private static MqttProperties.IntegerProperty intProperty(MqttPropertyType t, int value) {
    return new MqttProperties.IntegerProperty(t.value(), value);
  }

  private static MqttPublishMessage publish(Publish p) {
    MqttFixedHeader fh = new MqttFixedHeader(MqttMessageType.PUBLISH, p.duplicate(), MqttQoS.valueOf(p.qos()), p.retain(), 0);
    MqttProperties props = p.properties().isEmpty() && p.subscriptionIds().isEmpty() && p.topicAlias() == null
        ? MqttProperties.NO_PROPERTIES
        : toNetty(p.properties(), p.subscriptionIds(), p.topicAlias());
    int packetId = p.qos() == 0 ? -1 : p.packetId();
    // a heap copy, not a wrapped read-only ByteBuffer: the encoder then copies it into the outgoing buffer in
    // one memory copy (a read-only buffer has no array and takes Netty's slow path, three views per message)
    byte[] payload = new byte[p.payload().size()];
    p.payload().copyTo(payload, 0);
    return new MqttPublishMessage(fh, new MqttPublishVariableHeader(p.topic(), packetId, props),
        Unpooled.wrappedBuffer(payload));
  }

  static MqttProperties toNetty(MessageProperties mp, List<Integer> subscriptionIds, Integer topicAlias) {
    MqttProperties p = new MqttProperties();
    if (mp.payloadFormatIndicator() != null) {
      p.add(intProperty(MqttPropertyType.PAYLOAD_FORMAT_INDICATOR, mp.payloadFormatIndicator()));
    }
    if (mp.messageExpiryInterval() != null) {
      p.add(intProperty(MqttPropertyType.PUBLICATION_EXPIRY_INTERVAL, mp.messageExpiryInterval().intValue()));
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
      p.add(intProperty(MqttPropertyType.SUBSCRIPTION_IDENTIFIER, id));
    }
    if (topicAlias != null) {
      p.add(intProperty(MqttPropertyType.TOPIC_ALIAS, topicAlias));
    }
    return p;
  }
}
