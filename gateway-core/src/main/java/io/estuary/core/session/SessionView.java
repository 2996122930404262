package io.estuary.core.session;

import java.util.Map;

/** A point-in-time view of one session for listings; fields read from volatile mirrors, not locked. */
public record SessionView(
    String clientId,
    String protocol,
    String username,
    String peer,
    String state,
    boolean persistent,
    int subscriptions,
    int queued,
    int inflight,
    long connectedAtMillis,
    long disconnectedAtMillis,
    Map<String, Object> attributes) {}
