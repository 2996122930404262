package io.estuary.core.auth;

import io.estuary.api.ClientInfo;

/** Topic ACL: may this client publish to / subscribe to this topic? Fast and non-blocking (in-memory rules). */
public interface Authorizer {
  enum Action { PUBLISH, SUBSCRIBE }

  boolean authorize(ClientInfo client, Action action, String topic);
}
