package io.estuary.coap.resource;

import io.estuary.cf.DtlsSettings;
import io.estuary.cf.IdentityAs;
import io.estuary.cf.KnownSources;
import io.estuary.coap.CoapDevice;
import io.estuary.coap.CoapGatewayConfig;
import io.estuary.coap.CoapMetrics;
import io.estuary.coap.DeviceRegistry;
import io.estuary.coap.mapping.Parsed;
import io.estuary.coap.mapping.RequestQuery;
import io.estuary.api.AuthResult;
import io.estuary.api.ClientCredentials;
import io.estuary.api.Access;
import io.estuary.api.ClientInfo;
import io.estuary.api.SessionRefusedException;
import io.estuary.cf.PeerIdentity;
import io.estuary.api.GatewayContext;
import io.estuary.api.PublishOutcome;
import io.estuary.api.limits.SourceTable;
import io.estuary.api.limits.TokenBucket;
import io.estuary.cf.ListenerLimits;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.net.InetSocketAddress;
import java.security.Principal;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.network.Endpoint;
import org.eclipse.californium.core.CoapExchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What the resources share: config, broker services, the device registry and the answers to errors. */
public final class RequestSupport {
  public static final String PROTOCOL = "coap";
  /**
   * The protocol named in {@link ClientCredentials} for requests over DTLS, so that
   * {@code authentication.passwordless_protocols = ["coaps"]} admits DTLS-authenticated devices by
   * username alone without admitting plain-UDP ones.
   */
  static final String SECURE_PROTOCOL = "coaps";
  private static final Logger DROPS = LoggerFactory.getLogger("io.estuary.coap.drops");

  final CoapGatewayConfig config;
  final GatewayContext context;
  final DeviceRegistry registry;
  final CoapMetrics metrics;
  private final Function<Endpoint, String> listenerName;
  private final Function<Endpoint, IdentityAs> identityAs;
  /** A plain UDP endpoint's known-address table; null over DTLS. */
  private final Function<Endpoint, KnownSources> known;
  /** Per listener: client id → its publish buckets, bounded by the listener's max_sources. */
  private final Map<String, SourceTable<String, PublishBuckets>> publishRates = new ConcurrentHashMap<>();

  /** Max-Age (seconds) of a 5.03 over a rate: retry in a second. */
  static final int RETRY_RATE = 1;
  /** Max-Age (seconds) of a 5.03 at a cap: retry in half a minute. */
  static final int RETRY_CAP = 30;
  /** Max-Age (seconds) of a 5.03 for a device at max_observations. */
  static final int RETRY_OBSERVATIONS = 60;

  private record PublishBuckets(TokenBucket messages, TokenBucket bytes) {}

  public RequestSupport(CoapGatewayConfig config, GatewayContext context, DeviceRegistry registry, CoapMetrics metrics,
      Function<Endpoint, String> listenerName, Function<Endpoint, IdentityAs> identityAs,
      Function<Endpoint, KnownSources> known) {
    this.config = config;
    this.context = context;
    this.registry = registry;
    this.metrics = metrics;
    this.listenerName = listenerName;
    this.identityAs = identityAs;
    this.known = known;
  }

  /**
   * The query, with the DTLS peer identity as client id or username when the listener says so; or null
   * after answering 4.00 (bad query), 4.01 (no DTLS identity) or 4.03 (a query value contradicts it).
   */
  RequestQuery query(CoapExchange ex) {
    Parsed<RequestQuery> q = RequestQuery.parse(ex.getRequestOptions().getUriQueryStrings());
    if (!(q instanceof Parsed.Ok<RequestQuery> ok)) {
      reject(ex, (Parsed.Rejected<?>) q);
      return null;
    }
    IdentityAs as = identityAs.apply(ex.advanced().getEndpoint());
    if (as == IdentityAs.NONE) {
      return ok.value();
    }
    String identity = DtlsSettings.peerName(ex.advanced().getRequest().getSourceContext().getPeerIdentity());
    if (identity == null) {
      reject(ex, ResponseCode.UNAUTHORIZED, "no DTLS peer identity");
      return null;
    }
    RequestQuery query = ok.value();
    String given = as == IdentityAs.CLIENTID ? query.clientId() : query.username();
    if (given != null && !given.equals(identity)) {
      reject(ex, ResponseCode.FORBIDDEN, (as == IdentityAs.CLIENTID ? "clientid" : "username")
          + " differs from the DTLS identity");
      return null;
    }
    return as == IdentityAs.CLIENTID ? query.withClientId(identity) : query.withUsername(identity);
  }

  void reject(CoapExchange ex, Parsed.Rejected<?> r) {
    reject(ex, r.code(), r.reason());
  }

  void reject(CoapExchange ex, ResponseCode code, String reason) {
    metrics.drops.increment();
    DROPS.debug("{} {} {}: {} {}", ex.getSourceSocketAddress(), ex.getRequestCode(),
        ex.getRequestOptions().getUriPathString(), code, reason);
    ex.respond(code, reason, MediaTypeRegistry.TEXT_PLAIN);
  }

  /**
   * 5.03 Service Unavailable with a Max-Age option: the client may retry after {@code maxAgeSeconds} (RFC 7252
   * §5.9.3.4). Counted in drops like every refusal.
   */
  void unavailable(CoapExchange ex, int maxAgeSeconds, String reason) {
    metrics.drops.increment();
    DROPS.debug("{} {} {}: 5.03 {}", ex.getSourceSocketAddress(), ex.getRequestCode(),
        ex.getRequestOptions().getUriPathString(), reason);
    Response r = new Response(ResponseCode.SERVICE_UNAVAILABLE);
    r.getOptions().setMaxAge(maxAgeSeconds);
    r.setPayload(reason);
    r.getOptions().setContentFormat(MediaTypeRegistry.TEXT_PLAIN);
    ex.respond(r);
  }

  /** The name of the listener the request came in on ({@code udp:default}). */
  String listener(CoapExchange ex) {
    return listenerName.apply(ex.advanced().getEndpoint());
  }

  /**
   * Whether a publish of {@code bytes} by {@code clientId} is over its listener's {@code messages_rate} or
   * {@code bytes_rate}; if so answers 5.03 (Max-Age 1) and counts it. Called after the client is authenticated, so
   * nobody drains another client's budget by naming its client id.
   */
  boolean overPublishRate(CoapExchange ex, String clientId, int bytes) {
    String listener = listener(ex);
    ListenerLimits l = config.limits(listener);
    if (l.messagesRate().isInfinite() && l.bytesRate().isInfinite()) {
      return false;
    }
    PublishBuckets b = publishRates.computeIfAbsent(listener, k -> new SourceTable<>(l.maxSources(),
        id -> new PublishBuckets(TokenBucket.of(l.messagesRate()), TokenBucket.of(l.bytesRate())))).get(clientId);
    if (b.messages().tryAcquire(1) && (bytes == 0 || b.bytes().tryAcquire(bytes))) {
      return false;
    }
    metrics.publishesRateLimited.increment();
    unavailable(ex, RETRY_RATE, "publish over messages_rate or bytes_rate");
    return true;
  }

  /** The requester as the broker sees it, with the identity its DTLS handshake proved ({@code psk:…}). */
  ClientInfo clientInfo(CoapExchange ex, String clientId, String username) {
    PeerIdentity proved = PeerIdentity.of(ex.advanced().getRequest().getSourceContext().getPeerIdentity());
    return new ClientInfo(clientId, username, PROTOCOL, listenerName.apply(ex.advanced().getEndpoint()),
        ex.getSourceSocketAddress(), config.mountpoint(), proved == null ? null : proved.authIdentity());
  }

  /**
   * Answers a failed session stage: a refusal with its CoAP code (4.00 for an invalid client id, 4.03 for a
   * reserved id or another identity's session, 5.03 when the gateway takes no sessions), anything else 5.03.
   */
  void sessionFailed(CoapExchange ex, Throwable err) {
    SessionRefusedException r = SessionRefusedException.of(err);
    if (r == null) {
      ex.respond(ResponseCode.SERVICE_UNAVAILABLE, "session not opened", MediaTypeRegistry.TEXT_PLAIN);
      return;
    }
    if (r.reason() == SessionRefusedException.Reason.QUOTA_EXCEEDED) {
      unavailable(ex, DeviceRegistry.OVER_CONN_RATE.equals(r.getMessage()) ? RETRY_RATE : RETRY_CAP,
          "session refused: " + r.getMessage());
      return;
    }
    ResponseCode code = switch (r.reason()) {
      case INVALID_CLIENT_ID -> ResponseCode.BAD_REQUEST;
      case RESERVED_CLIENT_ID, NOT_OWNER -> ResponseCode.FORBIDDEN;
      case UNAVAILABLE, QUOTA_EXCEEDED -> ResponseCode.SERVICE_UNAVAILABLE;
    };
    reject(ex, code, "session refused: " + r.reason().name().toLowerCase(java.util.Locale.ROOT));
  }

  /** Whether {@code client} may read {@code topic} (a retained GET) or observe it; answers 4.03 when not. */
  boolean mayRead(CoapExchange ex, ClientInfo client, String topicOrFilter) {
    if (context.authorize(client, Access.SUBSCRIBE, topicOrFilter)) {
      return true;
    }
    reject(ex, ResponseCode.FORBIDDEN, "not authorized to subscribe to " + topicOrFilter);
    return false;
  }

  CompletionStage<AuthResult> authenticate(CoapExchange ex, String clientId, RequestQuery q) {
    InetSocketAddress peer = ex.getSourceSocketAddress();
    Principal identity = ex.advanced().getRequest().getSourceContext().getPeerIdentity();
    return context.authenticate(new ClientCredentials(clientId, q.username(), q.password(),
        identity == null ? PROTOCOL : SECURE_PROTOCOL, peer, DtlsSettings.peerName(identity)));
  }

  /** Answers a refused authentication; returns true when it did. */
  boolean refused(CoapExchange ex, AuthResult auth, Throwable err) {
    if (err != null) {
      ex.respond(ResponseCode.INTERNAL_SERVER_ERROR);
      return true;
    }
    if (auth.isAllowed()) {
      return false;
    }
    reject(ex, auth.status() == AuthResult.Status.BAD_CREDENTIALS ? ResponseCode.UNAUTHORIZED : ResponseCode.FORBIDDEN,
        "not authorized");
    return true;
  }

  /**
   * Connection mode: the device named by {@code clientid} whose {@code token} matches, or null after
   * answering 4.01. The device is touched (the request counts as a heartbeat).
   */
  CoapDevice connectedDevice(CoapExchange ex, RequestQuery q) {
    CoapDevice d = registry.find(q.clientId());
    if (d == null || d.token() == null || !d.token().equals(q.token())) {
      reject(ex, ResponseCode.UNAUTHORIZED, q.clientId() == null || q.token() == null
          ? "clientid and token required" : "unknown clientid or token");
      return null;
    }
    d.touch();
    // the token went only to the address that opened the connection: using it proves the address receives
    if (config.knownSourceRule() == KnownSources.Rule.REACHABLE) {
      KnownSources k = known.apply(ex.advanced().getEndpoint());
      if (k != null) {
        k.proven(ex.getSourceAddress());
      }
    }
    return d;
  }

  static ResponseCode publishCode(PublishOutcome o) {
    if (o.accepted()) {
      return ResponseCode.CHANGED;
    }
    return switch (o.status()) {
      case NOT_AUTHORIZED -> ResponseCode.FORBIDDEN;
      case TOPIC_NAME_INVALID, QOS_NOT_SUPPORTED, RETAIN_NOT_SUPPORTED -> ResponseCode.BAD_REQUEST;
      case PACKET_TOO_LARGE -> ResponseCode.REQUEST_ENTITY_TOO_LARGE;
      case SESSION_CLOSED -> ResponseCode.UNAUTHORIZED;
      default -> ResponseCode.SERVICE_UNAVAILABLE;
    };
  }
}
