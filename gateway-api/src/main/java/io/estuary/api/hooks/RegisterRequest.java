package io.estuary.api.hooks;

import io.estuary.api.ClientInfo;
import io.estuary.api.UserProperty;
import java.util.List;

/**
 * {@code auth_on_register}: a client asks to connect.
 *
 * @param client who (protocol, listener, peer, client id, username, mountpoint)
 * @param password the password as sent, or null (MQTT-SN and LwM2M carry none); never logged
 * @param properties MQTT 5 CONNECT user properties ({@code auth_on_register_m5}); empty otherwise
 * @param identity the name the transport proved in its handshake (DTLS PSK identity, TLS/DTLS certificate CN,
 *     raw public key name: {@code ClientCredentials.certificateSubject}), or null on a plain transport
 */
public record RegisterRequest(ClientInfo client, byte[] password, List<UserProperty> properties, String identity) {
  public RegisterRequest {
    properties = properties == null ? List.of() : List.copyOf(properties);
  }

  /** A register over a transport that proved no identity. */
  public RegisterRequest(ClientInfo client, byte[] password, List<UserProperty> properties) {
    this(client, password, properties, null);
  }

  @Override
  public String toString() {
    return "RegisterRequest[client=" + client + ", password=" + (password == null ? "null" : "***")
        + ", identity=" + identity + "]";
  }
}
