package io.estuary.api.limits;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A rate as EMQX 5 writes it: {@code "1000/s"}, {@code "100/10s"}, {@code "1MB/m"}, {@code "64KB/s"}, a bare
 * number (per second), or {@code "infinity"} (no limit). Sizes take KB, MB and GB (1024-based, as EMQX). The
 * burst of a bucket made from a rate is one period's worth of tokens.
 *
 * @param amount tokens per {@code period}; {@code Long.MAX_VALUE} for infinity
 * @param period the period the amount is spread over
 */
public record Rate(long amount, Duration period) {
  /** No limit. */
  public static final Rate INFINITY = new Rate(Long.MAX_VALUE, Duration.ofSeconds(1));

  private static final Pattern SYNTAX =
      Pattern.compile("(\\d+)\\s*(kb|mb|gb|b)?\\s*(?:/\\s*(\\d*)\\s*(ms|s|m|h|d)?)?", Pattern.CASE_INSENSITIVE);

  public Rate {
    if (amount <= 0) {
      throw new IllegalArgumentException("a rate must be positive (use infinity for no limit): " + amount);
    }
    if (period.isZero() || period.isNegative()) {
      throw new IllegalArgumentException("a rate's period must be positive: " + period);
    }
  }

  /** Parses EMQX's syntax; throws IllegalArgumentException naming the text when it does not parse. */
  public static Rate parse(String text) {
    String t = text.trim();
    if (t.equalsIgnoreCase("infinity") || t.isEmpty()) {
      return INFINITY;
    }
    Matcher m = SYNTAX.matcher(t);
    if (!m.matches()) {
      throw new IllegalArgumentException("not a rate (e.g. \"1000/s\", \"1MB/10s\", infinity): " + text);
    }
    long n = Long.parseLong(m.group(1));
    long scale = ByteSize.scale(m.group(2) == null ? "" : m.group(2));
    long count = m.group(3) == null || m.group(3).isEmpty() ? 1 : Long.parseLong(m.group(3));
    String per = m.group(4) == null ? "s" : m.group(4).toLowerCase(Locale.ROOT);
    Duration unitPeriod = switch (per) {
      case "ms" -> Duration.ofMillis(1);
      case "m" -> Duration.ofMinutes(1);
      case "h" -> Duration.ofHours(1);
      case "d" -> Duration.ofDays(1);
      default -> Duration.ofSeconds(1);
    };
    return new Rate(Math.multiplyExact(n, scale), unitPeriod.multipliedBy(count));
  }

  public boolean isInfinite() {
    return amount == Long.MAX_VALUE;
  }

  /** Tokens per second. */
  public double perSecond() {
    return isInfinite() ? Double.POSITIVE_INFINITY : amount * 1e9 / period.toNanos();
  }

  @Override
  public String toString() {
    return isInfinite() ? "infinity" : amount + "/" + period.toMillis() + "ms";
  }
}
