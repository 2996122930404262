package io.estuary.tcp.codec;

import io.estuary.api.Payload;
import io.estuary.tcp.codec.FrameError.Kind;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * EMQX's transparent TCP framing (reference: EMQX "TCP Protocol", v3.2.2+), byte-exact with the reference's
 * examples. Two points the reference leaves loose are settled here and in docs/tcp.md: its CONNECT examples carry
 * header {@code 0x10} (version 0) while its text says version 1 ({@code 0x11}), so both versions are accepted and
 * the channel answers ILLEGALVER to others; DATATRANS flag bits 1–0 are reserved and must be 0, and bits 3–2 (QoS)
 * must be 0..2. Stateless: any thread.
 */
public final class EmqxTcpCodec {
  /** The largest payload the 2-byte length can carry. */
  public static final int MAX_PAYLOAD = 65535;
  /** The success CONNACK's message, as in the reference's example. */
  public static final String CONNECT_SUCCESSFULLY = "Connect Successfully";

  private final int maxPayload;

  /** @param maxPayload payload lengths above this are {@link Kind#TOO_LARGE} (1..65535) */
  public EmqxTcpCodec(int maxPayload) {
    if (maxPayload < 1 || maxPayload > MAX_PAYLOAD) {
      throw new IllegalArgumentException("maxPayload must be 1..65535, was " + maxPayload);
    }
    this.maxPayload = maxPayload;
  }

  /** Decodes one frame at {@code in}'s position; reads absolutely, never moves the position. */
  public DecodeResult<TcpFrame> decode(ByteBuffer in) {
    int start = in.position();
    int available = in.remaining();
    if (available < 1) {
      return DecodeResult.needMore();
    }
    int header = in.get(start) & 0xFF;
    int type = header >>> 4;
    int flags = header & 0x0F;
    switch (type) {
      case TcpFrame.PING, TcpFrame.PONG, TcpFrame.DISCONNECT -> {
        if (flags != 0) {
          return DecodeResult.failed(Kind.MALFORMED, "flags " + flags + " on frame type " + type);
        }
        TcpFrame f = type == TcpFrame.PING ? new TcpFrame.Ping()
            : type == TcpFrame.PONG ? new TcpFrame.Pong() : new TcpFrame.Disconnect();
        return new DecodeResult.Ok<>(f, 1);
      }
      case TcpFrame.CONNECT, TcpFrame.CONNACK, TcpFrame.DATATRANS -> {
        if (available < 3) {
          return DecodeResult.needMore();
        }
        int len = ((in.get(start + 1) & 0xFF) << 8) | (in.get(start + 2) & 0xFF);
        if (len > maxPayload) {
          return DecodeResult.failed(Kind.TOO_LARGE, "payload length " + len + " > " + maxPayload);
        }
        if (available < 3 + len) {
          return DecodeResult.needMore();
        }
        ByteBuffer body = in.duplicate();
        body.position(start + 3).limit(start + 3 + len);
        return body(type, flags, body.slice(), 3 + len);
      }
      default -> {
        return DecodeResult.failed(Kind.UNKNOWN_TYPE, "frame type " + type);
      }
    }
  }

  private static DecodeResult<TcpFrame> body(int type, int flags, ByteBuffer b, int consumed) {
    switch (type) {
      case TcpFrame.CONNECT -> {
        return connect(flags, b, consumed);
      }
      case TcpFrame.CONNACK -> {
        String msg = utf8(b, b.remaining());
        return msg == null ? DecodeResult.failed(Kind.MALFORMED, "CONNACK message is not UTF-8")
            : new DecodeResult.Ok<>(new TcpFrame.ConnAck(flags, msg), consumed);
      }
      default -> {
        int qos = flags >>> 2;
        if ((flags & 0x03) != 0 || qos > 2) {
          return DecodeResult.failed(Kind.MALFORMED, "DATATRANS flags " + flags);
        }
        byte[] data = new byte[b.remaining()];
        b.get(data);
        return new DecodeResult.Ok<>(new TcpFrame.DataTrans(qos, Payload.wrapOwned(data)), consumed);
      }
    }
  }

  // CONNECT payload: Keepalive UINT(1), ClientId STR(n), [Username STR(n), [Password STR(n)]]; nothing after
  private static DecodeResult<TcpFrame> connect(int version, ByteBuffer b, int consumed) {
    if (b.remaining() < 1) {
      return DecodeResult.failed(Kind.MALFORMED, "CONNECT without keepalive");
    }
    int keepAlive = b.get() & 0xFF;
    String clientId = string(b);
    if (clientId == null) {
      return DecodeResult.failed(Kind.MALFORMED, "CONNECT client id missing, truncated or not UTF-8");
    }
    String username = null;
    byte[] password = null;
    if (b.hasRemaining()) {
      username = string(b);
      if (username == null) {
        return DecodeResult.failed(Kind.MALFORMED, "CONNECT username truncated or not UTF-8");
      }
    }
    if (b.hasRemaining()) {
      password = bytes(b);
      if (password == null) {
        return DecodeResult.failed(Kind.MALFORMED, "CONNECT password truncated");
      }
    }
    if (b.hasRemaining()) {
      return DecodeResult.failed(Kind.MALFORMED, b.remaining() + " bytes after the CONNECT password");
    }
    return new DecodeResult.Ok<>(new TcpFrame.Connect(version, keepAlive, clientId, username, password), consumed);
  }

  private static byte[] bytes(ByteBuffer b) {
    if (b.remaining() < 2) {
      return null;
    }
    int n = b.getShort() & 0xFFFF;
    if (b.remaining() < n) {
      return null;
    }
    byte[] out = new byte[n];
    b.get(out);
    return out;
  }

  private static String string(ByteBuffer b) {
    if (b.remaining() < 2) {
      return null;
    }
    int n = b.getShort() & 0xFFFF;
    return b.remaining() < n ? null : utf8(b, n);
  }

  /** The next {@code n} bytes as strict UTF-8 (malformed → null). */
  private static String utf8(ByteBuffer b, int n) {
    ByteBuffer s = b.slice().limit(n);
    b.position(b.position() + n);
    try {
      CharBuffer c = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(s);
      return c.toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  // ---- encoding -------------------------------------------------------------------------------

  /** The bytes of {@code f}; a payload longer than 65535 bytes is the caller's bug. */
  public static byte[] encode(TcpFrame f) {
    if (f instanceof TcpFrame.DataTrans d) {
      byte[] out = withLength(0x30 | (d.qos() << 2), d.payload().size());
      d.payload().copyTo(out, 3);
      return out;
    } else if (f instanceof TcpFrame.ConnAck a) {
      byte[] msg = a.message().getBytes(StandardCharsets.UTF_8);
      byte[] out = withLength(0x20 | (a.code() & 0x0F), msg.length);
      System.arraycopy(msg, 0, out, 3, msg.length);
      return out;
    } else if (f instanceof TcpFrame.Connect c) {
      return connect(c);
    } else if (f instanceof TcpFrame.Ping) {
      return new byte[] {0x40};
    } else if (f instanceof TcpFrame.Pong) {
      return new byte[] {0x50};
    }
    return new byte[] {0x60};
  }

  private static byte[] withLength(int header, int len) {
    if (len > MAX_PAYLOAD) {
      throw new IllegalArgumentException("payload of " + len + " bytes > 65535");
    }
    byte[] out = new byte[3 + len];
    out[0] = (byte) header;
    out[1] = (byte) (len >>> 8);
    out[2] = (byte) len;
    return out;
  }

  private static byte[] connect(TcpFrame.Connect c) {
    ByteBuffer b = ByteBuffer.allocate(MAX_PAYLOAD + 3);
    b.put((byte) (0x10 | (c.version() & 0x0F))).putShort((short) 0).put((byte) c.keepAlive());
    putString(b, c.clientId().getBytes(StandardCharsets.UTF_8));
    if (c.username() != null) {
      putString(b, c.username().getBytes(StandardCharsets.UTF_8));
      if (c.password() != null) {
        putString(b, c.password());
      }
    }
    int len = b.position() - 3;
    b.putShort(1, (short) len);
    byte[] out = new byte[b.position()];
    b.flip().get(out);
    return out;
  }

  private static void putString(ByteBuffer b, byte[] s) {
    b.putShort((short) s.length).put(s);
  }
}
