package io.estuary.core.session;

import io.estuary.api.Message;

/**
 * What the session core tells the hook chain about sessions that have no connection: a message queued
 * for an offline client, a session that expired. Called on the session's executor; must return at once.
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
}
