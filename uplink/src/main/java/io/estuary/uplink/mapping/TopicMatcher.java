package io.estuary.uplink.mapping;

/** MQTT topic filter matching (MQTT 5 §4.7), for rules evaluated outside the broker's index. */
public final class TopicMatcher {
  private TopicMatcher() {}

  /** Whether {@code topic} (a name, no wildcards) matches {@code filter}. */
  public static boolean matches(String filter, String topic) {
    // MQTT 5 §4.7.2: topics starting with $ are not matched by filters starting with a wildcard
    if (!topic.isEmpty() && topic.charAt(0) == '$' && !filter.isEmpty()
        && (filter.charAt(0) == '#' || filter.charAt(0) == '+')) {
      return false;
    }
    // level by level without allocating: this runs for every forwarded message
    int fi = 0;
    int ti = 0;
    int fn = filter.length();
    int tn = topic.length();
    while (true) {
      int fe = filter.indexOf('/', fi);
      fe = fe < 0 ? fn : fe;
      if (fe - fi == 1 && filter.charAt(fi) == '#') {
        return true; // also matches the parent level ("a/#" matches "a")
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

  /** Whether some topic name could match both filters. */
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

  /** Null when {@code filter} is a valid topic filter, else why not. */
  public static String checkFilter(String filter) {
    if (filter == null || filter.isEmpty()) {
      return "an empty filter";
    }
    String[] levels = filter.split("/", -1);
    for (int i = 0; i < levels.length; i++) {
      String l = levels[i];
      if (l.length() > 1 && (l.contains("+") || l.contains("#"))) {
        return "a wildcard must fill a whole level";
      }
      if (l.equals("#") && i != levels.length - 1) {
        return "# must be the last level";
      }
    }
    return null;
  }
}
