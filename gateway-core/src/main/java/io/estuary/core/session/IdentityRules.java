package io.estuary.core.session;

import io.estuary.api.ClientInfo;
import io.estuary.api.SessionRefusedException;
import io.estuary.api.SessionRefusedException.Reason;

/**
 * The client-id and username rules every protocol's sessions obey (issue #12), checked by {@link
 * Broker#openSession} before a session is looked up: an id must be non-empty, at most {@code
 * mqtt.max_clientid_len} characters, free of the wildcards {@code + #}, NUL and control characters; ids
 * starting with {@code $} are reserved, except an adapter's own namespace {@code $<protocol>/…} opened
 * through that adapter's context (the uplink's {@code $uplink/<name>}). A username may hold no NUL or
 * control character. Pure.
 */
final class IdentityRules {
  private IdentityRules() {}

  /**
   * The refusal for {@code client}, or null when it may open a session.
   *
   * @param adapterProtocol the protocol of the adapter context asking, or null (no {@code $} namespace)
   */
  static SessionRefusedException check(ClientInfo client, String adapterProtocol, int maxClientIdLength) {
    String id = client.clientId();
    if (id.isEmpty()) {
      return new SessionRefusedException(Reason.INVALID_CLIENT_ID, "empty client id");
    }
    if (id.length() > maxClientIdLength) {
      return new SessionRefusedException(Reason.INVALID_CLIENT_ID, "client id longer than " + maxClientIdLength);
    }
    String bad = badCharacter(id, true);
    if (bad != null) {
      return new SessionRefusedException(Reason.INVALID_CLIENT_ID, "client id holds " + bad);
    }
    if (id.charAt(0) == '$' && (adapterProtocol == null || !id.startsWith("$" + adapterProtocol + "/"))) {
      return new SessionRefusedException(Reason.RESERVED_CLIENT_ID, "client ids starting with '$' are reserved");
    }
    if (client.username() != null && (bad = badCharacter(client.username(), false)) != null) {
      return new SessionRefusedException(Reason.INVALID_CLIENT_ID, "username holds " + bad);
    }
    return null;
  }

  /** A description of the first forbidden character of {@code s}, or null. */
  private static String badCharacter(String s, boolean noWildcards) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isISOControl(c)) { // NUL, C0, DEL and C1
        return String.format("control character U+%04X", (int) c);
      }
      if (noWildcards && (c == '+' || c == '#')) {
        return "wildcard '" + c + "'";
      }
    }
    return null;
  }
}
