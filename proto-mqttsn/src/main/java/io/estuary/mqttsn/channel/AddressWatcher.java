package io.estuary.mqttsn.channel;

import java.net.InetSocketAddress;

/**
 * Told when a UDP address gets its first channel on a listener and when it loses its last one (a forwarder's
 * address counts once, however many nodes it carries). The plain-UDP transport opens and closes a connected
 * socket per address on these (issue #13: established clients' datagrams kept out of a flooded queue).
 * Called on the transport's event loop, from within the dispatcher: must not call back into it.
 */
public interface AddressWatcher {
  AddressWatcher NONE = new AddressWatcher() {
    @Override
    public void attached(InetSocketAddress address) {
    }

    @Override
    public void detached(InetSocketAddress address) {
    }
  };

  /** {@code address} has a channel now (connecting, half-open, connected or asleep). */
  void attached(InetSocketAddress address);

  /** {@code address} has no channel any more. */
  void detached(InetSocketAddress address);
}
