package io.estuary.lwm2m.security;

import org.eclipse.leshan.core.peer.LwM2mPeer;
import org.eclipse.leshan.core.peer.X509Identity;
import org.eclipse.leshan.core.request.RegisterRequest;
import org.eclipse.leshan.core.endpoint.EndpointUri;
import org.eclipse.leshan.core.request.UplinkRequest;
import org.eclipse.leshan.server.registration.Registration;
import org.eclipse.leshan.servers.security.Authorization;
import org.eclipse.leshan.server.security.Authorizer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A device that proved an X.509 certificate (the DTLS handshake checked it against {@code cacertfile})
 * is authorized when the certificate's CN is its endpoint name; everything else goes to {@code next}
 * (Leshan's security-store check: PSK identity bound to its endpoint, no plain UDP for endpoints with
 * credentials).
 */
public final class X509EndpointAuthorizer implements Authorizer {
  private static final Logger DROPS = LoggerFactory.getLogger("io.estuary.lwm2m.drops");
  private final Authorizer next;

  public X509EndpointAuthorizer(Authorizer next) {
    this.next = next;
  }

  @Override
  public Authorization isAuthorized(UplinkRequest<?> request, Registration registration, LwM2mPeer sender,
      EndpointUri endpointUri) {
    if (sender.getIdentity() instanceof X509Identity x) {
      String ep = request instanceof RegisterRequest r ? r.getEndpointName()
          : registration == null ? null : registration.getEndpoint();
      if (ep != null && ep.equals(x.getX509CommonName())) {
        return Authorization.approved();
      }
      DROPS.debug("LwM2M {}: certificate CN {} is not the endpoint name {}", sender, x.getX509CommonName(), ep);
      return Authorization.declined();
    }
    return next.isAuthorized(request, registration, sender, endpointUri);
  }
}
