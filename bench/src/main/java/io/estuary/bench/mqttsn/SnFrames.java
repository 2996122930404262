package io.estuary.bench.mqttsn;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The few MQTT-SN 1.2 frames the benchmark sends and reads, encoded by hand (one-octet length form,
 * §5.2.1) so the load generator does not share code with the gateway under test.
 */
final class SnFrames {
  static final int CONNACK = 0x05;
  static final int REGISTER = 0x0A;
  static final int REGACK = 0x0B;
  static final int PUBLISH = 0x0C;
  static final int PUBACK = 0x0D;
  static final int DISCONNECT = 0x18;

  private SnFrames() {}

  /** CONNECT, clean session, protocol id 1 (§5.4.4). */
  static ByteBuffer connect(String clientId, int keepAliveSeconds) {
    byte[] id = clientId.getBytes(StandardCharsets.US_ASCII);
    ByteBuffer b = ByteBuffer.allocate(6 + id.length);
    b.put((byte) (6 + id.length)).put((byte) 0x04).put((byte) 0x04).put((byte) 0x01)
        .putShort((short) keepAliveSeconds).put(id);
    return b.flip();
  }

  static ByteBuffer register(int msgId, String topic) {
    byte[] t = topic.getBytes(StandardCharsets.US_ASCII);
    ByteBuffer b = ByteBuffer.allocate(6 + t.length);
    b.put((byte) (6 + t.length)).put((byte) REGISTER).putShort((short) 0).putShort((short) msgId).put(t);
    return b.flip();
  }

  /** PUBLISH with a normal topic id; {@code payload} is copied after the 7-octet header. */
  static void publish(ByteBuffer into, int qos, int topicId, int msgId, byte[] payload) {
    into.clear();
    into.put((byte) (7 + payload.length)).put((byte) PUBLISH).put((byte) (qos << 5))
        .putShort((short) topicId).putShort((short) msgId).put(payload);
    into.flip();
  }

  /** DISCONNECT with a sleep duration (§6.14). */
  static ByteBuffer sleep(int seconds) {
    return ByteBuffer.allocate(4).put((byte) 4).put((byte) DISCONNECT).putShort((short) seconds).flip();
  }

  static int type(ByteBuffer b) {
    return b.get(1) & 0xFF;
  }
}
