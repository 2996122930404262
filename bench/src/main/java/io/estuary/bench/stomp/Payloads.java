package io.estuary.bench.stomp;

/** Payloads carry their sequence number in their first 8 bytes (big-endian). */
final class Payloads {
  private Payloads() {}

  static byte[] of(long seq, int size) {
    byte[] b = new byte[Math.max(8, size)];
    for (int i = 0; i < 8; i++) {
      b[i] = (byte) (seq >>> (56 - 8 * i));
    }
    for (int i = 8; i < b.length; i++) {
      b[i] = (byte) ('a' + i % 26); // printable: brokers that treat bodies as text see text
    }
    return b;
  }

  static long seq(byte[] b, int offset) {
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (b[offset + i] & 0xFF);
    }
    return v;
  }
}
