package io.estuary.lwm2m.registration;

import io.estuary.api.Metrics;
import io.estuary.api.limits.LogThrottle;
import io.estuary.api.limits.TokenBucket;
import io.estuary.cf.ListenerLimits;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Predicate;
import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.coap.CoAP.Code;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.network.Endpoint;
import org.eclipse.californium.core.network.Exchange;
import org.eclipse.californium.core.server.resources.Resource;
import org.eclipse.leshan.core.observation.Observation;
import org.eclipse.leshan.server.registration.Registration;
import org.eclipse.leshan.server.registration.RegistrationListener;
import org.eclipse.leshan.server.registration.RegistrationUpdate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stands in front of Leshan's {@code /rd} resource and refuses what would grow the registration table past its
 * bounds before Leshan parses anything (issue #13): a new registration on a listener holding {@code max_connections}
 * registrations gets 5.03 with Max-Age 30, one over the listener's {@code max_conn_rate} 5.03 with Max-Age 1, and a
 * register or update whose object links are more than {@code max_object_links} 4.00 (not 4.13, which tells a
 * client to send the same body again block-wise, RFC 7959 §2.9.3). A device registering again
 * under its endpoint name replaces its registration and is not refused by the cap. Everything else goes to Leshan
 * unchanged. Counts registrations per listener from Leshan's registration events (any Leshan thread; the counts are
 * atomics).
 */
public final class RegistrationGate extends CoapResource implements RegistrationListener {
  private static final Logger DROPS = LoggerFactory.getLogger("io.estuary.lwm2m.drops");
  /** Max-Age (seconds) of a 5.03 at a cap / over a rate. */
  static final int RETRY_CAP = 30;
  static final int RETRY_RATE = 1;

  private final Resource leshan;
  private final Function<String, ListenerLimits> limits;
  private final Function<Endpoint, String> listenerOfEndpoint;
  private final Function<Registration, String> listenerOfRegistration;
  private final Predicate<String> registered;
  private final int maxObjectLinks;
  private final Map<String, AtomicInteger> perListener = new ConcurrentHashMap<>();
  private final Map<String, TokenBucket> rates = new ConcurrentHashMap<>();
  private final LogThrottle log = LogThrottle.every(1000);
  private final Metrics.Counter refused;
  private final Metrics.Counter rateLimited;
  private final Metrics.Counter linksRefused;

  /**
   * @param leshan Leshan's {@code rd} resource, which handles everything let through
   * @param registered whether an endpoint name is registered now (its new registration replaces the old one)
   */
  public RegistrationGate(Resource leshan, Function<String, ListenerLimits> limits,
      Function<Endpoint, String> listenerOfEndpoint, Function<Registration, String> listenerOfRegistration,
      Predicate<String> registered, int maxObjectLinks, Metrics metrics) {
    super(leshan.getName());
    this.leshan = leshan;
    this.limits = limits;
    this.listenerOfEndpoint = listenerOfEndpoint;
    this.listenerOfRegistration = listenerOfRegistration;
    this.registered = registered;
    this.maxObjectLinks = maxObjectLinks;
    this.refused = metrics.counter("registrations.refused");
    this.rateLimited = metrics.counter("registrations.rate_limited");
    this.linksRefused = metrics.counter("registrations.links_refused");
  }

  /** {@code /rd/{id}} (update, de-register) resolves here too, then goes to Leshan. */
  @Override
  public Resource getChild(String name) {
    return this;
  }

  @Override
  public void handleRequest(Exchange exchange) {
    Request request = exchange.getRequest();
    if (request.getCode() == Code.POST) {
      if (objectLinks(request.getPayload()) > maxObjectLinks) {
        linksRefused.increment();
        refuse(exchange, ResponseCode.BAD_REQUEST, -1, "more than max_object_links object links");
        return;
      }
      int pathSegments = request.getOptions().getURIPathCount();
      if (pathSegments == 1 && !admitRegistration(exchange, request)) {
        return;
      }
    }
    leshan.handleRequest(exchange);
  }

  private boolean admitRegistration(Exchange exchange, Request request) {
    String listener = listenerOfEndpoint.apply(exchange.getEndpoint());
    ListenerLimits l = limits.apply(listener);
    String endpoint = endpointName(request);
    boolean replacing = endpoint != null && registered.test(endpoint);
    if (!replacing && count(listener).get() >= l.maxConnections()) {
      refused.increment();
      refuse(exchange, ResponseCode.SERVICE_UNAVAILABLE, RETRY_CAP, listener + " holds max_connections registrations");
      return false;
    }
    if (!rates.computeIfAbsent(listener, k -> TokenBucket.of(l.maxConnRate())).tryAcquire(1)) {
      rateLimited.increment();
      refuse(exchange, ResponseCode.SERVICE_UNAVAILABLE, RETRY_RATE, listener + " over max_conn_rate");
      return false;
    }
    return true;
  }

  private static String endpointName(Request request) {
    for (String q : request.getOptions().getUriQueryStrings()) {
      if (q.startsWith("ep=")) {
        return q.substring(3);
      }
    }
    return null;
  }

  /** Links in a CoRE link-format payload: at most one per '<' (RFC 6690), counted without parsing. */
  static int objectLinks(byte[] payload) {
    int n = 0;
    if (payload != null) {
      for (byte b : payload) {
        if (b == '<') {
          n++;
        }
      }
    }
    return n;
  }

  private void refuse(Exchange exchange, ResponseCode code, int maxAge, String why) {
    long suppressed = log.admit();
    if (suppressed >= 0) {
      DROPS.info("LwM2M registration from {} refused ({}): {}{}", exchange.getRequest().getSourceContext().getPeerAddress(),
          code, why, LogThrottle.suffix(suppressed));
    }
    Response r = new Response(code);
    if (maxAge >= 0) {
      r.getOptions().setMaxAge(maxAge);
    }
    r.setPayload(why);
    r.getOptions().setContentFormat(MediaTypeRegistry.TEXT_PLAIN);
    exchange.sendResponse(r);
  }

  private AtomicInteger count(String listener) {
    return perListener.computeIfAbsent(listener, k -> new AtomicInteger());
  }

  /** Registrations of {@code listener} now. */
  public int registrations(String listener) {
    AtomicInteger n = perListener.get(listener);
    return n == null ? 0 : n.get();
  }

  /** Counts the registrations restored from the store at start (Leshan fires no event for them). */
  public void restored(Collection<Registration> regs) {
    regs.forEach(r -> count(listenerOfRegistration.apply(r)).incrementAndGet());
  }

  @Override
  public void registered(Registration reg, Registration previousReg, Collection<Observation> previousObservations) {
    if (previousReg != null) {
      count(listenerOfRegistration.apply(previousReg)).decrementAndGet();
    }
    count(listenerOfRegistration.apply(reg)).incrementAndGet();
  }

  @Override
  public void updated(RegistrationUpdate update, Registration updatedReg, Registration previousReg) {}

  @Override
  public void unregistered(Registration reg, Collection<Observation> observations, boolean expired, Registration newReg) {
    if (newReg == null) {
      count(listenerOfRegistration.apply(reg)).decrementAndGet();
    }
  }
}
