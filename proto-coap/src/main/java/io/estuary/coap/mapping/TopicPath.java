package io.estuary.coap.mapping;

import io.estuary.api.topic.Mountpoint;
import io.estuary.api.topic.Topics;
import java.util.List;
import java.util.StringJoiner;

/**
 * Topic ↔ CoAP URI path under {@code /ps}: each Uri-Path option after "ps" is one topic level,
 * percent-decoded (EMQX decodes them too, so {@code %23} is {@code #}), joined with "/". The
 * mountpoint goes on by the one rule ({@link Mountpoint}: a shared filter keeps {@code $share/<group>/} in front).
 */
public final class TopicPath {
  private TopicPath() {}

  /** A topic name for publish or retained read: no wildcards, at least one level. */
  public static Parsed<String> topicName(List<String> levels, String mountpoint) {
    Parsed<String> joined = join(levels);
    if (joined instanceof Parsed.Ok<String> ok) {
      String t = ok.value();
      if (Topics.hasWildcard(t)) {
        return Parsed.badRequest("wildcards are not allowed in a topic name");
      }
      return Parsed.ok(Mountpoint.of(mountpoint).mountTopic(t));
    }
    return joined;
  }

  /** A topic filter for observe: {@code +} and {@code #} allowed as whole levels, {@code #} last. */
  public static Parsed<String> topicFilter(List<String> levels, String mountpoint) {
    Parsed<String> joined = join(levels);
    if (!(joined instanceof Parsed.Ok<String> ok)) {
      return joined;
    }
    String why = Topics.checkFilter(ok.value());
    if (why != null) {
      return Parsed.badRequest(why);
    }
    return Parsed.ok(Mountpoint.of(mountpoint).mountFilter(ok.value()));
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
