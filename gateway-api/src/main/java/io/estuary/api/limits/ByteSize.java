package io.estuary.api.limits;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A size in bytes as EMQX 5 writes it in its configs, which users bring along: a bare number of bytes, or a number with
 * a unit — {@code 64KB}, {@code 1MB}, {@code 4GB} — where every unit is 1024-based, as in EMQX ({@code 1MB} is
 * 1,048,576 bytes). Units are case-insensitive and may also be written {@code K}, {@code KiB}, {@code M}, {@code MiB},
 * {@code G}, {@code GiB}, {@code B}. (Typesafe Config alone would read {@code 1MB} as 1,000,000 bytes and refuse
 * {@code KB}.)
 */
public final class ByteSize {
  private static final Pattern SYNTAX = Pattern.compile("(\\d+)\\s*([a-z]*)", Pattern.CASE_INSENSITIVE);

  private ByteSize() {}

  /** Parses a size; throws IllegalArgumentException naming the text when it does not parse or overflows. */
  public static long parse(String text) {
    Matcher m = SYNTAX.matcher(text.trim());
    long scale = m.matches() ? scale(m.group(2)) : -1;
    if (scale < 0) {
      throw new IllegalArgumentException("not a size (e.g. 65536, \"64KB\", \"1MB\", \"4GB\"; 1024-based): " + text);
    }
    try {
      return Math.multiplyExact(Long.parseLong(m.group(1)), scale);
    } catch (ArithmeticException | NumberFormatException e) {
      throw new IllegalArgumentException("size too large: " + text);
    }
  }

  /** Bytes in one {@code unit} ("" and "b": 1), or -1 when it is not a unit. */
  static long scale(String unit) {
    return switch (unit.toLowerCase(Locale.ROOT)) {
      case "", "b" -> 1L;
      case "k", "kb", "kib" -> 1L << 10;
      case "m", "mb", "mib" -> 1L << 20;
      case "g", "gb", "gib" -> 1L << 30;
      default -> -1L;
    };
  }
}
