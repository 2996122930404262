package io.estuary.core.store.rocksdb;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Key layouts. Per-client keys start with {@code u32 length + UTF-8 client id}, so that no client's
 * keys are a prefix range of another's, then a big-endian suffix so RocksDB's byte order is the queue
 * order: {@code messages} = prefix + i64 seq, {@code awaiting_rel} = prefix + u16 packet id,
 * {@code kv} = {@code u32 length + namespace} + UTF-8 key. Sessions and retained messages are keyed by
 * the plain UTF-8 client id and topic.
 */
final class Keys {
  private Keys() {}

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static byte[] prefix(String name) {
    byte[] b = utf8(name);
    byte[] out = new byte[4 + b.length];
    out[0] = (byte) (b.length >>> 24);
    out[1] = (byte) (b.length >>> 16);
    out[2] = (byte) (b.length >>> 8);
    out[3] = (byte) b.length;
    System.arraycopy(b, 0, out, 4, b.length);
    return out;
  }

  static byte[] message(String clientId, long seq) {
    byte[] p = prefix(clientId);
    byte[] out = Arrays.copyOf(p, p.length + 8);
    for (int i = 0; i < 8; i++) {
      out[p.length + i] = (byte) (seq >>> (56 - 8 * i));
    }
    return out;
  }

  static long seqOf(byte[] key) {
    long v = 0;
    for (int i = key.length - 8; i < key.length; i++) {
      v = (v << 8) | (key[i] & 0xFF);
    }
    return v;
  }

  static byte[] awaitingRel(String clientId, int packetId) {
    byte[] p = prefix(clientId);
    byte[] out = Arrays.copyOf(p, p.length + 2);
    out[p.length] = (byte) (packetId >>> 8);
    out[p.length + 1] = (byte) packetId;
    return out;
  }

  static int packetIdOf(byte[] key) {
    return ((key[key.length - 2] & 0xFF) << 8) | (key[key.length - 1] & 0xFF);
  }

  static byte[] kv(byte[] namespacePrefix, String key) {
    byte[] k = utf8(key);
    byte[] out = Arrays.copyOf(namespacePrefix, namespacePrefix.length + k.length);
    System.arraycopy(k, 0, out, namespacePrefix.length, k.length);
    return out;
  }

  /** The smallest key greater than every key starting with {@code prefix} (exclusive range end). */
  static byte[] after(byte[] prefix) {
    byte[] out = prefix.clone();
    for (int i = out.length - 1; i >= 0; i--) {
      if (out[i] != (byte) 0xFF) {
        out[i]++;
        return Arrays.copyOf(out, i + 1);
      }
    }
    throw new IllegalArgumentException("no key follows an all-0xFF prefix");
  }

  static boolean startsWith(byte[] key, byte[] prefix) {
    return key.length >= prefix.length && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
  }
}
