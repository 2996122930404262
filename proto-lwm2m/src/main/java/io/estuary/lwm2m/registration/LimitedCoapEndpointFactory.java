package io.estuary.lwm2m.registration;

import io.estuary.cf.DedupCap;
import io.estuary.cf.KnownSources;
import io.estuary.cf.LimitedConnector;
import io.estuary.cf.SourceLimiter;
import java.net.InetSocketAddress;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.Connector;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.leshan.server.LeshanServer;
import org.eclipse.leshan.servers.security.ServerSecurityInfo;
import org.eclipse.leshan.server.endpoint.EffectiveEndpointUriProvider;
import org.eclipse.leshan.transport.californium.server.endpoint.coap.CoapServerEndpointFactory;
import org.eclipse.leshan.server.observation.LwM2mNotificationReceiver;

/**
 * Leshan's plain-CoAP server endpoint with its UDP connector behind a {@link SourceLimiter}: datagrams over their
 * source address's rate, or from an address not known lately beyond the listener's {@code unknown_datagram_rate}
 * ({@link KnownSources}), are dropped before Californium parses them; duplicate detection
 * from a {@link DedupCap}.
 */
public final class LimitedCoapEndpointFactory extends CoapServerEndpointFactory {
  private final SourceLimiter limiter;
  private final DedupCap dedup;
  private final KnownSources known;
  private final KnownSources.Rule rule;

  /** {@code known}: the addresses the endpoint proves by {@code rule} (its interceptor goes on the endpoint). */
  public LimitedCoapEndpointFactory(InetSocketAddress bind, SourceLimiter limiter, DedupCap dedup, KnownSources known,
      KnownSources.Rule rule) {
    super(Lwm2mUris.of("coap", bind));
    this.limiter = limiter;
    this.dedup = dedup;
    this.known = known;
    this.rule = rule;
  }

  @Override
  public CoapEndpoint createCoapEndpoint(Configuration defaultConfiguration, ServerSecurityInfo serverSecurityInfo,
      LwM2mNotificationReceiver notificationReceiver, LeshanServer server, EffectiveEndpointUriProvider uriProvider) {
    CoapEndpoint ep = super.createCoapEndpoint(defaultConfiguration, serverSecurityInfo, notificationReceiver, server,
        uriProvider);
    ep.addInterceptor(known.interceptor(rule));
    return ep;
  }

  @Override
  protected Connector createConnector(InetSocketAddress address, Configuration configuration) {
    return new LimitedConnector(super.createConnector(address, configuration), limiter);
  }

  @Override
  protected CoapEndpoint.Builder createEndpointBuilder(InetSocketAddress address, Configuration configuration,
      LwM2mNotificationReceiver notificationReceiver, LeshanServer server, EffectiveEndpointUriProvider uriProvider) {
    return dedup.equip(super.createEndpointBuilder(address, configuration, notificationReceiver, server, uriProvider),
        configuration);
  }
}
