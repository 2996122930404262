package io.estuary.mqttsn.transport;

import io.netty.buffer.ByteBuf;

/**
 * The cheapest look at a datagram from an address without a channel (issue #13, the flood): only the
 * MQTT-SN header octets are read, nothing is copied or allocated. From an unknown address only a
 * CONNECT, a SEARCHGW, a connectionless QoS -1 PUBLISH, a wake-up PINGREQ carrying a client id (§6.14),
 * a forwarder's encapsulated message (§5.5) and other gateways' ADVERTISE/GWINFO can mean anything;
 * every other message type would be decoded only to be dropped as {@code no_session}. Stateless; any
 * thread.
 */
final class UnknownSourceFilter {
  /** Decode it: a message an unknown address may send. */
  static final int DECODE = 0;
  /** A message type that needs a channel: drop, counted as {@code no_session}. */
  static final int NO_SESSION = 1;
  /** The length header does not match the datagram: drop, counted as {@code malformed}. */
  static final int MALFORMED = 2;
  /**
   * A CONNECT of its own (not behind a forwarder): decode it after the dispatcher's early look ({@link
   * io.estuary.mqttsn.channel.MqttSnDispatcher#screenConnect}), which refuses a flood's without decoding.
   */
  static final int CONNECT_FRAME = 3;

  private static final int SEARCHGW = 0x01;
  private static final int CONNECT = 0x04;
  private static final int PUBLISH = 0x0C;
  private static final int PINGREQ = 0x16;
  private static final int ADVERTISE = 0x00;
  private static final int GWINFO = 0x02;
  private static final int ENCAPSULATED = 0xFE;

  private UnknownSourceFilter() {
  }

  /** What to do with {@code buf} (its readable bytes are the datagram) from an address without a channel. */
  static int classify(ByteBuf buf) {
    int off = buf.readerIndex();
    int len = buf.readableBytes();
    if (len < 2) {
      return MALFORMED;
    }
    int first = buf.getUnsignedByte(off);
    if (first != 0x01 && buf.getUnsignedByte(off + 1) == ENCAPSULATED) {
      return DECODE; // §5.5: the forwarder's header; the node's own message inside is checked by the decoder
    }
    int length;
    int header;
    if (first == 0x01) { // §5.2.1: 0x01 announces a 3-octet length field
      if (len < 4) {
        return MALFORMED;
      }
      length = buf.getUnsignedShort(off + 1);
      header = 3;
    } else {
      length = first;
      header = 1;
    }
    if (length != len || length < header + 1) {
      return MALFORMED;
    }
    int type = buf.getUnsignedByte(off + header);
    return switch (type) {
      case CONNECT -> CONNECT_FRAME;
      case SEARCHGW, ADVERTISE, GWINFO -> DECODE;
      // QoS -1 is flags 0b011xxxxx (§5.3.4); any other QoS needs a connection
      case PUBLISH -> length > header + 1 && (buf.getUnsignedByte(off + header + 1) & 0x60) == 0x60 ? DECODE : NO_SESSION;
      case PINGREQ -> length > header + 1 ? DECODE : NO_SESSION; // a client id: a sleeping client waking up
      default -> NO_SESSION;
    };
  }
}
