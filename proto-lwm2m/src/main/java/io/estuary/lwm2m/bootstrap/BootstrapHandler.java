package io.estuary.lwm2m.bootstrap;

import io.estuary.api.Metrics;
import io.estuary.lwm2m.security.EndpointNames;
import java.util.Collections;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Function;
import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.MessageObserver;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.network.Exchange;
import org.eclipse.leshan.core.peer.IpPeer;
import org.eclipse.leshan.core.peer.LwM2mPeer;
import org.eclipse.leshan.core.request.ContentFormat;
import org.eclipse.leshan.servers.security.SecurityChecker;
import org.eclipse.leshan.servers.security.SecurityInfo;
import org.eclipse.leshan.servers.security.SecurityStore;
import org.eclipse.leshan.transport.californium.identity.DefaultCoapIdentityHandler;
import org.eclipse.leshan.transport.californium.identity.DefaultCoapsIdentityHandler;
import org.eclipse.leshan.transport.californium.identity.IdentityHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bootstrap server's {@code /bs} resource (LwM2M 1.1 TS Transport §6.1, client-initiated bootstrap):
 * {@code POST /bs?ep=<name>[&pct=<content format>]}. As Leshan's {@code DefaultBootstrapHandler} answered
 * (2.0.0-M15, our reference): the device's DTLS identity (or its absence) must match the bootstrap
 * listener's credentials for the endpoint (Leshan's {@link SecurityChecker}), else 4.00 "Unauthorized";
 * an endpoint without a bootstrap config gets 4.00 and a {@code failed} event ({@code no_bootstrap_config}; one
 * whose credentials find no room in {@code bootstrap.max_provisioned} the same 4.00, reason {@code max_provisioned});
 * else 2.04, and once that answer is sent its {@link Session} runs. One session per endpoint: a new
 * bootstrap of the same endpoint cancels the running one; at most {@link #MAX_SESSIONS} at once.
 *
 * <p>Californium calls {@link #handlePOST} on the bootstrap server's protocol stage; the sessions map is
 * concurrent.
 */
final class BootstrapHandler extends CoapResource {
  private static final Logger DROPS = LoggerFactory.getLogger("io.estuary.lwm2m.drops");
  /** Running sessions at most (each ends within a few request timeouts). */
  static final int MAX_SESSIONS = 10_000;

  /** What the service does with sessions: their plan, and the events. */
  interface Events {
    /**
     * The plan for {@code endpoint}, or why there is none (no config, one that cannot be applied: logged; or
     * {@code bootstrap.max_provisioned}: counted and logged).
     */
    Planned planFor(String endpoint);

    void started(String endpoint, IpPeer peer, Plan plan);

    void finished(Session s);

    void failed(String endpoint, IpPeer peer, Plan plan, String reason);
  }

  private final SecurityStore credentials;
  private final SecurityChecker checker = new SecurityChecker();
  private final Events events;
  private final ScheduledExecutorService timer;
  private final Map<String, Session> sessions = new ConcurrentHashMap<>();
  private final Metrics.Counter refusedUnauthorized;
  private final Metrics.Counter refusedBadRequest;
  private final Metrics.Counter finished;
  private final Metrics.Counter requestErrors;
  private final Metrics.Counter requestTimeouts;
  private final IdentityHandler udpIdentities = new DefaultCoapIdentityHandler();
  private final IdentityHandler dtlsIdentities = new DefaultCoapsIdentityHandler();

  BootstrapHandler(SecurityStore credentials, Events events, ScheduledExecutorService timer, Metrics metrics) {
    super("bs");
    this.credentials = credentials;
    this.events = events;
    this.timer = timer;
    this.refusedUnauthorized = metrics.counter("bootstrap.refused", "reason", "unauthorized");
    this.refusedBadRequest = metrics.counter("bootstrap.refused", "reason", "bad_request");
    this.finished = metrics.counter("bootstrap.finished");
    this.requestErrors = metrics.counter("bootstrap.request_errors", "result", "error");
    this.requestTimeouts = metrics.counter("bootstrap.request_errors", "result", "timeout");
    metrics.gauge("bootstrap.sessions", sessions::size);
  }

  @Override
  public void handlePOST(org.eclipse.californium.core.CoapExchange coap) {
    Exchange exchange = coap.advanced();
    Request request = exchange.getRequest();
    String ep = null;
    String pct = null;
    for (String q : request.getOptions().getUriQueryStrings()) {
      if (q.startsWith("ep=")) {
        ep = q.substring(3);
      } else if (q.startsWith("pct=")) {
        pct = q.substring(4);
      }
    }
    LwM2mPeer peer = (request.getSourceContext().getPeerIdentity() == null ? udpIdentities : dtlsIdentities)
        .getIdentity(request);
    String bad = EndpointNames.check(ep);
    ContentFormat format = format(pct);
    if (bad != null || format == null || !(peer instanceof IpPeer ip)) {
      refusedBadRequest.increment();
      DROPS.debug("LwM2M bootstrap request from {} refused (4.00): {}", peer,
          bad != null ? bad : format == null ? "bad pct " + pct : "not an IP peer");
      coap.respond(ResponseCode.BAD_REQUEST, bad != null ? bad : "bad request");
      return;
    }
    if (!authorized(ep, peer)) {
      refusedUnauthorized.increment();
      DROPS.debug("LwM2M bootstrap of {} from {} refused (4.00): its credentials are not the endpoint's", ep, peer);
      coap.respond(ResponseCode.BAD_REQUEST, "Unauthorized");
      return;
    }
    Planned planned = sessions.size() >= MAX_SESSIONS && !sessions.containsKey(ep)
        ? Planned.refused(Planned.NO_BOOTSTRAP_CONFIG) : events.planFor(ep);
    Plan plan = planned.plan();
    events.started(ep, ip, plan);
    if (plan == null) {
      events.failed(ep, ip, null, planned.failure());
      // as Leshan answers a device without a config, whatever the reason: a Bootstrap-Request fails with 4.00 or 4.15
      // only (LwM2M 1.1 TS Transport §6.1); the device learns nothing of the table
      coap.respond(ResponseCode.BAD_REQUEST, "no bootstrap config");
      return;
    }
    Session s = new Session(ep, ip, plan, exchange.getEndpoint(), request.getSourceContext(), format,
        new Outcome(), timer);
    Session old = sessions.put(ep, s);
    if (old != null) {
      old.cancel();
    }
    Response ok = new Response(ResponseCode.CHANGED);
    ok.addMessageObserver(new MessageObserver() {
      @Override
      public void onSent(boolean retransmission) {
        if (!retransmission) {
          s.start();
        }
      }

      @Override
      public void onSendError(Throwable error) {
        s.cancel();
      }
    });
    coap.respond(ok);
  }

  /**
   * The content format the device asked for ({@code pct}), TLV without one; a format that cannot carry an
   * object instance (text, opaque, plain CBOR) falls back to TLV; null when {@code pct} is not a number.
   */
  static ContentFormat format(String pct) {
    if (pct == null || pct.isEmpty()) {
      return ContentFormat.TLV;
    }
    int code;
    try {
      code = Integer.parseInt(pct);
    } catch (NumberFormatException e) {
      return null;
    }
    ContentFormat f = ContentFormat.fromCode(code);
    return f.equals(ContentFormat.TLV) || f.equals(ContentFormat.SENML_JSON) || f.equals(ContentFormat.SENML_CBOR)
        || f.equals(ContentFormat.JSON) ? f : ContentFormat.TLV;
  }

  /** Leshan's check: a DTLS identity must be the endpoint's entry; an endpoint with an entry must use DTLS. */
  private boolean authorized(String ep, LwM2mPeer peer) {
    SecurityInfo info = credentials.getByEndpoint(ep);
    Iterator<SecurityInfo> infos = info == null ? Collections.emptyIterator() : java.util.List.of(info).iterator();
    return checker.checkSecurityInfos(ep, peer, infos);
  }

  /** Stops every running session (the server stops). */
  void stopAll() {
    sessions.values().forEach(Session::cancel);
  }

  int sessions() {
    return sessions.size();
  }

  private final class Outcome implements Session.Outcome {
    @Override
    public void finished(Session s) {
      sessions.remove(s.endpoint, s);
      finished.increment();
      events.finished(s);
    }

    @Override
    public void failed(Session s, String reason) {
      sessions.remove(s.endpoint, s);
      events.failed(s.endpoint, s.peer, s.plan, reason);
    }

    @Override
    public void requestError(Session s, String request, String result) {
      ("timeout".equals(result) ? requestTimeouts : requestErrors).increment();
    }
  }
}
