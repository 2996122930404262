package io.estuary.core.store.rocksdb;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32C;

/** Reads what {@link RecordWriter} wrote; every short or malformed read is a {@link CorruptRecordException}. */
final class RecordReader {
  private final byte[] buf;
  private final int end;
  private int pos;

  /** Checks the trailing CRC32C and positions after the version byte's predecessor (offset 0). */
  RecordReader(byte[] record) {
    if (record == null || record.length < 6) {
      throw new CorruptRecordException("record too short: " + (record == null ? 0 : record.length) + " bytes");
    }
    end = record.length - 4;
    CRC32C crc = new CRC32C();
    crc.update(record, 0, end);
    int stored = ((record[end] & 0xFF) << 24) | ((record[end + 1] & 0xFF) << 16) | ((record[end + 2] & 0xFF) << 8) | (record[end + 3] & 0xFF);
    if ((int) crc.getValue() != stored) {
      throw new CorruptRecordException("checksum mismatch");
    }
    this.buf = record;
  }

  private void need(int n) {
    if (n < 0 || pos + n > end) {
      throw new CorruptRecordException("truncated at byte " + pos);
    }
  }

  int u8() {
    need(1);
    return buf[pos++] & 0xFF;
  }

  int u16() {
    need(2);
    int v = ((buf[pos] & 0xFF) << 8) | (buf[pos + 1] & 0xFF);
    pos += 2;
    return v;
  }

  long i64() {
    need(8);
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (buf[pos++] & 0xFF);
    }
    return v;
  }

  long varint() {
    long v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      int b = u8();
      v |= (long) (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        if (v < 0) {
          throw new CorruptRecordException("varint out of range");
        }
        return v;
      }
    }
    throw new CorruptRecordException("varint too long");
  }

  int count(int max) {
    long n = varint();
    if (n > max) {
      throw new CorruptRecordException("count " + n + " over " + max);
    }
    return (int) n;
  }

  byte[] bytes() {
    int n = count(end - pos);
    need(n);
    byte[] out = Arrays.copyOfRange(buf, pos, pos + n);
    pos += n;
    return out;
  }

  String str() {
    int n = count(end - pos);
    need(n);
    String s = new String(buf, pos, n, StandardCharsets.UTF_8);
    pos += n;
    return s;
  }

  String nullableStr() {
    int present = u8();
    if (present > 1) {
      throw new CorruptRecordException("bad presence byte " + present);
    }
    return present == 0 ? null : str();
  }

  boolean atEnd() {
    return pos == end;
  }

  void expectEnd() {
    if (pos != end) {
      throw new CorruptRecordException((end - pos) + " trailing bytes");
    }
  }
}
