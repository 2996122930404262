package io.estuary.tcp.codec;

import java.util.HexFormat;

/** Test helper: "0x10 00 07 3c" → bytes (spaces and a leading 0x ignored). */
public final class Hex {
  private Hex() {}

  public static byte[] bytes(String s) {
    return HexFormat.of().parseHex(s.replace("0x", "").replace(" ", ""));
  }

  public static String of(byte[] b) {
    return HexFormat.ofDelimiter(" ").formatHex(b);
  }
}
