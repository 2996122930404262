package io.estuary.core.session;

import io.estuary.api.ClientInfo;
import io.estuary.api.Message;

/**
 * What the session core tells the hook chain about sessions that have no connection: a message queued
 * for an offline client, a session that expired; and every attach and end of a session, for the adapters'
 * session watches ({@code GatewayContext.watchSession}). Called on the session's executor; must return at once.
 */
public interface SessionEvents {
  SessionEvents NONE = new SessionEvents() {
    @Override
    public void offlineMessage(String clientId, Message m) {
    }

    @Override
    public void sessionExpired(String clientId) {
    }
  };

  void offlineMessage(String clientId, Message m);

  void sessionExpired(String clientId);

  /**
   * A connection of {@code client} attached to the session (resume, take-over, clean start); {@code session} is the
   * session's identity ({@link Broker#sessionIdentity}).
   */
  default void sessionAttached(String clientId, Object session, ClientInfo client) {
  }

  /**
   * The session {@code session} ended (expired, discarded, deleted, or its non-persistent connection ended); after it
   * left the registry, so a new session of the same client id may exist by then.
   */
  default void sessionEnded(String clientId, Object session) {
  }
}
