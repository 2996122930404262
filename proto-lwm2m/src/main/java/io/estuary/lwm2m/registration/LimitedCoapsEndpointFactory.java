package io.estuary.lwm2m.registration;

import io.estuary.cf.DedupCap;
import io.estuary.cf.SourceDatagramFilter;
import io.estuary.cf.SourceLimiter;
import java.net.InetSocketAddress;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.leshan.core.endpoint.DefaultEndPointUriHandler;
import org.eclipse.leshan.transport.californium.server.endpoint.coaps.CoapsServerEndpointFactory;

/**
 * Leshan's CoAPs server endpoint with a {@link SourceDatagramFilter} on its DTLS connector: datagrams over their
 * source address's rate are dropped as they are read, before Scandium parses, answers or decrypts them; duplicate
 * detection from a {@link DedupCap}.
 */
public final class LimitedCoapsEndpointFactory extends CoapsServerEndpointFactory {

  public LimitedCoapsEndpointFactory(InetSocketAddress bind, Configuration config, SourceLimiter limiter,
      DedupCap dedup) {
    super(Lwm2mUris.of("coaps", bind), null, null, b -> SourceDatagramFilter.install(b, config, limiter),
        b -> dedup.equip(b, config), new DefaultEndPointUriHandler());
  }
}
