package io.estuary.cf;

/**
 * What the DTLS peer identity (PSK identity, certificate CN or raw public key name) becomes for the
 * gateway's session: nothing, the MQTT client id, or the username.
 */
public enum IdentityAs {
  NONE,
  CLIENTID,
  USERNAME;

  /** Parses the config spelling ({@code none | clientid | username}), or null if unknown. */
  public static IdentityAs parse(String s) {
    for (IdentityAs a : values()) {
      if (a.name().equalsIgnoreCase(s.trim())) {
        return a;
      }
    }
    return null;
  }
}
