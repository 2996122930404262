package io.estuary.mqttsn.codec;

import io.estuary.api.Payload;
import io.estuary.mqttsn.codec.MqttSnFrame.*;
import java.nio.charset.StandardCharsets;

/** MQTT-SN 1.2 encoder: frame records to datagrams. Stateless and thread-safe. */
final class MqttSnEncoder {

  private MqttSnEncoder() {}

  /**
   * Encodes one frame as a datagram, with the 1-octet length form up to 255 octets and the 3-octet
   * form above (§5.2.1).
   *
   * @throws IllegalArgumentException if the frame is longer than 65535 octets
   */
  public static byte[] encode(MqttSnFrame frame) {
    if (frame instanceof Encapsulated e) {
      byte[] inner = encode(e.message());
      int header = 3 + e.wirelessNodeId().size();
      byte[] out = new byte[header + inner.length];
      out[0] = (byte) header;
      out[1] = (byte) MsgType.ENCAPSULATED;
      out[2] = (byte) e.radius();
      e.wirelessNodeId().copyTo(out, 3);
      System.arraycopy(inner, 0, out, header, inner.length);
      return out;
    }
    Out o = new Out();
    // WILLTOPICREQ, WILLMSGREQ and PINGRESP have no body
    if (frame instanceof Advertise a) {
      o.u8(a.gatewayId()).u16(a.durationSeconds());
    } else if (frame instanceof SearchGw s) {
      o.u8(s.radius());
    } else if (frame instanceof GwInfo g) {
      o.u8(g.gatewayId()).payload(g.gatewayAddress());
    } else if (frame instanceof Connect c) {
      o.u8((c.will() ? MqttSnCodec.WILL : 0) | (c.cleanSession() ? MqttSnCodec.CLEAN_SESSION : 0)).u8(MqttSnCodec.PROTOCOL_ID)
          .u16(c.durationSeconds()).utf8(c.clientId());
    } else if (frame instanceof Connack c) {
      o.u8(c.returnCode().code());
    } else if (frame instanceof WillTopic w) {
      willTopic(o, w.qos(), w.retain(), w.topic());
    } else if (frame instanceof WillMsg w) {
      o.payload(w.message());
    } else if (frame instanceof Register r) {
      o.u16(r.topicId()).u16(r.msgId()).utf8(r.topicName());
    } else if (frame instanceof Regack r) {
      o.u16(r.topicId()).u16(r.msgId()).u8(r.returnCode().code());
    } else if (frame instanceof Publish p) {
      o.u8((p.dup() ? MqttSnCodec.DUP : 0) | MqttSnCodec.qosBits(p.qos()) | (p.retain() ? MqttSnCodec.RETAIN : 0) | p.topic().typeBits())
          .u16(MqttSnCodec.topicIdField(p.topic())).u16(p.msgId()).payload(p.data());
    } else if (frame instanceof Puback p) {
      o.u16(p.topicId()).u16(p.msgId()).u8(p.returnCode().code());
    } else if (frame instanceof Pubrec p) {
      o.u16(p.msgId());
    } else if (frame instanceof Pubrel p) {
      o.u16(p.msgId());
    } else if (frame instanceof Pubcomp p) {
      o.u16(p.msgId());
    } else if (frame instanceof Subscribe s) {
      subscribeTopic(o.u8((s.dup() ? MqttSnCodec.DUP : 0) | MqttSnCodec.qosBits(s.qos()) | s.topic().typeBits())
          .u16(s.msgId()), s.topic());
    } else if (frame instanceof Suback s) {
      o.u8(MqttSnCodec.qosBits(s.grantedQos())).u16(s.topicId()).u16(s.msgId()).u8(s.returnCode().code());
    } else if (frame instanceof Unsubscribe u) {
      subscribeTopic(o.u8(u.topic().typeBits()).u16(u.msgId()), u.topic());
    } else if (frame instanceof Unsuback u) {
      o.u16(u.msgId());
    } else if (frame instanceof PingReq p) {
      o.utf8(p.clientId());
    } else if (frame instanceof Disconnect d) {
      d.durationSeconds().ifPresent(o::u16);
    } else if (frame instanceof WillTopicUpd w) {
      willTopic(o, w.qos(), w.retain(), w.topic());
    } else if (frame instanceof WillTopicResp w) {
      o.u8(w.returnCode().code());
    } else if (frame instanceof WillMsgUpd w) {
      o.payload(w.message());
    } else if (frame instanceof WillMsgResp w) {
      o.u8(w.returnCode().code());
    }
    return o.frame(frame.msgType());
  }

  private static void willTopic(Out o, int qos, boolean retain, String topic) {
    if (!topic.isEmpty()) {
      o.u8(MqttSnCodec.qosBits(qos) | (retain ? MqttSnCodec.RETAIN : 0)).utf8(topic);
    }
  }

  private static void subscribeTopic(Out o, TopicRef topic) {
    if (topic instanceof TopicRef.Name n) {
      o.utf8(n.name());
    } else {
      o.u16(MqttSnCodec.topicIdField(topic));
    }
  }

  /** Builds a message body, then prefixes the header. */
  private static final class Out {
    private byte[] buf = new byte[64];
    private int n;

    Out u8(int v) {
      ensure(1);
      buf[n++] = (byte) v;
      return this;
    }

    Out u16(int v) {
      ensure(2);
      buf[n++] = (byte) (v >> 8);
      buf[n++] = (byte) v;
      return this;
    }

    Out bytes(byte[] src) {
      ensure(src.length);
      System.arraycopy(src, 0, buf, n, src.length);
      n += src.length;
      return this;
    }

    Out payload(Payload p) {
      ensure(p.size());
      p.copyTo(buf, n);
      n += p.size();
      return this;
    }

    Out utf8(String s) {
      return bytes(s.getBytes(StandardCharsets.UTF_8));
    }

    private void ensure(int more) {
      if (n + more > buf.length) {
        buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, n + more));
      }
    }

    byte[] frame(int msgType) {
      int shortLength = n + 2;
      if (shortLength <= 0xFF) {
        byte[] out = new byte[shortLength];
        out[0] = (byte) shortLength;
        out[1] = (byte) msgType;
        System.arraycopy(buf, 0, out, 2, n);
        return out;
      }
      int length = n + 4;
      if (length > 0xFFFF) {
        throw new IllegalArgumentException("frame of " + length + " octets exceeds 65535");
      }
      byte[] out = new byte[length];
      out[0] = 0x01;
      out[1] = (byte) (length >> 8);
      out[2] = (byte) length;
      out[3] = (byte) msgType;
      System.arraycopy(buf, 0, out, 4, n);
      return out;
    }
  }
}
