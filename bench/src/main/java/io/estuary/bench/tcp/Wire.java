package io.estuary.bench.tcp;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** The few frames the bench writes, encoded by hand: EMQX TCP CONNECT/DATATRANS and MQTT 3.1.1 CONNECT/PUBLISH. */
final class Wire {
  private Wire() {}

  /** EMQX TCP CONNECT, version 1, keepalive 0 (no check), no credentials. */
  static byte[] emqxConnect(String clientId) {
    byte[] id = clientId.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(6 + id.length).put((byte) 0x11).putShort((short) (3 + id.length)).put((byte) 0)
        .putShort((short) id.length).put(id).array();
  }

  /** The 23-byte success CONNACK the gateway answers. */
  static final int EMQX_CONNACK_LENGTH = 23;

  /** DATATRANS header for a payload of {@code n} bytes. */
  static byte[] emqxDataHeader(int n) {
    return new byte[] {0x30, (byte) (n >>> 8), (byte) n};
  }

  /** MQTT 3.1.1 CONNECT, clean session, keepalive 0. */
  static byte[] mqttConnect(String clientId) {
    byte[] id = clientId.getBytes(StandardCharsets.UTF_8);
    int len = 12 + id.length;
    return ByteBuffer.allocate(2 + len).put((byte) 0x10).put((byte) len)
        .put(new byte[] {0, 4, 'M', 'Q', 'T', 'T', 4, 2, 0, 0}).putShort((short) id.length).put(id).array();
  }

  /** MQTT PUBLISH QoS 0 fixed header + topic for a payload of {@code n} bytes (remaining length < 128). */
  static byte[] mqttPublishHeader(String topic, int n) {
    byte[] t = topic.getBytes(StandardCharsets.UTF_8);
    int len = 2 + t.length + n;
    if (len > 127) {
      throw new IllegalArgumentException("keep topic + payload under 126 bytes");
    }
    return ByteBuffer.allocate(4 + t.length).put((byte) 0x30).put((byte) len).putShort((short) t.length).put(t).array();
  }
}
