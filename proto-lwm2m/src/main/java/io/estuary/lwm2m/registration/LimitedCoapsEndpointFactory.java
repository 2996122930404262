package io.estuary.lwm2m.registration;

import io.estuary.cf.DedupCap;
import io.estuary.cf.SourceDatagramFilter;
import io.estuary.cf.SourceLimiter;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.leshan.server.californium.endpoint.coaps.CoapsServerEndpointFactory;

/**
 * Leshan's CoAPs server endpoint with a {@link SourceDatagramFilter} on its DTLS connector: datagrams over their
 * source address's rate are dropped as they are read, before Scandium parses, answers or decrypts them; duplicate
 * detection from a {@link DedupCap}.
 */
public final class LimitedCoapsEndpointFactory extends CoapsServerEndpointFactory {

  public LimitedCoapsEndpointFactory(InetSocketAddress bind, Configuration config, SourceLimiter limiter,
      DedupCap dedup) {
    super(uri("coaps", bind), null, null, b -> SourceDatagramFilter.install(b, config, limiter),
        b -> dedup.equip(b, config));
  }

  /** The endpoint URI of a bind address ({@code scheme://host:port}). */
  public static URI uri(String scheme, InetSocketAddress a) {
    try {
      return new URI(scheme, null, a.getHostString(), a.getPort(), null, null, null);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("not a bind address: " + a, e);
    }
  }
}
