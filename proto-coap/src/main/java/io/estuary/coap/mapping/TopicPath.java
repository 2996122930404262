package io.estuary.coap.mapping;

import java.util.List;
import java.util.StringJoiner;

/**
 * Topic ↔ CoAP URI path under {@code /ps}: each Uri-Path option after "ps" is one topic level,
 * percent-decoded (EMQX decodes them too, so {@code %23} is {@code #}), joined with "/". The
 * mountpoint is prepended on the way in and stripped on the way out.
 */
public final class TopicPath {
  private TopicPath() {}

  /** A topic name for publish or retained read: no wildcards, at least one level. */
  public static Parsed<String> topicName(List<String> levels, String mountpoint) {
    Parsed<String> joined = join(levels);
    if (joined instanceof Parsed.Ok<String> ok) {
      String t = ok.value();
      if (t.indexOf('+') >= 0 || t.indexOf('#') >= 0) {
        return Parsed.badRequest("wildcards are not allowed in a topic name");
      }
      return Parsed.ok(mountpoint + t);
    }
    return joined;
  }

  /** A topic filter for observe: {@code +} and {@code #} allowed as whole levels, {@code #} last. */
  public static Parsed<String> topicFilter(List<String> levels, String mountpoint) {
    Parsed<String> joined = join(levels);
    if (!(joined instanceof Parsed.Ok<String> ok)) {
      return joined;
    }
    String[] parts = ok.value().split("/", -1);
    for (int i = 0; i < parts.length; i++) {
      String p = parts[i];
      boolean plus = p.indexOf('+') >= 0;
      boolean hash = p.indexOf('#') >= 0;
      if ((plus || hash) && p.length() != 1) {
        return Parsed.badRequest("a wildcard must be a whole topic level");
      }
      if (hash && i != parts.length - 1) {
        return Parsed.badRequest("# must be the last topic level");
      }
    }
    return Parsed.ok(mountpoint + ok.value());
  }

  private static Parsed<String> join(List<String> levels) {
    if (levels.isEmpty()) {
      return Parsed.badRequest("missing topic: use /ps/{topic}");
    }
    StringJoiner sb = new StringJoiner("/");
    for (String level : levels) {
      String decoded = UriText.decode(level);
      if (decoded == null) {
        return Parsed.badRequest("bad percent-encoding in topic level");
      }
      if (decoded.indexOf('\0') >= 0) {
        return Parsed.badRequest("NUL in topic");
      }
      sb.add(decoded);
    }
    String topic = sb.toString();
    if (topic.isEmpty() || topic.length() > 65535) {
      return Parsed.badRequest("topic must be 1..65535 characters");
    }
    return Parsed.ok(topic);
  }
}
