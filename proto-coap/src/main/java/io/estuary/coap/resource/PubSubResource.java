package io.estuary.coap.resource;

import io.estuary.coap.CoapDevice;
import io.estuary.coap.mapping.Parsed;
import io.estuary.coap.mapping.PublishRequest;
import io.estuary.coap.mapping.RequestQuery;
import io.estuary.coap.mapping.TopicPath;
import io.estuary.coap.mapping.ContentFormats;
import io.estuary.coap.observe.Observer;
import io.estuary.api.ClientInfo;
import io.estuary.api.Message;
import io.estuary.api.PublishOutcome;
import io.estuary.api.SubscribeOutcome;
import io.estuary.api.Subscription;
import io.estuary.api.TopicFilter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.network.Exchange;
import org.eclipse.californium.core.observe.ObserveRelation;
import org.eclipse.californium.core.CoapExchange;
import org.eclipse.californium.core.coap.option.StringOption;
import org.eclipse.californium.core.server.resources.Resource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /ps/{topic…}}: POST/PUT publish, GET with Observe 0 subscribes, Observe 1 unsubscribes, plain
 * GET reads the retained message. Every path below {@code /ps} resolves to this one resource.
 */
public final class PubSubResource extends CoapResource {
  private static final Logger LOG = LoggerFactory.getLogger(PubSubResource.class);
  private final RequestSupport support;
  private final Map<ObserveRelation, Binding> bindings = new ConcurrentHashMap<>();

  private record Binding(CoapDevice device, Observer observer) {}

  public PubSubResource(RequestSupport support) {
    super("ps");
    this.support = support;
    setObservable(true);
  }

  /** Every level below /ps is a topic level, handled here. */
  @Override
  public Resource getChild(String name) {
    return this;
  }

  private static List<String> levels(CoapExchange ex) {
    List<StringOption> path = ex.getRequestOptions().getUriPath();
    List<String> levels = new ArrayList<>(Math.max(0, path.size() - 1));
    for (int i = 1; i < path.size(); i++) {
      levels.add(path.get(i).getStringValue());
    }
    return levels;
  }

  @Override
  public void handlePOST(CoapExchange ex) {
    publish(ex);
  }

  @Override
  public void handlePUT(CoapExchange ex) {
    publish(ex);
  }

  /**
   * Whether the /ps path is over {@code max_topic_levels} or {@code max_topic_length} (the Uri-Path options as
   * sent, joined by "/": never shorter than the decoded topic); if so answers 4.00 and counts it.
   */
  private boolean topicTooBig(CoapExchange ex) {
    List<String> levels = levels(ex);
    int length = Math.max(0, levels.size() - 1);
    for (String level : levels) {
      length += level.length();
    }
    if (levels.size() > support.config.maxTopicLevels()) {
      support.metrics.topicsRefused.increment();
      support.reject(ex, ResponseCode.BAD_REQUEST, "topic has more than max_topic_levels levels");
      return true;
    }
    if (length > support.config.maxTopicLength()) {
      support.metrics.topicsRefused.increment();
      support.reject(ex, ResponseCode.BAD_REQUEST, "topic longer than max_topic_length");
      return true;
    }
    return false;
  }

  private void publish(CoapExchange ex) {
    if (topicTooBig(ex)) {
      return;
    }
    RequestQuery q = support.query(ex);
    if (q == null) {
      return;
    }
    Parsed<Message> parsed = PublishRequest.toMessage(levels(ex), q, ex.getRequestPayload(),
        ex.getRequestOptions().getContentFormat(), ex.advanced().getRequest().isConfirmable(),
        support.config.publishQos(), support.config.mountpoint(), support.context.clock().millis());
    if (!(parsed instanceof Parsed.Ok<Message> ok)) {
      support.reject(ex, (Parsed.Rejected<?>) parsed);
      return;
    }
    Message m = ok.value();
    CompletionStage<PublishOutcome> outcome;
    if (support.config.connectionRequired() || q.token() != null) {
      CoapDevice d = support.connectedDevice(ex, q);
      if (d == null || support.overPublishRate(ex, d.clientId(), m.payload().size())) {
        return;
      }
      CompletableFuture<PublishOutcome> f = new CompletableFuture<>();
      d.executor().execute(() -> d.session().publish(m).whenComplete((o, e) -> complete(f, o, e)));
      outcome = f;
    } else {
      String clientId = q.clientId() != null ? q.clientId() : "coap-" + ex.getSourceSocketAddress();
      outcome = support.authenticate(ex, clientId, q).thenCompose(auth -> {
        if (support.refused(ex, auth, null) || support.overPublishRate(ex, clientId, m.payload().size())) {
          return CompletableFuture.completedFuture(null);
        }
        return support.context.publish(support.clientInfo(ex, clientId, q.username()), m);
      });
    }
    outcome.whenComplete((o, e) -> {
      if (e != null) {
        ex.respond(ResponseCode.INTERNAL_SERVER_ERROR);
      } else if (o != null) {
        ResponseCode code = RequestSupport.publishCode(o);
        if (code.isSuccess()) {
          support.metrics.published.increment();
          ex.respond(code);
        } else {
          support.reject(ex, code, o.status().name());
        }
      }
    });
  }

  private static <T> void complete(CompletableFuture<T> f, T value, Throwable e) {
    if (e != null) {
      f.completeExceptionally(e);
    } else {
      f.complete(value);
    }
  }

  @Override
  public void handleGET(CoapExchange ex) {
    if (topicTooBig(ex)) {
      return;
    }
    RequestQuery q = support.query(ex);
    if (q == null) {
      return;
    }
    Integer observe = ex.getRequestOptions().getObserve();
    if (observe == null) {
      readRetained(ex, q);
    } else if (observe == 0) {
      subscribe(ex, q);
    } else if (observe == 1) {
      unsubscribe(ex, q);
    } else {
      support.reject(ex, ResponseCode.BAD_OPTION, "observe must be 0 or 1");
    }
  }

  private void readRetained(CoapExchange ex, RequestQuery q) {
    Parsed<String> topic = TopicPath.topicName(levels(ex), support.config.mountpoint());
    if (!(topic instanceof Parsed.Ok<String> ok)) {
      support.reject(ex, (Parsed.Rejected<?>) topic);
      return;
    }
    CompletionStage<ClientInfo> reader;
    if (support.config.connectionRequired() || q.token() != null) {
      CoapDevice d = support.connectedDevice(ex, q);
      reader = CompletableFuture.completedFuture(d == null ? null : d.client());
    } else {
      String clientId = q.clientId() != null ? q.clientId() : "coap-" + ex.getSourceSocketAddress();
      reader = support.authenticate(ex, clientId, q)
          .handle((auth, err) -> support.refused(ex, auth, err) ? null : support.clientInfo(ex, clientId, q.username()));
    }
    reader.thenAccept(client -> {
      // a retained read is a one-shot subscription: the ACL's subscribe rules decide (issue #12)
      if (client == null || !support.mayRead(ex, client, ok.value())) {
        return;
      }
      Message m = support.context.retained(ok.value());
      if (m == null) {
        ex.respond(ResponseCode.NOT_FOUND);
        return;
      }
      Response r = new Response(ResponseCode.CONTENT);
      r.setPayload(m.payload().toByteArray());
      int cf = ContentFormats.toContentFormat(m.properties().contentType());
      if (cf >= 0) {
        r.getOptions().setContentFormat(cf);
      }
      ex.respond(r);
    });
  }

  /**
   * The device the request acts for (completing on any thread: callers hop to its executor), or null
   * after the request was answered.
   */
  private CompletionStage<CoapDevice> device(CoapExchange ex, RequestQuery q, boolean open) {
    if (support.config.connectionRequired() || q.token() != null) {
      CoapDevice d = support.connectedDevice(ex, q);
      if (d == null) {
        return CompletableFuture.completedFuture(null);
      }
      return CompletableFuture.completedFuture(d);
    }
    if (q.clientId() == null) {
      support.reject(ex, ResponseCode.BAD_REQUEST, "clientid required");
      return CompletableFuture.completedFuture(null);
    }
    return support.authenticate(ex, q.clientId(), q).thenCompose(auth -> {
      if (support.refused(ex, auth, null)) {
        return CompletableFuture.completedFuture(null);
      }
      ClientInfo requester = support.clientInfo(ex, q.clientId(), q.username());
      if (!open) {
        CoapDevice d = support.registry.find(q.clientId());
        if (d == null) {
          ex.respond(ResponseCode.CONTENT); // nothing to unsubscribe: idempotent success
          return CompletableFuture.completedFuture(null);
        }
        if (!d.usableBy(requester)) {
          support.reject(ex, ResponseCode.FORBIDDEN, "client id is another identity's live device");
          return CompletableFuture.completedFuture(null);
        }
        return CompletableFuture.completedFuture(d);
      }
      return support.registry.openOrGet(requester);
    }).exceptionally(e -> {
      support.sessionFailed(ex, e);
      return null;
    });
  }

  /** Runs {@code action} on the device's executor once it is known; unexpected failures answer 5.00. */
  private static void onDevice(CoapExchange ex, CompletionStage<CoapDevice> device, Consumer<CoapDevice> action) {
    device.thenAccept(d -> {
      if (d != null) {
        d.executor().execute(() -> {
          try {
            action.accept(d);
          } catch (RuntimeException e) {
            LOG.warn("{}: request failed", d.clientId(), e);
            ex.respond(ResponseCode.INTERNAL_SERVER_ERROR);
          }
        });
      }
    });
  }

  private void subscribe(CoapExchange ex, RequestQuery q) {
    Parsed<String> parsed = TopicPath.topicFilter(levels(ex), support.config.mountpoint());
    if (!(parsed instanceof Parsed.Ok<String> ok)) {
      support.reject(ex, (Parsed.Rejected<?>) parsed);
      return;
    }
    String filter = ok.value();
    Exchange exchange = ex.advanced();
    if (exchange.getRelation() == null) {
      ex.respond(ResponseCode.SERVICE_UNAVAILABLE, "observe not available", MediaTypeRegistry.TEXT_PLAIN);
      return;
    }
    int qos = q.qos() != null ? q.qos() : support.config.subscribeQos().qos(exchange.getRequest().isConfirmable());
    onDevice(ex, device(ex, q, true), d -> {
      if (d.isClosed()) {
        ex.respond(ResponseCode.UNAUTHORIZED);
        return;
      }
      if (!support.mayRead(ex, d.client(), filter)) {
        return;
      }
      if (d.observer(filter) == null && d.observations() >= support.config.maxObservations()) {
        support.metrics.observationsRefused.increment();
        support.unavailable(ex, RequestSupport.RETRY_OBSERVATIONS, "device holds max_observations relations");
        return;
      }
      int id = d.newSubscriptionId();
      Observer o = new Observer(exchange, filter, id, support.config.notifyType(), d.executor(), d);
      d.addObserver(o);
      bindings.put(exchange.getRelation(), new Binding(d, o));
      d.session().subscribe(List.of(new Subscription(new TopicFilter(filter), qos, false, false, 0, id)))
          .whenComplete((outcomes, err) -> {
            if (err == null && !outcomes.isEmpty() && outcomes.get(0).isGranted()) {
              o.start();
              d.executor().execute(() -> d.probe(exchange)); // unproven (connectionless, half-open): ping its address
              return;
            }
            d.removeObserver(o);
            bindings.remove(exchange.getRelation());
            o.abandon();
            SubscribeOutcome.Failure why = err == null && !outcomes.isEmpty() ? outcomes.get(0).failure() : null;
            ResponseCode code = why == SubscribeOutcome.Failure.TOPIC_FILTER_INVALID ? ResponseCode.BAD_REQUEST
                : why == SubscribeOutcome.Failure.QUOTA_EXCEEDED ? ResponseCode.SERVICE_UNAVAILABLE // a cap: try later
                : ResponseCode.FORBIDDEN;
            support.reject(ex, code, "subscribe refused");
          });
    });
  }

  private void unsubscribe(CoapExchange ex, RequestQuery q) {
    Parsed<String> parsed = TopicPath.topicFilter(levels(ex), support.config.mountpoint());
    if (!(parsed instanceof Parsed.Ok<String> ok)) {
      support.reject(ex, (Parsed.Rejected<?>) parsed);
      return;
    }
    String filter = ok.value();
    onDevice(ex, device(ex, q, false), d -> {
      if (d.isClosed()) {
        ex.respond(ResponseCode.CONTENT);
        return;
      }
      Observer o = d.observer(filter);
      if (o != null) {
        d.removeObserver(o);
        o.close(null);
      }
      d.session().unsubscribe(List.of(new TopicFilter(filter)))
          .whenComplete((v, e) -> ex.respond(ResponseCode.CONTENT));
    });
  }

  /** Californium ended a relation (RST, cancel, failed notification): end its subscription too. */
  @Override
  public void removeObserveRelation(ObserveRelation relation) {
    super.removeObserveRelation(relation);
    Binding b = bindings.remove(relation);
    if (b != null) {
      b.device().executor().execute(() -> b.device().unsubscribeGone(b.observer()));
    }
  }
}
