package io.estuary.coap.dtls;

import io.estuary.cf.DtlsSettings;
import io.estuary.cf.DedupCap;
import io.estuary.cf.LimitedConnector;
import io.estuary.cf.SourceLimiter;
import java.net.InetSocketAddress;
import java.util.Objects;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.scandium.DTLSConnector;

/**
 * One CoAPs listener ({@code listeners.dtls.<name>}): its bind address and DTLS credentials.
 *
 * @param bind where Scandium's connector listens (default port 5684)
 * @param settings PSK table, certificates, client authentication, connection id, identity mapping
 */
public record DtlsListener(InetSocketAddress bind, DtlsSettings settings) {
  public DtlsListener {
    Objects.requireNonNull(bind, "bind");
    Objects.requireNonNull(settings, "settings");
  }

  /**
   * A CoAP endpoint over a Scandium {@link DTLSConnector}, configured from {@code base} plus these settings, its
   * decrypted records passing {@code limiter} first, its duplicate detection from {@code dedup}.
   */
  public CoapEndpoint endpoint(Configuration base, SourceLimiter limiter, DedupCap dedup) {
    Configuration c = settings.configuration(base);
    DTLSConnector connector = new DTLSConnector(settings.connectorConfig(c, bind));
    return dedup.equip(new CoapEndpoint.Builder().setConfiguration(c)
        .setConnector(new LimitedConnector(connector, limiter)), c).build();
  }
}
