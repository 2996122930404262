package io.estuary.bench.lwm2m;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** The few CoAP (RFC 7252) messages a raw LwM2M device needs, encoded and read by hand. */
final class CoapWire {
  static final int CON = 0;
  static final int ACK = 2;
  static final int POST = 2;
  static final int CREATED = 0x41;
  static final int CONTENT = 0x45;

  /** A received message's header fields. */
  record Header(int type, int code, int mid, byte[] token) {}

  private CoapWire() {}

  /** CON POST /rd?ep=..&lt=..&lwm2m=1.1&b=U with a two-object link list. */
  static byte[] register(int mid, byte[] token, String endpoint, int lifetime) {
    ByteArrayOutputStream out = header(CON, POST, mid, token);
    int last = 0;
    last = option(out, last, 11, "rd".getBytes(StandardCharsets.US_ASCII));
    last = option(out, last, 12, new byte[] {40}); // application/link-format
    for (String q : new String[] {"ep=" + endpoint, "lt=" + lifetime, "lwm2m=1.1", "b=U"}) {
      last = option(out, last, 15, q.getBytes(StandardCharsets.UTF_8));
    }
    out.write(0xFF);
    out.writeBytes("</1/0>,</3/0>".getBytes(StandardCharsets.US_ASCII));
    return out.toByteArray();
  }

  /** The piggy-backed ACK answering a read: 2.05, text/plain. */
  static byte[] content(int mid, byte[] token, String value) {
    ByteArrayOutputStream out = header(ACK, CONTENT, mid, token);
    option(out, 0, 12, new byte[0]); // text/plain (0)
    out.write(0xFF);
    out.writeBytes(value.getBytes(StandardCharsets.UTF_8));
    return out.toByteArray();
  }

  static Header parse(byte[] b, int len) {
    if (len < 4 || (b[0] & 0xC0) != 0x40) {
      return null;
    }
    int tkl = b[0] & 0x0F;
    if (tkl > 8 || len < 4 + tkl) {
      return null;
    }
    byte[] token = new byte[tkl];
    System.arraycopy(b, 4, token, 0, tkl);
    return new Header((b[0] >> 4) & 3, b[1] & 0xFF, ((b[2] & 0xFF) << 8) | (b[3] & 0xFF), token);
  }

  private static ByteArrayOutputStream header(int type, int code, int mid, byte[] token) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(64);
    out.write(0x40 | (type << 4) | token.length);
    out.write(code);
    out.write(mid >> 8);
    out.write(mid);
    out.writeBytes(token);
    return out;
  }

  private static int option(ByteArrayOutputStream out, int last, int number, byte[] value) {
    int delta = number - last;
    int len = value.length;
    out.write((nibble(delta) << 4) | nibble(len));
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
}
