package io.estuary.cf;

import java.net.DatagramPacket;
import java.net.InetSocketAddress;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.scandium.DtlsDatagramFilter;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;

/**
 * Scandium's datagram filter with a {@link SourceLimiter} in front: a datagram over its source address's rate is
 * dropped on the DTLS connector's receiver thread as soon as it is read from the socket — before Scandium parses a
 * record, looks up a connection, answers a CLIENT_HELLO with a cookie (HELLO_VERIFY_REQUEST) or decrypts anything
 * — counted, never answered. What passes gets Scandium's default checks ({@link DtlsDatagramFilter}). Thread-safe
 * (the limiter is).
 */
public final class SourceDatagramFilter extends DtlsDatagramFilter {
  private final SourceLimiter limiter;

  public SourceDatagramFilter(Configuration config, SourceLimiter limiter) {
    super(config);
    this.limiter = limiter;
  }

  /** Installs the filter on a DTLS connector's config builder (for Leshan's {@code dtlsConnectorConfigInitializer}). */
  public static void install(DtlsConnectorConfig.Builder b, Configuration config, SourceLimiter limiter) {
    b.setDatagramFilter(new SourceDatagramFilter(config, limiter));
  }

  @Override
  public boolean onReceiving(DatagramPacket packet) {
    if (packet.getSocketAddress() instanceof InetSocketAddress source && !limiter.admit(source)) {
      return false;
    }
    return super.onReceiving(packet);
  }
}
