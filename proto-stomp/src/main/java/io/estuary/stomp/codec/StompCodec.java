package io.estuary.stomp.codec;

import io.estuary.api.Payload;
import io.estuary.stomp.codec.DecodeResult.Decoded;
import io.estuary.stomp.codec.DecodeResult.FrameError;
import io.estuary.stomp.codec.DecodeResult.HeartBeat;
import io.estuary.stomp.codec.DecodeResult.Kind;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes and encodes STOMP frames (STOMP 1.2 §"Augmented BNF", 1.1 and 1.0 as their specs differ: no
 * {@code \r} escape in 1.1, no escaping at all in 1.0). Input is hostile: every length is bounded by
 * {@link FrameLimits} before anything is buffered past it, and every defect is a {@link FrameError}.
 */
public final class StompCodec {
  private static final byte LF = '\n';
  private static final byte CR = '\r';
  private static final byte NUL = 0;

  private final FrameLimits limits;

  public StompCodec(FrameLimits limits) {
    this.limits = limits;
  }

  public FrameLimits limits() {
    return limits;
  }

  /**
   * Decodes the first frame (or heart-beat) in {@code in} from its position to its limit. Does not move
   * the buffer's position: the caller skips {@code consumed} bytes.
   */
  public DecodeResult decode(ByteBuffer in, StompVersion version) {
    final int start = in.position();
    final int end = in.limit();
    int p = start;
    // heart-beats: EOLs between frames
    while (p < end) {
      byte b = in.get(p);
      if (b == LF) {
        p++;
      } else if (b == CR) {
        if (p + 1 >= end) {
          break; // CR at the end: wait for its LF
        }
        if (in.get(p + 1) != LF) {
          return new FrameError(Kind.MALFORMED, "CR not followed by LF");
        }
        p += 2;
      } else {
        break;
      }
    }
    if (p > start) {
      return new HeartBeat(p - start);
    }
    // command line
    int eol = indexOf(in, LF, p, Math.min(end, p + FrameLimits.MAX_COMMAND_LINE + 1));
    if (eol < 0) {
      return end - p > FrameLimits.MAX_COMMAND_LINE ? new FrameError(Kind.UNKNOWN_COMMAND, "command line too long")
          : DecodeResult.NEED_MORE;
    }
    String name = ascii(in, p, stripCr(in, p, eol));
    Command command = Command.of(name);
    if (command == null) {
      return new FrameError(Kind.UNKNOWN_COMMAND, "unknown command " + printable(name));
    }
    boolean unescape = command.escapesHeaders() && version != StompVersion.V1_0;
    p = eol + 1;
    List<StompFrame.Header> headers = new ArrayList<>(4);
    while (true) {
      int lineMax = limits.maxHeaderLength() + 2; // CR LF
      eol = indexOf(in, LF, p, Math.min(end, p + lineMax));
      if (eol < 0) {
        return end - p >= lineMax ? new FrameError(Kind.HEADER_TOO_LONG, "header line longer than "
            + limits.maxHeaderLength() + " bytes") : DecodeResult.NEED_MORE;
      }
      int lineEnd = stripCr(in, p, eol);
      if (lineEnd == p) {
        p = eol + 1; // the blank line ending the headers
        break;
      }
      if (lineEnd - p > limits.maxHeaderLength()) {
        return new FrameError(Kind.HEADER_TOO_LONG, "header line longer than " + limits.maxHeaderLength() + " bytes");
      }
      if (headers.size() >= limits.maxHeaders()) {
        return new FrameError(Kind.TOO_MANY_HEADERS, "more than " + limits.maxHeaders() + " headers");
      }
      int colon = indexOf(in, (byte) ':', p, lineEnd);
      if (colon < 0) {
        return new FrameError(Kind.MALFORMED, "header line without a colon");
      }
      String hn = utf8(in, p, colon);
      String hv = utf8(in, colon + 1, lineEnd);
      if (unescape) {
        hn = unescape(hn, version);
        hv = hn == null ? null : unescape(hv, version);
        if (hn == null || hv == null) {
          return new FrameError(Kind.MALFORMED, "undefined escape sequence in a header");
        }
      }
      headers.add(new StompFrame.Header(hn, hv));
      p = eol + 1;
    }
    return body(in, p, start, command, headers);
  }

  private DecodeResult body(ByteBuffer in, int p, int start, Command command, List<StompFrame.Header> headers) {
    int end = in.limit();
    String cl = null;
    for (StompFrame.Header h : headers) {
      if (h.name().equals("content-length")) {
        cl = h.value();
        break;
      }
    }
    int bodyEnd;
    if (cl != null) {
      long len = parseLength(cl);
      if (len < 0) {
        return new FrameError(Kind.MALFORMED, "content-length is not a length: " + printable(cl));
      }
      if (len > limits.maxBodyLength()) {
        return new FrameError(Kind.BODY_TOO_LONG, "body longer than " + limits.maxBodyLength() + " bytes");
      }
      if (end - p < len + 1) {
        return DecodeResult.NEED_MORE;
      }
      bodyEnd = p + (int) len;
      if (in.get(bodyEnd) != NUL) {
        return new FrameError(Kind.MALFORMED, "no NUL after content-length bytes of body");
      }
    } else {
      bodyEnd = indexOf(in, NUL, p, Math.min(end, p + limits.maxBodyLength() + 1));
      if (bodyEnd < 0) {
        return end - p > limits.maxBodyLength()
            ? new FrameError(Kind.BODY_TOO_LONG, "body longer than " + limits.maxBodyLength() + " bytes")
            : DecodeResult.NEED_MORE;
      }
    }
    byte[] body = new byte[bodyEnd - p];
    in.get(p, body);
    StompFrame frame = new StompFrame(command, headers, Payload.wrapOwned(body));
    return new Decoded(frame, bodyEnd + 1 - start);
  }

  /** The frame's bytes for a peer speaking {@code version}; a body always gets a content-length. */
  public byte[] encode(StompFrame f, StompVersion version) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(64 + f.body().size());
    boolean escape = f.command().escapesHeaders() && version != StompVersion.V1_0;
    out.writeBytes(f.command().name().getBytes(StandardCharsets.US_ASCII));
    out.write(LF);
    boolean hasLength = false;
    for (StompFrame.Header h : f.headers()) {
      hasLength |= h.name().equals("content-length");
      writeEscaped(out, h.name(), escape, version);
      out.write(':');
      writeEscaped(out, h.value(), escape, version);
      out.write(LF);
    }
    if (!hasLength && !f.body().isEmpty()) {
      out.writeBytes(("content-length:" + f.body().size()).getBytes(StandardCharsets.US_ASCII));
      out.write(LF);
    }
    out.write(LF);
    out.writeBytes(f.body().toByteArray());
    out.write(NUL);
    return out.toByteArray();
  }

  private static void writeEscaped(ByteArrayOutputStream out, String s, boolean escape, StompVersion v) {
    if (escape) {
      StringBuilder b = new StringBuilder(s.length() + 4);
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        switch (c) {
          case '\\' -> b.append("\\\\");
          case '\n' -> b.append("\\n");
          case ':' -> b.append("\\c");
          // 1.1 has no CR escape and a CR before the line's LF would read as CRLF: a space keeps the line whole
          case '\r' -> b.append(v == StompVersion.V1_2 ? "\\r" : " ");
          default -> b.append(c);
        }
      }
      s = b.toString();
    } else {
      // 1.0 and CONNECTED cannot carry LF or a CR before LF: they would end the header line
      s = s.replace('\n', ' ').replace('\r', ' ');
    }
    out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
  }

  /** STOMP 1.2 §"Value Encoding"; null for an undefined escape (a fatal protocol error). */
  static String unescape(String s, StompVersion v) {
    if (s.indexOf('\\') < 0) {
      return s;
    }
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c != '\\') {
        b.append(c);
        continue;
      }
      if (++i >= s.length()) {
        return null;
      }
      switch (s.charAt(i)) {
        case 'n' -> b.append('\n');
        case 'c' -> b.append(':');
        case '\\' -> b.append('\\');
        case 'r' -> {
          if (v != StompVersion.V1_2) {
            return null;
          }
          b.append('\r');
        }
        default -> {
          return null;
        }
      }
    }
    return b.toString();
  }

  private static long parseLength(String s) {
    String t = s.trim();
    if (t.isEmpty() || t.length() > 10) {
      return -1;
    }
    long n = 0;
    for (int i = 0; i < t.length(); i++) {
      char c = t.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      n = n * 10 + (c - '0');
    }
    return n;
  }

  private static int indexOf(ByteBuffer in, byte b, int from, int to) {
    for (int i = from; i < to; i++) {
      if (in.get(i) == b) {
        return i;
      }
    }
    return -1;
  }

  private static int stripCr(ByteBuffer in, int from, int eol) {
    return eol > from && in.get(eol - 1) == CR ? eol - 1 : eol;
  }

  private static String ascii(ByteBuffer in, int from, int to) {
    byte[] b = new byte[to - from];
    in.get(from, b);
    return new String(b, StandardCharsets.ISO_8859_1);
  }

  private static String utf8(ByteBuffer in, int from, int to) {
    byte[] b = new byte[to - from];
    in.get(from, b);
    return new String(b, StandardCharsets.UTF_8);
  }

  private static String printable(String s) {
    String t = s.length() > 32 ? s.substring(0, 32) + "…" : s;
    return t.replaceAll("[^\\x20-\\x7e]", "?");
  }
}
