package io.estuary.bench.mqtt.transport;

import io.estuary.bench.mqtt.LoadConfig;
import io.netty.buffer.ByteBuf;

/**
 * The payload layout: send time ({@link System#nanoTime()}, 8 bytes), publisher index (4), sequence
 * number (8), then zeros up to the payload size. Publishers and subscribers share one JVM, so the
 * clock is the same on both ends.
 */
final class Stamp {

  static final int SENT_AT = 0;
  static final int PUBLISHER = 8;
  static final int SEQ = 12;

  private Stamp() {}

  static void write(ByteBuf out, int size, long sentAtNanos, int publisher, long seq) {
    out.writeLong(sentAtNanos).writeInt(publisher).writeLong(seq).writeZero(size - LoadConfig.MIN_PAYLOAD);
  }

  static boolean fits(ByteBuf payload) {
    return payload.readableBytes() >= LoadConfig.MIN_PAYLOAD;
  }

  static long sentAt(ByteBuf payload) {
    return payload.getLong(payload.readerIndex() + SENT_AT);
  }

  static int publisher(ByteBuf payload) {
    return payload.getInt(payload.readerIndex() + PUBLISHER);
  }

  static long seq(ByteBuf payload) {
    return payload.getLong(payload.readerIndex() + SEQ);
  }
}
