package io.estuary.lwm2m.security;

import io.estuary.api.AuthResult;
import io.estuary.api.ClientCredentials;
import io.estuary.api.GatewayContext;
import io.estuary.api.Metrics;
import io.estuary.cf.PeerIdentity;
import io.estuary.lwm2m.Lwm2mConfig;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.eclipse.leshan.core.peer.IpPeer;
import org.eclipse.leshan.core.peer.LwM2mPeer;
import org.eclipse.leshan.core.request.RegisterRequest;
import org.eclipse.leshan.core.endpoint.EndpointUri;
import org.eclipse.leshan.core.request.UplinkRequest;
import org.eclipse.leshan.server.registration.Registration;
import org.eclipse.leshan.servers.security.Authorization;
import org.eclipse.leshan.server.security.Authorizer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every REGISTER goes through the gateway's authenticator (issue #12) before Leshan accepts it: the
 * endpoint name must be a valid client id ({@link EndpointNames}), {@code next} (the security store, X.509
 * CN binding) must approve, and {@link GatewayContext#authenticate} must allow the endpoint name as client
 * id, the username {@code username_from} picks and the DTLS identity as certificate subject (protocol
 * {@code lwm2m}, or {@code lwm2m-dtls} over DTLS). Anything else is declined: Leshan answers 4.03 Forbidden
 * (its authorizer can only approve or decline, so a bad name is 4.03 too, not 4.00). Updates and other
 * uplinks of a registration that passed go to {@code next} only.
 *
 * <p>Leshan asks synchronously on a Californium protocol thread (never a Netty event loop): an authenticator
 * that answers later (HTTP) is waited for, at most {@link #AUTH_TIMEOUT}, then the registration is declined.
 */
public final class RegistrationAuthenticator implements Authorizer {
  /** The longest a REGISTER waits for the authenticator's answer. */
  static final Duration AUTH_TIMEOUT = Duration.ofSeconds(5);
  static final String PROTOCOL = "lwm2m";
  /** The protocol named in credentials of DTLS devices, for {@code authentication.passwordless_protocols}. */
  static final String SECURE_PROTOCOL = "lwm2m-dtls";
  private static final Logger DROPS = LoggerFactory.getLogger("io.estuary.lwm2m.drops");

  private final GatewayContext ctx;
  private final Lwm2mConfig.UsernameFrom usernameFrom;
  private final Authorizer next;
  private final Metrics.Counter badName;
  private final Metrics.Counter notAuthorized;

  public RegistrationAuthenticator(GatewayContext ctx, Lwm2mConfig.UsernameFrom usernameFrom, Authorizer next) {
    this.ctx = ctx;
    this.usernameFrom = usernameFrom;
    this.next = next;
    this.badName = ctx.metrics().counter("drops", "reason", "bad_endpoint_name");
    this.notAuthorized = ctx.metrics().counter("drops", "reason", "not_authorized");
  }

  /** The username a device's session and authentication carry, by {@code username_from}. */
  public static String username(Lwm2mConfig.UsernameFrom from, String endpoint, PeerIdentity identity) {
    return switch (from) {
      case NONE -> null;
      case ENDPOINT -> endpoint;
      case IDENTITY -> identity == null ? null : identity.name();
    };
  }

  @Override
  public Authorization isAuthorized(UplinkRequest<?> request, Registration registration, LwM2mPeer sender,
      EndpointUri endpointUri) {
    if (!(request instanceof RegisterRequest r)) {
      return next.isAuthorized(request, registration, sender, endpointUri);
    }
    String ep = r.getEndpointName();
    String bad = EndpointNames.check(ep);
    if (bad != null) {
      badName.increment();
      DROPS.debug("LwM2M {}: register refused (4.03): {}", sender, bad);
      return Authorization.declined();
    }
    Authorization a = next.isAuthorized(request, registration, sender, endpointUri);
    if (!a.isApproved()) {
      return a;
    }
    PeerIdentity identity = DeviceIdentity.of(sender);
    InetSocketAddress peer = sender instanceof IpPeer ip ? ip.getSocketAddress() : null;
    ClientCredentials credentials = new ClientCredentials(ep, username(usernameFrom, ep, identity), null,
        identity == null ? PROTOCOL : SECURE_PROTOCOL, peer, identity == null ? null : identity.name());
    AuthResult result;
    try {
      result = ctx.authenticate(credentials).toCompletableFuture().get(AUTH_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      result = AuthResult.notAuthorized("interrupted");
    } catch (Exception e) {
      result = AuthResult.notAuthorized("authenticator failed: " + e);
    }
    if (!result.isAllowed()) {
      notAuthorized.increment();
      DROPS.debug("LwM2M {} endpoint {}: register refused (4.03): {}", sender, ep, result);
      return Authorization.declined();
    }
    // the register's extra attributes (EMQX passes them on in the register event): the registration's custom data
    if (!r.getAdditionalAttributes().isEmpty()) {
      Map<String, String> custom = new java.util.HashMap<>(r.getAdditionalAttributes());
      if (a.hasCustomData()) {
        custom.putAll(a.getCustomData());
      }
      return Authorization.approved(custom);
    }
    return a;
  }
}
