package io.estuary.api;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * Who a session belongs to.
 *
 * @param protocol the adapter's protocol name ("mqtt", "mqttsn", "coap", ...), shown in listings and metrics
 * @param listener the listener name ("tcp:default"), for logs and per-listener limits
 * @param mountpoint prefix the adapter applies to topics, or "" (informational; adapters apply it)
 */
public record ClientInfo(
    String clientId, String username, String protocol, String listener, InetSocketAddress peer, String mountpoint) {

  public ClientInfo {
    Objects.requireNonNull(clientId, "clientId");
    Objects.requireNonNull(protocol, "protocol");
    listener = listener == null ? protocol : listener;
    mountpoint = mountpoint == null ? "" : mountpoint;
  }

  public static ClientInfo of(String clientId, String username, String protocol, InetSocketAddress peer) {
    return new ClientInfo(clientId, username, protocol, protocol, peer, "");
  }
}
