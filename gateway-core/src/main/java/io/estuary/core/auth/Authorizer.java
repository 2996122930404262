package io.estuary.core.auth;

import io.estuary.api.ClientInfo;

/** Topic ACL: may this client publish to / subscribe to this topic? Fast and non-blocking (in-memory rules). */
public interface Authorizer {
  enum Action { PUBLISH, SUBSCRIBE }

  boolean authorize(ClientInfo client, Action action, String topic);

  /** Whether {@code client} skips every ACL check and may take over any session. */
  default boolean isSuperuser(ClientInfo client) {
    return false;
  }

  /**
   * Whether a message on the concrete {@code topic} may be delivered to {@code client} through a
   * subscription it was granted (deny rules hold on delivery: a subscription to {@code #} never receives
   * a message on a topic the subscriber may not subscribe to). Defaults to the subscribe check.
   */
  default boolean authorizeDelivery(ClientInfo client, String topic) {
    return authorize(client, Action.SUBSCRIBE, topic);
  }

  /**
   * False when no delivery to {@code client} can be denied (a superuser, or no rule could deny it), so
   * the per-delivery check is skipped entirely. Must stay true whenever {@link #authorizeDelivery} could
   * answer false for this client.
   */
  default boolean checksDelivery(ClientInfo client) {
    return true;
  }
}
