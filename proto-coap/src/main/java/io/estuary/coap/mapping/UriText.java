package io.estuary.coap.mapping;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** RFC 3986 §2.1 percent-decoding of one URI component (Uri-Path and Uri-Query option values). */
final class UriText {
  private UriText() {}

  /** The decoded text, or null when an escape is malformed or the bytes are not UTF-8. */
  static String decode(String s) {
    if (s.indexOf('%') < 0) {
      return s;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%') {
        if (i + 2 >= s.length()) {
          return null;
        }
        int hi = Character.digit(s.charAt(i + 1), 16);
        int lo = Character.digit(s.charAt(i + 2), 16);
        if (hi < 0 || lo < 0) {
          return null;
        }
        out.write(hi << 4 | lo);
        i += 2;
      } else {
        int end = s.indexOf('%', i);
        end = end < 0 ? s.length() : end;
        byte[] b = s.substring(i, end).getBytes(StandardCharsets.UTF_8);
        out.write(b, 0, b.length);
        i = end - 1;
      }
    }
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(out.toByteArray())).toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }
}
