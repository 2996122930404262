package io.estuary.bench.flood;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The datagrams of the flood benchmark, encoded by hand (MQTT-SN 1.2, RFC 7252 CoAP) so the load does not
 * share code with the gateway under test: what the good clients send, and what the flood sends. Pure
 * functions; the random ones take the caller's generator (each flood thread has its own).
 */
final class FloodFrames {
  static final int CONNECT = 0x04;
  static final int CONNACK = 0x05;
  static final int REGISTER = 0x0A;
  static final int REGACK = 0x0B;
  static final int PUBLISH = 0x0C;
  static final int PUBACK = 0x0D;
  static final int PINGREQ = 0x16;
  static final int PINGRESP = 0x17;
  static final int DISCONNECT = 0x18;
  static final int ENCAPSULATED = 0xFE;

  static final int COAP_CON = 0;
  static final int COAP_NON = 1;
  static final int COAP_GET = 1;
  static final int COAP_POST = 2;
  static final int COAP_PUT = 3;

  private FloodFrames() {}

  // --- MQTT-SN (one-octet length form, §5.2.1, unless said otherwise)

  /** CONNECT (§5.4.4): flags (clean session 0x04), protocol id 1, duration = keepalive seconds. */
  static byte[] connect(String clientId, boolean clean, int keepAliveSeconds) {
    byte[] id = clientId.getBytes(StandardCharsets.UTF_8);
    byte[] b = new byte[6 + id.length];
    b[0] = (byte) b.length;
    b[1] = CONNECT;
    b[2] = (byte) (clean ? 0x04 : 0);
    b[3] = 0x01;
    b[4] = (byte) (keepAliveSeconds >> 8);
    b[5] = (byte) keepAliveSeconds;
    System.arraycopy(id, 0, b, 6, id.length);
    return b;
  }

  /** §5.5: a forwarder's encapsulation of {@code message} for the client {@code nodeId} (1..252 octets). */
  static byte[] encapsulate(int radius, byte[] nodeId, byte[] message) {
    byte[] b = new byte[3 + nodeId.length + message.length];
    b[0] = (byte) (3 + nodeId.length);
    b[1] = (byte) ENCAPSULATED;
    b[2] = (byte) (radius & 3);
    System.arraycopy(nodeId, 0, b, 3, nodeId.length);
    System.arraycopy(message, 0, b, 3 + nodeId.length, message.length);
    return b;
  }

  static byte[] register(int msgId, String topic) {
    byte[] t = topic.getBytes(StandardCharsets.UTF_8);
    byte[] b = new byte[6 + t.length];
    b[0] = (byte) b.length;
    b[1] = REGISTER;
    b[4] = (byte) (msgId >> 8);
    b[5] = (byte) msgId;
    System.arraycopy(t, 0, b, 6, t.length);
    return b;
  }

  /** PUBLISH (§5.4.12) with a normal topic id; {@code dup} on a retransmission (§6.13). */
  static byte[] publish(boolean dup, int qos, int topicId, int msgId, byte[] data) {
    byte[] b = new byte[7 + data.length];
    b[0] = (byte) b.length;
    b[1] = PUBLISH;
    b[2] = (byte) ((dup ? 0x80 : 0) | (qos & 3) << 5);
    b[3] = (byte) (topicId >> 8);
    b[4] = (byte) topicId;
    b[5] = (byte) (msgId >> 8);
    b[6] = (byte) msgId;
    System.arraycopy(data, 0, b, 7, data.length);
    return b;
  }

  /** QoS -1 PUBLISH with a two-character short topic name (§6.8): accepted without a connection. */
  static byte[] publishQosMinus1(String shortName, byte[] data) {
    byte[] b = publish(false, 3, 0, 0, data);
    b[2] |= 0x02; // TopicIdType 0b10: short topic name
    b[3] = (byte) shortName.charAt(0);
    b[4] = (byte) shortName.charAt(1);
    return b;
  }

  static byte[] pingreq() {
    return new byte[] {2, PINGREQ};
  }

  static byte[] disconnect() {
    return new byte[] {2, DISCONNECT};
  }

  // --- CoAP (RFC 7252 §3)

  /**
   * A request: {@code type} CON/NON, {@code code} GET/POST/PUT, {@code observe} -1 for none, the Uri-Path
   * segments, Uri-Query items and an optional payload (text/plain).
   */
  static byte[] coap(int type, int code, int mid, byte[] token, int observe, List<String> path, List<String> query,
      byte[] payload) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(64 + (payload == null ? 0 : payload.length));
    out.write(0x40 | (type & 3) << 4 | token.length);
    out.write(code);
    out.write(mid >> 8);
    out.write(mid);
    out.writeBytes(token);
    int last = 0;
    if (observe >= 0) {
      last = option(out, last, 6, observe == 0 ? new byte[0] : new byte[] {(byte) observe});
    }
    for (String p : path) {
      last = option(out, last, 11, p.getBytes(StandardCharsets.UTF_8));
    }
    if (payload != null) {
      last = option(out, last, 12, new byte[0]); // text/plain
    }
    for (String q : query) {
      last = option(out, last, 15, q.getBytes(StandardCharsets.UTF_8));
    }
    if (payload != null && payload.length > 0) {
      out.write(0xFF);
      out.writeBytes(payload);
    }
    return out.toByteArray();
  }

  private static int option(ByteArrayOutputStream out, int last, int number, byte[] value) {
    int delta = number - last;
    int len = value.length;
    out.write(nibble(delta) << 4 | nibble(len));
    extended(out, delta);
    extended(out, len);
    out.writeBytes(value);
    return number;
  }

  private static int nibble(int v) {
    return v < 13 ? v : v < 269 ? 13 : 14;
  }

  private static void extended(ByteArrayOutputStream out, int v) {
    if (v >= 269) {
      out.write((v - 269) >> 8);
      out.write(v - 269);
    } else if (v >= 13) {
      out.write(v - 13);
    }
  }

  // --- the flood's random datagrams

  /** What one flood datagram is. */
  enum Kind { CONNECT, GARBAGE, COAP }

  /** The client ids of the flood's CONNECTs start with it. */
  static final String CLIENT_ID_PREFIX = "fl-";

  /** A spoofed-style CONNECT: random id, clean 0 or 1, keepalive 0 or {@code keepAlive}, maybe encapsulated. */
  static byte[] randomConnect(SplittableRandom r, int keepAlive, double encapsulated) {
    byte[] c = connect(CLIENT_ID_PREFIX + Long.toString(r.nextLong() & Long.MAX_VALUE, 36), r.nextBoolean(),
        r.nextBoolean() ? 0 : keepAlive);
    if (r.nextDouble() < encapsulated) {
      byte[] node = new byte[1 + r.nextInt(8)];
      r.nextBytes(node);
      return encapsulate(r.nextInt(4), node, c);
    }
    return c;
  }

  /**
   * Garbage: random bytes, a truncated CONNECT, a length field longer than the datagram, an oversized frame
   * in the three-octet length form, an unknown message type, or a connectionless QoS -1 PUBLISH.
   */
  static byte[] randomGarbage(SplittableRandom r) {
    switch (r.nextInt(6)) {
      case 0: {
        byte[] b = new byte[1 + r.nextInt(200)];
        r.nextBytes(b);
        return b;
      }
      case 1: {
        byte[] c = connect("fl-trunc-" + r.nextInt(1 << 20), true, 60);
        byte[] b = new byte[1 + r.nextInt(c.length - 1)];
        System.arraycopy(c, 0, b, 0, b.length);
        return b;
      }
      case 2: {
        byte[] c = connect("fl-long-" + r.nextInt(1 << 20), true, 60);
        c[0] = (byte) (c.length + 1 + r.nextInt(100));
        return c;
      }
      case 3: {
        int len = 300 + r.nextInt(1100);
        byte[] b = new byte[len];
        r.nextBytes(b);
        b[0] = 0x01;
        b[1] = (byte) (len >> 8);
        b[2] = (byte) len;
        b[3] = PUBLISH;
        return b;
      }
      case 4:
        return new byte[] {4, (byte) (0x1E + r.nextInt(0xE0)), 0, 0};
      default: {
        byte[] data = new byte[r.nextInt(64)];
        r.nextBytes(data);
        return publishQosMinus1("f" + (char) ('a' + r.nextInt(26)), data);
      }
    }
  }

  /**
   * A CoAP request with a random token and message id: POST or PUT /ps/flood/..., GET /ps/flood/... (a read
   * of the retained message, or with Observe 0 a subscription), or POST /mqtt/connection; CON or NON.
   */
  static byte[] randomCoap(SplittableRandom r) {
    byte[] token = new byte[r.nextInt(9)];
    r.nextBytes(token);
    int type = r.nextBoolean() ? COAP_CON : COAP_NON;
    int mid = r.nextInt(1 << 16);
    String id = "clientid=fc-" + Long.toString(r.nextLong() & Long.MAX_VALUE, 36);
    String leaf = Integer.toString(r.nextInt(1 << 16), 36);
    byte[] payload = new byte[8 + r.nextInt(56)];
    r.nextBytes(payload);
    int pick = r.nextInt(10);
    if (pick < 4) {
      return coap(type, COAP_POST, mid, token, -1, List.of("ps", "flood", leaf), List.of(id, "qos=" + r.nextInt(2)),
          payload);
    } else if (pick < 6) {
      return coap(type, COAP_PUT, mid, token, -1, List.of("ps", "flood", leaf), List.of(id), payload);
    } else if (pick < 8) {
      return coap(type, COAP_GET, mid, token, -1, List.of("ps", "flood", leaf), List.of(id), null);
    } else if (pick < 9) {
      return coap(type, COAP_GET, mid, token, 0, List.of("ps", "flood", leaf), List.of(id), null);
    }
    return coap(type, COAP_POST, mid, token, -1, List.of("mqtt", "connection"), List.of(id), null);
  }

  /** The MsgType of an MQTT-SN datagram in the one-octet length form, or -1. */
  static int type(byte[] b, int len) {
    return len >= 2 ? b[1] & 0xFF : -1;
  }
}
