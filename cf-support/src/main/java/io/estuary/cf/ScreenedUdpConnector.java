package io.estuary.cf;

import java.net.DatagramPacket;
import java.net.InetSocketAddress;
import org.eclipse.californium.elements.UDPConnector;
import org.eclipse.californium.elements.config.Configuration;

/**
 * A plain {@link UDPConnector} that asks its {@link SourceLimiter} about each datagram the moment its receiver thread
 * has read it (issue #13). Californium's {@code processDatagram} copies the bytes, formats the source address as a
 * string and builds an endpoint context with a map of attributes for every datagram before its receiver sees it; a
 * flood's datagrams, nearly all shed by the unknown-address budget or the per-source rate, thus made garbage on the
 * receiver thread for nothing. Built by {@link LimitedConnector#udp}; over {@code max_datagram_rate} the check parks
 * this (the reading) thread, as the receiver-side check did.
 */
final class ScreenedUdpConnector extends UDPConnector {
  private final SourceLimiter limiter;

  ScreenedUdpConnector(InetSocketAddress bind, Configuration configuration, SourceLimiter limiter) {
    super(bind, configuration);
    this.limiter = limiter;
  }

  @Override
  public void processDatagram(DatagramPacket datagram) {
    // a datagram without a source port is Californium's to discard (it logs it); everything else meets the limiter
    if (datagram.getPort() != 0 && !limiter.admit(datagram.getAddress(), true)) {
      return;
    }
    super.processDatagram(datagram);
  }
}
