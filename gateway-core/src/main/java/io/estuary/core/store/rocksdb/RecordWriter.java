package io.estuary.core.store.rocksdb;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32C;

/** Appends the primitive fields of {@link RecordCodec}'s format to a growable array. Not thread-safe. */
final class RecordWriter {
  private byte[] buf;
  private int len;

  RecordWriter(int initial) {
    buf = new byte[Math.max(16, initial)];
  }

  private void ensure(int n) {
    if (len + n > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
    }
  }

  RecordWriter u8(int v) {
    ensure(1);
    buf[len++] = (byte) v;
    return this;
  }

  RecordWriter u16(int v) {
    ensure(2);
    buf[len++] = (byte) (v >>> 8);
    buf[len++] = (byte) v;
    return this;
  }

  RecordWriter i64(long v) {
    ensure(8);
    for (int shift = 56; shift >= 0; shift -= 8) {
      buf[len++] = (byte) (v >>> shift);
    }
    return this;
  }

  /** Unsigned LEB128 of a non-negative long. */
  RecordWriter varint(long v) {
    if (v < 0) {
      throw new IllegalArgumentException("negative varint " + v);
    }
    ensure(10);
    while ((v & ~0x7FL) != 0) {
      buf[len++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    buf[len++] = (byte) v;
    return this;
  }

  RecordWriter bytes(byte[] b) {
    varint(b.length);
    ensure(b.length);
    System.arraycopy(b, 0, buf, len, b.length);
    len += b.length;
    return this;
  }

  RecordWriter str(String s) {
    return bytes(s.getBytes(StandardCharsets.UTF_8));
  }

  /** A presence byte, then the string when present. */
  RecordWriter nullableStr(String s) {
    if (s == null) {
      return u8(0);
    }
    return u8(1).str(s);
  }

  /** Appends the CRC32C of everything written so far and returns the record. */
  byte[] finishWithChecksum() {
    CRC32C crc = new CRC32C();
    crc.update(buf, 0, len);
    int c = (int) crc.getValue();
    ensure(4);
    buf[len++] = (byte) (c >>> 24);
    buf[len++] = (byte) (c >>> 16);
    buf[len++] = (byte) (c >>> 8);
    buf[len++] = (byte) c;
    return Arrays.copyOf(buf, len);
  }
}
