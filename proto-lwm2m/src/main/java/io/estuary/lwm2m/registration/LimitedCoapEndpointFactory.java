package io.estuary.lwm2m.registration;

import io.estuary.cf.LimitedConnector;
import io.estuary.cf.SourceLimiter;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import org.eclipse.californium.elements.Connector;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.leshan.server.californium.endpoint.coap.CoapServerEndpointFactory;

/**
 * Leshan's plain-CoAP server endpoint with its UDP connector behind a {@link SourceLimiter}: datagrams over their
 * source address's rate are dropped before Californium parses them.
 */
public final class LimitedCoapEndpointFactory extends CoapServerEndpointFactory {
  private final SourceLimiter limiter;

  public LimitedCoapEndpointFactory(InetSocketAddress bind, SourceLimiter limiter) {
    super(uri(bind));
    this.limiter = limiter;
  }

  private static URI uri(InetSocketAddress a) {
    try {
      return new URI("coap", null, a.getHostString(), a.getPort(), null, null, null);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("not a bind address: " + a, e);
    }
  }

  @Override
  protected Connector createConnector(InetSocketAddress address, Configuration configuration) {
    return new LimitedConnector(super.createConnector(address, configuration), limiter);
  }
}
