package io.estuary.testkit;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the broker lists for one session, as a test sees it (the management API's fields): tests of adapter
 * modules read sessions through this record instead of the core's session view.
 */
public record TestSession(
    String clientId,
    String protocol,
    String username,
    String peer,
    String state,
    boolean persistent,
    int subscriptions,
    int queued,
    int inflight,
    Map<String, Object> attributes) {
  public TestSession {
    attributes = attributes == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(attributes));
  }
}
