package io.estuary.api;

import java.net.InetSocketAddress;

/**
 * What a device presented. {@code password} may be null (MQTT-SN carries none); {@code certificateSubject}
 * is the TLS/DTLS peer identity (certificate CN or PSK identity) when there was one.
 */
public record ClientCredentials(
    String clientId, String username, byte[] password, String protocol, InetSocketAddress peer, String certificateSubject) {

  public static ClientCredentials of(String clientId, String username, byte[] password, String protocol) {
    return new ClientCredentials(clientId, username, password, protocol, null, null);
  }

  /** Never prints the password. */
  @Override
  public String toString() {
    return "ClientCredentials[clientId=" + clientId + ", username=" + username + ", password="
        + (password == null ? "null" : "***") + ", protocol=" + protocol + ", peer=" + peer
        + ", certificateSubject=" + certificateSubject + "]";
  }
}
