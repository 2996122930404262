package io.estuary.mqttsn.codec;

import io.estuary.api.Payload;
import io.estuary.mqttsn.codec.DecodeResult.Decoded;
import io.estuary.mqttsn.codec.DecodeResult.FrameError;
import io.estuary.mqttsn.codec.MqttSnFrame.*;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.OptionalInt;

/**
 * MQTT-SN 1.2 decoder for whole datagrams (the encoder is {@link MqttSnEncoder}). Stateless and thread-safe. {@link #decode} never
 * throws: every malformed input becomes a {@link FrameError}.
 */
public final class MqttSnCodec {

  /** The ProtocolId of MQTT-SN 1.2 in CONNECT (§5.3.8). */
  static final int PROTOCOL_ID = 0x01;

  // Flags octet (§5.3.4)
  static final int DUP = 0x80;
  static final int RETAIN = 0x10;
  static final int WILL = 0x08;
  static final int CLEAN_SESSION = 0x04;

  private MqttSnCodec() {}

  /** Encodes one frame as a datagram; see {@link MqttSnEncoder#encode}. */
  public static byte[] encode(MqttSnFrame frame) {
    return MqttSnEncoder.encode(frame);
  }

  public static DecodeResult decode(byte[] datagram) {
    return decode(datagram, 0, datagram.length);
  }

  /** Decodes the datagram {@code b[off, off+len)}; the bytes are copied where a frame keeps them. */
  public static DecodeResult decode(byte[] b, int off, int len) {
    if (len < 2) {
      return error("truncated: " + len + " octets");
    }
    if ((b[off] & 0xFF) != 0x01 && (b[off + 1] & 0xFF) == MsgType.ENCAPSULATED) {
      return encapsulated(b, off, len);
    }
    int length;
    int header;
    if ((b[off] & 0xFF) == 0x01) { // §5.2.1: 0x01 announces a 3-octet length field
      if (len < 4) {
        return error("truncated: 3-octet length form in " + len + " octets");
      }
      length = ((b[off + 1] & 0xFF) << 8) | (b[off + 2] & 0xFF);
      header = 3;
    } else {
      length = b[off] & 0xFF;
      header = 1;
    }
    if (length < header + 1) {
      return error("length field " + length + " shorter than the header");
    }
    if (length > len) {
      return error("truncated: length field " + length + ", datagram " + len);
    }
    if (length < len) {
      return error("length mismatch: length field " + length + ", datagram " + len);
    }
    int type = b[off + header] & 0xFF;
    Body body = new Body(b, off + header + 1, off + len);
    return switch (type) {
      case MsgType.ADVERTISE -> body.size() != 3 ? size("ADVERTISE", body)
          : ok(new Advertise(body.u8(), body.u16()));
      case MsgType.SEARCHGW -> body.size() != 1 ? size("SEARCHGW", body) : ok(new SearchGw(body.u8()));
      case MsgType.GWINFO -> body.size() < 1 ? size("GWINFO", body)
          : ok(new GwInfo(body.u8(), body.restPayload()));
      case MsgType.CONNECT -> connect(body);
      case MsgType.CONNACK -> returnCode(body, "CONNACK", Connack::new);
      case MsgType.WILLTOPICREQ -> empty(body, "WILLTOPICREQ", new WillTopicReq());
      case MsgType.WILLTOPIC -> willTopic(body, "WILLTOPIC", false);
      case MsgType.WILLMSGREQ -> empty(body, "WILLMSGREQ", new WillMsgReq());
      case MsgType.WILLMSG -> ok(new WillMsg(body.restPayload()));
      case MsgType.REGISTER -> register(body);
      case MsgType.REGACK -> idAck(body, "REGACK");
      case MsgType.PUBLISH -> publish(body);
      case MsgType.PUBACK -> idAck(body, "PUBACK");
      case MsgType.PUBCOMP -> body.size() != 2 ? size("PUBCOMP", body) : ok(new Pubcomp(body.u16()));
      case MsgType.PUBREC -> body.size() != 2 ? size("PUBREC", body) : ok(new Pubrec(body.u16()));
      case MsgType.PUBREL -> body.size() != 2 ? size("PUBREL", body) : ok(new Pubrel(body.u16()));
      case MsgType.SUBSCRIBE -> subscribe(body, true);
      case MsgType.SUBACK -> suback(body);
      case MsgType.UNSUBSCRIBE -> subscribe(body, false);
      case MsgType.UNSUBACK -> body.size() != 2 ? size("UNSUBACK", body) : ok(new Unsuback(body.u16()));
      case MsgType.PINGREQ -> pingReq(body);
      case MsgType.PINGRESP -> empty(body, "PINGRESP", new PingResp());
      case MsgType.DISCONNECT -> disconnect(body);
      case MsgType.WILLTOPICUPD -> willTopic(body, "WILLTOPICUPD", true);
      case MsgType.WILLTOPICRESP -> returnCode(body, "WILLTOPICRESP", WillTopicResp::new);
      case MsgType.WILLMSGUPD -> ok(new WillMsgUpd(body.restPayload()));
      case MsgType.WILLMSGRESP -> returnCode(body, "WILLMSGRESP", WillMsgResp::new);
      default -> error(String.format("unknown message type 0x%02X", type));
    };
  }

  /**
   * §5.5: Length (covering only the encapsulation header), MsgType 0xFE, Ctrl (radius in bits 0-1),
   * Wireless Node Id, then the client's message as it would be on its own.
   */
  private static DecodeResult encapsulated(byte[] b, int off, int len) {
    int header = b[off] & 0xFF;
    if (header < 4) {
      return error("encapsulation header length " + header + " leaves no wireless node id");
    }
    if (header >= len) {
      return error("truncated: encapsulation header " + header + ", datagram " + len);
    }
    int ctrl = b[off + 2] & 0xFF;
    if ((ctrl & ~0x03) != 0) {
      return error(String.format("reserved Ctrl bits in encapsulation 0x%02X", ctrl));
    }
    if ((b[off + header] & 0xFF) != 0x01 && len - header >= 2 && (b[off + header + 1] & 0xFF) == MsgType.ENCAPSULATED) {
      return error("nested encapsulation");
    }
    DecodeResult inner = decode(b, off + header, len - header);
    if (inner instanceof FrameError e) {
      return error("encapsulated: " + e.reason());
    }
    return ok(new Encapsulated(ctrl & 0x03, Payload.copyOf(b, off + 3, header - 3), ((Decoded) inner).frame()));
  }

  private static DecodeResult connect(Body body) {
    if (body.size() < 4) {
      return size("CONNECT", body);
    }
    int flags = body.u8();
    int protocolId = body.u8();
    if (protocolId != PROTOCOL_ID) {
      return error("CONNECT: unsupported protocol id " + protocolId);
    }
    int duration = body.u16();
    String clientId = body.restUtf8();
    if (clientId == null) {
      return error("CONNECT: client id is not UTF-8");
    }
    return ok(new Connect((flags & WILL) != 0, (flags & CLEAN_SESSION) != 0, duration, clientId));
  }

  private static DecodeResult willTopic(Body body, String name, boolean update) {
    if (body.size() == 0) { // the empty form (§5.4.7, §5.4.22)
      return ok(update ? new WillTopicUpd(0, false, "") : new WillTopic(0, false, ""));
    }
    int flags = body.u8();
    int qos = qos(flags);
    if (qos < 0) {
      return error(name + ": bad flags, QoS -1 for a will");
    }
    String topic = body.restUtf8();
    if (topic == null) {
      return error(name + ": topic is not UTF-8");
    }
    boolean retain = (flags & RETAIN) != 0;
    return ok(update ? new WillTopicUpd(qos, retain, topic) : new WillTopic(qos, retain, topic));
  }

  private static DecodeResult register(Body body) {
    if (body.size() < 5) {
      return size("REGISTER", body);
    }
    int topicId = body.u16();
    int msgId = body.u16();
    String topic = body.restUtf8();
    return topic == null ? error("REGISTER: topic name is not UTF-8") : ok(new Register(topicId, msgId, topic));
  }

  private static DecodeResult idAck(Body body, String name) {
    if (body.size() != 5) {
      return size(name, body);
    }
    int topicId = body.u16();
    int msgId = body.u16();
    ReturnCode rc = ReturnCode.fromCode(body.u8());
    if (rc == null) {
      return error(name + ": reserved return code");
    }
    return ok(name.equals("REGACK") ? new Regack(topicId, msgId, rc) : new Puback(topicId, msgId, rc));
  }

  private static DecodeResult publish(Body body) {
    if (body.size() < 5) {
      return size("PUBLISH", body);
    }
    int flags = body.u8();
    int typeBits = flags & 0x03;
    int raw = body.u16();
    TopicRef topic;
    switch (typeBits) {
      case 0b00, 0b01 -> {
        if (raw == 0 || raw == 0xFFFF) {
          return error(String.format("PUBLISH: reserved topic id 0x%04X", raw));
        }
        topic = typeBits == 0 ? new TopicRef.Id(raw) : new TopicRef.Predefined(raw);
      }
      case 0b10 -> topic = new TopicRef.Short(shortName(raw));
      default -> {
        return error("PUBLISH: bad flags, reserved topic id type 0b11");
      }
    }
    int msgId = body.u16();
    return ok(new Publish((flags & DUP) != 0, qos(flags), (flags & RETAIN) != 0, topic, msgId, body.restPayload()));
  }

  private static DecodeResult subscribe(Body body, boolean subscribe) {
    String name = subscribe ? "SUBSCRIBE" : "UNSUBSCRIBE";
    if (body.size() < 4) {
      return size(name, body);
    }
    int flags = body.u8();
    int qos = qos(flags);
    if (subscribe && qos < 0) {
      return error("SUBSCRIBE: bad flags, QoS -1");
    }
    int msgId = body.u16();
    TopicRef topic;
    switch (flags & 0x03) {
      case 0b00 -> {
        String filter = body.restUtf8();
        if (filter == null) {
          return error(name + ": topic name is not UTF-8");
        }
        topic = new TopicRef.Name(filter);
      }
      case 0b01 -> {
        if (body.remaining() != 2) {
          return size(name, body);
        }
        int id = body.u16();
        if (id == 0 || id == 0xFFFF) {
          return error(String.format("%s: reserved topic id 0x%04X", name, id));
        }
        topic = new TopicRef.Predefined(id);
      }
      case 0b10 -> {
        if (body.remaining() != 2) {
          return size(name, body);
        }
        topic = new TopicRef.Short(shortName(body.u16()));
      }
      default -> {
        return error(name + ": bad flags, reserved topic id type 0b11");
      }
    }
    return ok(subscribe ? new Subscribe((flags & DUP) != 0, qos, msgId, topic) : new Unsubscribe(msgId, topic));
  }

  private static DecodeResult suback(Body body) {
    if (body.size() != 6) {
      return size("SUBACK", body);
    }
    int qos = qos(body.u8());
    if (qos < 0) {
      return error("SUBACK: bad flags, QoS -1");
    }
    int topicId = body.u16();
    int msgId = body.u16();
    ReturnCode rc = ReturnCode.fromCode(body.u8());
    return rc == null ? error("SUBACK: reserved return code") : ok(new Suback(qos, topicId, msgId, rc));
  }

  private static DecodeResult pingReq(Body body) {
    String clientId = body.restUtf8();
    return clientId == null ? error("PINGREQ: client id is not UTF-8") : ok(new PingReq(clientId));
  }

  private static DecodeResult disconnect(Body body) {
    return switch (body.size()) {
      case 0 -> ok(Disconnect.plain());
      case 2 -> ok(new Disconnect(OptionalInt.of(body.u16())));
      default -> size("DISCONNECT", body);
    };
  }

  private static DecodeResult returnCode(Body body, String name, java.util.function.Function<ReturnCode, MqttSnFrame> f) {
    if (body.size() != 1) {
      return size(name, body);
    }
    ReturnCode rc = ReturnCode.fromCode(body.u8());
    return rc == null ? error(name + ": reserved return code") : ok(f.apply(rc));
  }

  private static DecodeResult empty(Body body, String name, MqttSnFrame frame) {
    return body.size() != 0 ? size(name, body) : ok(frame);
  }

  private static DecodeResult size(String name, Body body) {
    return error(name + ": wrong body length " + body.size());
  }

  private static DecodeResult ok(MqttSnFrame f) {
    return new Decoded(f);
  }

  private static DecodeResult error(String reason) {
    return new FrameError(reason);
  }

  /** QoS from the flags octet: 0b11 is QoS -1 (§5.3.4). */
  static int qos(int flags) {
    int bits = (flags >> 5) & 0x03;
    return bits == 3 ? -1 : bits;
  }

  static int qosBits(int qos) {
    return (qos < 0 ? 3 : qos) << 5;
  }

  private static String shortName(int raw) {
    return new String(new char[] {(char) (raw >> 8), (char) (raw & 0xFF)});
  }

  static int shortRaw(String name) {
    return (name.charAt(0) << 8) | name.charAt(1);
  }

  /** The two octets a topic reference puts into a TopicId field. */
  public static int topicIdField(TopicRef topic) {
    if (topic instanceof TopicRef.Id id) {
      return id.id();
    } else if (topic instanceof TopicRef.Predefined p) {
      return p.id();
    } else if (topic instanceof TopicRef.Short s) {
      return shortRaw(s.name());
    }
    throw new IllegalArgumentException("a topic name has no topic id");
  }

  /** Reads a message body; callers check sizes first. */
  private static final class Body {
    private final byte[] b;
    private final int start;
    private final int end;
    private int pos;

    Body(byte[] b, int start, int end) {
      this.b = b;
      this.start = start;
      this.end = end;
      this.pos = start;
    }

    int size() {
      return end - start;
    }

    int remaining() {
      return end - pos;
    }

    int u8() {
      return b[pos++] & 0xFF;
    }

    int u16() {
      int v = ((b[pos] & 0xFF) << 8) | (b[pos + 1] & 0xFF);
      pos += 2;
      return v;
    }

    Payload restPayload() {
      Payload p = Payload.copyOf(b, pos, end - pos);
      pos = end;
      return p;
    }

    /** The rest as strict UTF-8, or null when malformed. */
    String restUtf8() {
      try {
        String s = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT)
            .decode(ByteBuffer.wrap(b, pos, end - pos))
            .toString();
        pos = end;
        return s;
      } catch (CharacterCodingException e) {
        return null;
      }
    }
  }

}
