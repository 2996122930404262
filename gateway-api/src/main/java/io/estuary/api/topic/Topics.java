package io.estuary.api.topic;

/**
 * Topic name and filter rules (MQTT 5 §4.7): the one implementation used by the core's subscription
 * index and ACLs, and by adapters that match outside the broker (CoAP observers, uplink rules). Pure
 * functions; safe from any thread.
 */
public final class Topics {
  /** The prefix of a shared subscription, {@code $share/<group>/<filter>} (MQTT 5 §4.8.2). */
  public static final String SHARE_PREFIX = "$share/";

  /** The longest topic name or filter: a UTF-8 string's two-byte length prefix (MQTT 5 §1.5.4). */
  public static final int MAX_LENGTH = 65535;

  private Topics() {}

  /** Null when {@code topic} is a valid topic name with at most {@code maxLevels} levels, else why not. */
  public static String checkName(String topic, int maxLevels) {
    if (topic == null || topic.isEmpty()) {
      return "empty topic";
    }
    if (topic.length() > MAX_LENGTH) {
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

  /** Null when {@code filter} (without a $share prefix) is a valid filter of any depth, else why not. */
  public static String checkFilter(String filter) {
    return checkFilter(filter, Integer.MAX_VALUE);
  }

  /** Null when {@code filter} (without a $share prefix) is a valid filter, else why not. */
  public static String checkFilter(String filter, int maxLevels) {
    if (filter == null || filter.isEmpty()) {
      return "empty filter";
    }
    if (filter.length() > MAX_LENGTH) {
      return "filter too long";
    }
    int levels = 1;
    int levelStart = 0;
    for (int i = 0; i <= filter.length(); i++) {
      if (i == filter.length() || filter.charAt(i) == '/') {
        int len = i - levelStart;
        if (len > 1 && indexOfWildcard(filter, levelStart, i) >= 0) {
          return "wildcard must fill a whole level"; // MQTT 5 §4.7.1.2, §4.7.1.3
        }
        if (len == 1 && filter.charAt(levelStart) == '#' && i != filter.length()) {
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

  private static int indexOfWildcard(String s, int from, int to) {
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c == '+' || c == '#') {
        return i;
      }
    }
    return -1;
  }

  public static boolean hasWildcard(String filter) {
    return filter.indexOf('+') >= 0 || filter.indexOf('#') >= 0;
  }

  /**
   * Whether filters starting with a wildcard skip {@code topic}: topics starting with {@code $}
   * ({@code $SYS/...}) are matched only by filters that name their first level (MQTT 5 §4.7.2).
   */
  public static boolean hiddenFromLeadingWildcards(String topic) {
    return !topic.isEmpty() && topic.charAt(0) == '$';
  }

  /** A parsed filter: {@code group} is null for a normal subscription. */
  public record Parsed(String group, String filter) {
    /** Whether this is a shared subscription. */
    public boolean shared() {
      return group != null;
    }

    /** The filter as a client writes it: {@code $share/<group>/<filter>} or the filter. */
    public String raw() {
      return group == null ? filter : SHARE_PREFIX + group + "/" + filter;
    }
  }

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

  /**
   * Whether {@code topic} (a name) matches {@code filter} (no share prefix: see {@link #parse}).
   * Level by level without allocating: this runs for every routed and forwarded message.
   */
  public static boolean matches(String filter, String topic) {
    if (hiddenFromLeadingWildcards(topic) && !filter.isEmpty() && (filter.charAt(0) == '#' || filter.charAt(0) == '+')) {
      return false;
    }
    int fi = 0;
    int ti = 0;
    int fn = filter.length();
    int tn = topic.length();
    while (true) {
      int fe = filter.indexOf('/', fi);
      fe = fe < 0 ? fn : fe;
      if (fe - fi == 1 && filter.charAt(fi) == '#') {
        return true; // also matches the parent level: "a/#" matches "a" (MQTT 5 §4.7.1.2)
      }
      if (ti > tn) {
        return false; // the topic has fewer levels
      }
      int te = topic.indexOf('/', ti);
      te = te < 0 ? tn : te;
      boolean plus = fe - fi == 1 && filter.charAt(fi) == '+';
      if (!plus && (fe - fi != te - ti || !filter.regionMatches(fi, topic, ti, fe - fi))) {
        return false;
      }
      if (fe == fn) {
        return te == tn; // the filter ends: so must the topic
      }
      fi = fe + 1;
      ti = te + 1;
    }
  }

  /**
   * Whether {@code topic} matches the subscription filter {@code raw}, which may be shared
   * ({@code $share/<group>/<filter>} matches as {@code <filter>}); a malformed share matches nothing.
   */
  public static boolean matchesSubscription(String raw, String topic) {
    Parsed p = parse(raw);
    return p != null && matches(p.filter(), topic);
  }

  /** Whether some topic name could match both filters (no share prefixes). */
  public static boolean overlaps(String a, String b) {
    String[] x = a.split("/", -1);
    String[] y = b.split("/", -1);
    int n = Math.min(x.length, y.length);
    for (int i = 0; i < n; i++) {
      if (x[i].equals("#") || y[i].equals("#")) {
        return true;
      }
      if (!x[i].equals("+") && !y[i].equals("+") && !x[i].equals(y[i])) {
        return false;
      }
    }
    if (x.length == y.length) {
      return true;
    }
    // "a/#" also matches "a": the longer one may end in a lone "#"
    String[] longer = x.length > y.length ? x : y;
    return longer.length == n + 1 && longer[n].equals("#");
  }
}
