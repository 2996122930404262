package io.estuary.lwm2m.bootstrap;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.coap.MessageObserver;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.network.Endpoint;
import org.eclipse.californium.elements.EndpointContext;
import org.eclipse.leshan.core.link.DefaultLinkParser;
import org.eclipse.leshan.core.link.Link;
import org.eclipse.leshan.core.link.LinkParseException;
import org.eclipse.leshan.core.model.LwM2mModel;
import org.eclipse.leshan.core.model.ObjectLoader;
import org.eclipse.leshan.core.model.StaticModel;
import org.eclipse.leshan.core.node.LwM2mObjectInstance;
import org.eclipse.leshan.core.node.LwM2mPath;
import org.eclipse.leshan.core.node.codec.CodecException;
import org.eclipse.leshan.core.node.codec.DefaultLwM2mEncoder;
import org.eclipse.leshan.core.node.codec.LwM2mEncoder;
import org.eclipse.leshan.core.peer.IpPeer;
import org.eclipse.leshan.core.request.ContentFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One device's bootstrap after its {@code POST /bs} was answered 2.04, as Leshan's bootstrap server ran it
 * with {@code autoIdForSecurityObject} (Leshan 2.0.0-M15 {@code DefaultBootstrapHandler} and
 * {@code BootstrapConfigStoreTaskProvider}, our reference): Bootstrap-Discover of the root (the security
 * instance without {@code ssid} is the bootstrap account, which keeps its instance id), Bootstrap-Delete of
 * {@code /0} and {@code /1}, Bootstrap-Write of the security instance (the first id that is not the bootstrap
 * account's) and of server instance {@code /1/0} in the device's preferred content format, then
 * Bootstrap-Finish. Each request is sent once the previous one is answered. An error answer to a delete or
 * write is counted and the sequence goes on (as Leshan's); a failed discover, a request that is not answered
 * (Californium's retransmissions run out, or no response within {@link #REQUEST_TIMEOUT_MS}), a rejected or
 * unsendable request, or an error answer to the finish ends the session as failed.
 *
 * <p>Californium calls in on the bootstrap server's protocol stage; every method that touches the state is
 * synchronized on the session.
 */
final class Session {
  private static final Logger LOG = LoggerFactory.getLogger(Session.class);
  /** Leshan's bootstrap request timeout: a bit above CoAP's MAX_TRANSMIT_WAIT (93 s). */
  static final long REQUEST_TIMEOUT_MS = 120_000;
  private static final LwM2mModel MODEL = new StaticModel(ObjectLoader.loadDefault());
  private static final LwM2mEncoder ENCODER = new DefaultLwM2mEncoder();

  /** What the session reports when it ends (called once, outside the session's lock). */
  interface Outcome {
    void finished(Session s);

    void failed(Session s, String reason);

    /** A delete or write answered with an error (the sequence goes on) or a request that timed out. */
    void requestError(Session s, String request, String result);
  }

  private enum Kind { DISCOVER, DELETE, WRITE, FINISH }

  private record Step(Kind kind, String path, LwM2mObjectInstance instance) {
    String describe() {
      return switch (kind) {
        case DISCOVER -> "Bootstrap-Discover /";
        case DELETE -> "Bootstrap-Delete " + path;
        case WRITE -> "Bootstrap-Write " + path;
        case FINISH -> "Bootstrap-Finish";
      };
    }
  }

  final String endpoint;
  final IpPeer peer;
  final Plan plan;
  private final Endpoint transport;
  private final EndpointContext destination;
  private final ContentFormat format;
  private final Outcome outcome;
  private final ScheduledExecutorService timer;
  private final Deque<Step> steps = new ArrayDeque<>();
  private Request current;
  private ScheduledFuture<?> guard;
  private boolean ended;

  Session(String endpoint, IpPeer peer, Plan plan, Endpoint transport, EndpointContext destination,
      ContentFormat format, Outcome outcome, ScheduledExecutorService timer) {
    this.endpoint = endpoint;
    this.peer = peer;
    this.plan = plan;
    this.transport = transport;
    this.destination = destination;
    this.format = format;
    this.outcome = outcome;
    this.timer = timer;
  }

  /** Sends the first request (after the 2.04 to the device's bootstrap request went out). */
  void start() {
    synchronized (this) {
      steps.add(new Step(Kind.DISCOVER, "/", null));
    }
    next();
  }

  /** A newer bootstrap of the same endpoint replaces this one: its request is cancelled, it fails "cancelled". */
  void cancel() {
    end("cancelled");
  }

  private void next() {
    Step step;
    Request r;
    synchronized (this) {
      if (ended) {
        return;
      }
      step = steps.poll();
      if (step == null) {
        return;
      }
      try {
        r = request(step);
      } catch (CodecException | IllegalArgumentException e) {
        LOG.warn("LwM2M bootstrap of {}: {} not encodable in {}: {}", endpoint, step.describe(), format, e.toString());
        r = null;
      }
      if (r != null) {
        current = r;
        Request sent = r;
        guard = timer.schedule(() -> timedOut(sent, step), REQUEST_TIMEOUT_MS, TimeUnit.MILLISECONDS);
      }
    }
    if (r == null) {
      end("internal_server_error");
      return;
    }
    transport.sendRequest(r);
  }

  private Request request(Step step) {
    Request r = switch (step.kind()) {
      case DISCOVER -> Request.newGet();
      case DELETE -> Request.newDelete();
      case WRITE -> Request.newPut();
      case FINISH -> Request.newPost();
    };
    switch (step.kind()) {
      case DISCOVER -> r.getOptions().setAccept(MediaTypeRegistry.APPLICATION_LINK_FORMAT);
      case DELETE -> r.getOptions().setUriPath(step.path());
      case WRITE -> {
        LwM2mPath path = new LwM2mPath(step.path());
        r.getOptions().setUriPath(step.path());
        r.getOptions().setContentFormat(format.getCode());
        r.setPayload(ENCODER.encode(step.instance(), format, null, path, MODEL));
      }
      case FINISH -> r.getOptions().setUriPath("bs");
      default -> throw new IllegalStateException(step.kind().name());
    }
    r.setDestinationContext(destination);
    r.addMessageObserver(new Observer(r, step));
    return r;
  }

  private final class Observer implements MessageObserver {
    private final Request request;
    private final Step step;

    Observer(Request request, Step step) {
      this.request = request;
      this.step = step;
    }

    @Override
    public void onResponse(Response response) {
      answered(request, step, response);
    }

    @Override
    public void onTimeout() {
      timedOut(request, step);
    }

    @Override
    public void onReject() {
      failedToSend(request, step, "rejected (RST)");
    }

    @Override
    public void onSendError(Throwable error) {
      failedToSend(request, step, "not sent: " + error);
    }
  }

  private void answered(Request request, Step step, Response response) {
    ResponseCode code = response.getCode();
    String failure = null;
    boolean done = false;
    synchronized (this) {
      if (ended || request != current) {
        return;
      }
      stopGuard();
      current = null;
      switch (step.kind()) {
        case DISCOVER -> {
          Integer bootstrapAccount = code == ResponseCode.CONTENT ? bootstrapAccount(response.getPayload()) : null;
          if (bootstrapAccount == null) {
            LOG.warn("LwM2M bootstrap of {}: {} answered {}: no bootstrap account found in the security object",
                endpoint, step.describe(), code);
            failure = "request_failed";
          } else {
            plan(bootstrapAccount);
          }
        }
        case FINISH -> {
          if (code.isSuccess()) {
            done = true;
          } else {
            LOG.info("LwM2M bootstrap of {}: {} answered {}", endpoint, step.describe(), code);
            failure = "finish_failed";
          }
        }
        default -> {
          if (!code.isSuccess()) {
            LOG.debug("LwM2M bootstrap of {}: {} answered {}", endpoint, step.describe(), code);
            outcome.requestError(this, step.describe(), code.toString());
          }
        }
      }
    }
    if (failure != null) {
      end(failure);
    } else if (done) {
      end(null);
    } else {
      next();
    }
  }

  /** The requests after the discover: the security instance id skips the bootstrap account's. */
  private void plan(int bootstrapAccount) {
    int securityId = bootstrapAccount == 0 ? 1 : 0;
    steps.add(new Step(Kind.DELETE, "/0", null));
    steps.add(new Step(Kind.DELETE, "/1", null));
    steps.add(new Step(Kind.WRITE, "/0/" + securityId, plan.security().toInstance(securityId)));
    steps.add(new Step(Kind.WRITE, "/1/0", plan.server()));
    steps.add(new Step(Kind.FINISH, "/bs", null));
  }

  /** The instance id of the security object's bootstrap account (the one without {@code ssid}), or null. */
  private static Integer bootstrapAccount(byte[] linkFormat) {
    try {
      for (Link l : new DefaultLinkParser().parseCoreLinkFormat(linkFormat == null ? new byte[0] : linkFormat)) {
        String uri = l.getUriReference();
        if (!uri.startsWith("/0/") || l.getAttributes().contains("ssid")) {
          continue;
        }
        try {
          LwM2mPath p = new LwM2mPath(uri);
          if (p.isObjectInstance()) {
            return p.getObjectInstanceId();
          }
        } catch (IllegalArgumentException e) {
          // not an instance path: ignored
        }
      }
    } catch (LinkParseException e) {
      LOG.debug("LwM2M bootstrap discover answer not link-format: {}",
          new String(linkFormat, StandardCharsets.UTF_8), e);
    }
    return null;
  }

  private void timedOut(Request request, Step step) {
    synchronized (this) {
      if (ended || request != current) {
        return;
      }
    }
    LOG.info("LwM2M bootstrap of {}: {} not answered", endpoint, step.describe());
    outcome.requestError(this, step.describe(), "timeout");
    end("request_failed");
  }

  private void failedToSend(Request request, Step step, String why) {
    synchronized (this) {
      if (ended || request != current) {
        return;
      }
    }
    LOG.info("LwM2M bootstrap of {}: {} {}", endpoint, step.describe(), why);
    end("request_failed");
  }

  private void stopGuard() {
    if (guard != null) {
      guard.cancel(false);
      guard = null;
    }
  }

  /** Ends the session once: {@code reason} null = finished. */
  private void end(String reason) {
    Request pending;
    synchronized (this) {
      if (ended) {
        return;
      }
      ended = true;
      stopGuard();
      pending = current;
      current = null;
      steps.clear();
    }
    if (pending != null) {
      pending.cancel();
    }
    if (reason == null) {
      outcome.finished(this);
    } else {
      outcome.failed(this, reason);
    }
  }
}
