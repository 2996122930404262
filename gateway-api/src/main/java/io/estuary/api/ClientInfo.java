package io.estuary.api;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * Who a session belongs to.
 *
 * @param protocol the adapter's protocol name ("mqtt", "mqttsn", "coap", ...), shown in listings and metrics
 * @param listener the listener name ("tcp:default"), for logs and per-listener limits
 * @param mountpoint prefix the adapter applies to topics, or "" (informational; adapters apply it)
 * @param authIdentity the identity the transport proved, or null: {@code "x509:<subject CN>"} for a TLS/DTLS
 *     client certificate, {@code "psk:<identity>"} for a DTLS pre-shared key, {@code "rpk:<key hash>"} for a raw
 *     public key. With the username it is the session's owner: resuming or taking over a session needs the
 *     same owner (or a superuser).
 */
public record ClientInfo(String clientId, String username, String protocol, String listener, InetSocketAddress peer,
    String mountpoint, String authIdentity) {

  public ClientInfo {
    Objects.requireNonNull(clientId, "clientId");
    Objects.requireNonNull(protocol, "protocol");
    listener = listener == null ? protocol : listener;
    mountpoint = mountpoint == null ? "" : mountpoint;
  }

  /** A client the transport did not identify (plain TCP/UDP): only the username names its owner. */
  public ClientInfo(String clientId, String username, String protocol, String listener, InetSocketAddress peer,
      String mountpoint) {
    this(clientId, username, protocol, listener, peer, mountpoint, null);
  }

  public static ClientInfo of(String clientId, String username, String protocol, InetSocketAddress peer) {
    return new ClientInfo(clientId, username, protocol, protocol, peer, "");
  }

  /** This client with the identity its TLS/DTLS handshake proved. */
  public ClientInfo withAuthIdentity(String identity) {
    return new ClientInfo(clientId, username, protocol, listener, peer, mountpoint, identity);
  }
}
