package io.estuary.coap.mapping;

/** MQTT topic-filter matching (MQTT 5 §4.7), used to route a delivery to the observers it matched. */
public final class TopicFilters {
  private TopicFilters() {}

  /** Whether {@code topic} matches {@code filter}; a {@code $share/group/} prefix is ignored. */
  public static boolean matches(String filter, String topic) {
    String f = filter;
    if (f.startsWith("$share/")) {
      int slash = f.indexOf('/', 7);
      if (slash < 0) {
        return false;
      }
      f = f.substring(slash + 1);
    }
    // MQTT 5 §4.7.2: wildcards at the first level do not match topics starting with $
    if (topic.startsWith("$") && (f.startsWith("+") || f.startsWith("#"))) {
      return false;
    }
    String[] fl = f.split("/", -1);
    String[] tl = topic.split("/", -1);
    for (int i = 0; i < fl.length; i++) {
      if (fl[i].equals("#")) {
        return true;
      }
      if (i >= tl.length) {
        return false;
      }
      if (!fl[i].equals("+") && !fl[i].equals(tl[i])) {
        return false;
      }
    }
    return fl.length == tl.length;
  }
}
