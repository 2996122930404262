package io.estuary.core.topic;

/** Topic name and filter rules (MQTT 5 §4.7). Pure functions; safe from any thread. */
public final class Topics {
  public static final String SHARE_PREFIX = "$share/";

  private Topics() {}

  /** Null when {@code topic} is a valid topic name with at most {@code maxLevels} levels, else why not. */
  public static String checkName(String topic, int maxLevels) {
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

  /** Null when {@code filter} (without a $share prefix) is a valid filter, else why not. */
  public static String checkFilter(String filter, int maxLevels) {
    if (filter == null || filter.isEmpty()) {
      return "empty filter";
    }
    if (filter.length() > 65535) {
      return "filter too long";
    }
    int levels = 1;
    int levelStart = 0;
    for (int i = 0; i <= filter.length(); i++) {
      if (i == filter.length() || filter.charAt(i) == '/') {
        String level = filter.substring(levelStart, i);
        if (level.length() > 1 && (level.indexOf('+') >= 0 || level.indexOf('#') >= 0)) {
          return "wildcard must fill a whole level";
        }
        if (level.equals("#") && i != filter.length()) {
          return "# must be the last level";
        }
        if (i < filter.length()) {
          levels++;
        }
        levelStart = i + 1;
      } else if (filter.charAt(i) == 0) {
        return "NUL in filter";
      }
    }
    return levels > maxLevels ? "too many topic levels" : null;
  }

  public static boolean hasWildcard(String filter) {
    return filter.indexOf('+') >= 0 || filter.indexOf('#') >= 0;
  }

  /** A parsed filter: {@code group} is null for a normal subscription. */
  public record Parsed(String group, String filter) {}

  /**
   * Splits {@code $share/{group}/{filter}}; returns null for a malformed share (empty group, wildcard in
   * group, missing filter). Normal filters come back with a null group.
   */
  public static Parsed parse(String raw) {
    if (!raw.startsWith(SHARE_PREFIX)) {
      return new Parsed(null, raw);
    }
    int slash = raw.indexOf('/', SHARE_PREFIX.length());
    if (slash < 0) {
      return null;
    }
    String group = raw.substring(SHARE_PREFIX.length(), slash);
    String filter = raw.substring(slash + 1);
    if (group.isEmpty() || hasWildcard(group) || filter.isEmpty()) {
      return null;
    }
    return new Parsed(group, filter);
  }

  /** Whether {@code topic} matches {@code filter} (no share prefix). {@code $}-topics escape leading wildcards. */
  public static boolean matches(String filter, String topic) {
    if (topic.startsWith("$") && (filter.startsWith("+") || filter.startsWith("#"))) {
      return false;
    }
    int fi = 0;
    int ti = 0;
    int fl = filter.length();
    int tl = topic.length();
    while (true) {
      int fe = filter.indexOf('/', fi);
      if (fe < 0) {
        fe = fl;
      }
      String fLevel = filter.substring(fi, fe);
      if (fLevel.equals("#")) {
        return true;
      }
      if (ti > tl) {
        return false;
      }
      int te = topic.indexOf('/', ti);
      if (te < 0) {
        te = tl;
      }
      if (!fLevel.equals("+") && !fLevel.equals(topic.substring(ti, te))) {
        return false;
      }
      boolean fEnd = fe == fl;
      boolean tEnd = te == tl;
      if (fEnd && tEnd) {
        return true;
      }
      if (tEnd) {
        // "a/#" matches "a": only if the rest of the filter is exactly "/#"
        return filter.substring(fe).equals("/#");
      }
      if (fEnd) {
        return false;
      }
      fi = fe + 1;
      ti = te + 1;
    }
  }
}
