package io.estuary.mqtt.channel;

/**
 * Topic name rules (MQTT 5 §4.7) and the listener's mountpoint. Pure functions.
 *
 * <p>The name check and the {@code $share/} split repeat gateway-core's {@code Topics} because the
 * listener may not import the core; they go once gateway-api has the one topic implementation
 * (issue #11, items 1 and 6).
 */
final class TopicNames {
  static final String SHARE_PREFIX = "$share/";

  private TopicNames() {}

  /** Null when {@code topic} is a valid topic name with at most {@code maxLevels} levels, else why not. */
  static String checkName(String topic, int maxLevels) {
    if (topic == null || topic.isEmpty()) {
      return "empty topic";
    }
    if (topic.length() > 65535) {
      return "topic too long";
    }
    int levels = 1;
    for (int i = 0; i < topic.length(); i++) {
      char c = topic.charAt(i);
      if (c == '+' || c == '#') {
        return "wildcard in topic name";
      }
      if (c == 0) {
        return "NUL in topic";
      }
      if (c == '/') {
        levels++;
      }
    }
    return levels > maxLevels ? "too many topic levels" : null;
  }

  static boolean hasWildcard(String s) {
    return s.indexOf('+') >= 0 || s.indexOf('#') >= 0;
  }

  static String mount(String mountpoint, String topic) {
    return mountpoint.isEmpty() ? topic : mountpoint + topic;
  }

  static String unmount(String mountpoint, String topic) {
    return !mountpoint.isEmpty() && topic.startsWith(mountpoint) ? topic.substring(mountpoint.length()) : topic;
  }

  /**
   * The filter as the broker sees it: the mountpoint goes after a {@code $share/<group>/} prefix; a
   * malformed share filter is passed on untouched for the broker to refuse.
   */
  static String mountFilter(String mountpoint, String filter) {
    if (mountpoint.isEmpty() || !filter.startsWith(SHARE_PREFIX)) {
      return mount(mountpoint, filter);
    }
    int slash = filter.indexOf('/', SHARE_PREFIX.length());
    if (slash < 0) {
      return filter;
    }
    String group = filter.substring(SHARE_PREFIX.length(), slash);
    String rest = filter.substring(slash + 1);
    if (group.isEmpty() || hasWildcard(group) || rest.isEmpty()) {
      return filter;
    }
    return SHARE_PREFIX + group + "/" + mount(mountpoint, rest);
  }
}
