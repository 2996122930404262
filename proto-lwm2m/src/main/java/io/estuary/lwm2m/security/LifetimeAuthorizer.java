package io.estuary.lwm2m.security;

import java.time.Duration;
import org.eclipse.leshan.core.peer.LwM2mPeer;
import org.eclipse.leshan.core.request.RegisterRequest;
import org.eclipse.leshan.core.request.UpdateRequest;
import org.eclipse.leshan.core.endpoint.EndpointUri;
import org.eclipse.leshan.core.request.UplinkRequest;
import org.eclipse.leshan.server.registration.Registration;
import org.eclipse.leshan.servers.security.Authorization;
import org.eclipse.leshan.server.security.Authorizer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Declines (Leshan answers 4.03 Forbidden) a register or update whose lifetime is outside
 * [{@code lifetime_min}, {@code lifetime_max}], then asks {@code next}. A register without {@code lt}
 * gets the LwM2M default of 86400 s (LwM2M 1.1 §6.2.1), checked like any other.
 */
public final class LifetimeAuthorizer implements Authorizer {
  private static final Logger DROPS = LoggerFactory.getLogger("io.estuary.lwm2m.drops");
  private static final long DEFAULT_LIFETIME = 86_400;

  private final long minSeconds;
  private final long maxSeconds;
  private final Authorizer next;

  public LifetimeAuthorizer(Duration min, Duration max, Authorizer next) {
    this.minSeconds = min.toSeconds();
    this.maxSeconds = max.toSeconds();
    this.next = next;
  }

  @Override
  public Authorization isAuthorized(UplinkRequest<?> request, Registration registration, LwM2mPeer sender,
      EndpointUri endpointUri) {
    Long lt = null;
    if (request instanceof RegisterRequest r) {
      lt = r.getLifetime() == null ? DEFAULT_LIFETIME : r.getLifetime();
    } else if (request instanceof UpdateRequest u) {
      lt = u.getLifeTimeInSec();
    }
    if (lt != null && (lt < minSeconds || lt > maxSeconds)) {
      DROPS.debug("LwM2M {}: lifetime {}s outside [{}, {}]", sender, lt, minSeconds, maxSeconds);
      return Authorization.declined();
    }
    return next.isAuthorized(request, registration, sender, endpointUri);
  }
}
