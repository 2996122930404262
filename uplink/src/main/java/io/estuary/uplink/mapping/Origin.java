package io.estuary.uplink.mapping;

import io.estuary.api.MessageProperties;
import io.estuary.api.UserProperty;
import java.util.ArrayList;
import java.util.List;

/**
 * Loop prevention marker: the MQTT 5 user property {@code estuary-origin = <node>} names the node
 * whose client first published a message. A forward keeps an existing marker (so a message crossing
 * several uplinks still names its first node) and adds one otherwise; a node drops remote messages
 * that carry its own name.
 */
public final class Origin {
  public static final String PROPERTY = "estuary-origin";

  private Origin() {}

  /** The origin node of a message, or null when it carries none. */
  public static String of(MessageProperties p) {
    for (UserProperty u : p.userProperties()) {
      if (u.name().equals(PROPERTY)) {
        return u.value();
      }
    }
    return null;
  }

  /** {@code p} with the marker set to {@code node} unless it already names an origin. */
  public static MessageProperties mark(MessageProperties p, String node) {
    if (of(p) != null) {
      return p;
    }
    List<UserProperty> props = new ArrayList<>(p.userProperties().size() + 1);
    props.addAll(p.userProperties());
    props.add(new UserProperty(PROPERTY, node));
    return p.withUserProperties(props);
  }
}
