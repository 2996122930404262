package io.estuary.core.webhooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.estuary.api.hooks.ClientEvent;
import io.estuary.api.hooks.DeliverModifiers;
import io.estuary.api.hooks.DeliverRequest;
import io.estuary.api.hooks.HookName;
import io.estuary.api.hooks.HookPlugin;
import io.estuary.api.hooks.PublishModifiers;
import io.estuary.api.hooks.RegisterModifiers;
import io.estuary.api.hooks.PublishRequest;
import io.estuary.api.hooks.RegisterRequest;
import io.estuary.api.hooks.SubscribeModifiers;
import io.estuary.api.hooks.SubscribeRequest;
import io.estuary.api.hooks.Verdict;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * vmq_webhooks: per hook, the registered endpoints in registration order; an answered hook asks them in turn
 * until one answers ok or error ({@code next} passes on); a notification is posted to all of them, answers
 * ignored. A non-2xx status, a body that is no vmq_webhooks answer or a failed request counts as an error
 * for auth_on_* hooks (the client is refused) and as next for on_deliver. Answers {@code ok} of the
 * auth_on_* hooks are cached for the {@code cache-control: max-age} they came with, per endpoint and request
 * body (less the client's ephemeral {@code peer_port}). Thread-safe.
 *
 * <p>One JDK {@link HttpClient} (its connection pool, an executor of {@value #THREADS_PER_SERVER} threads and the
 * client's own selector thread) per server — scheme, host and port — because the JDK client is asynchronous but for one
 * step: it starts each request on its executor and resolves the host name there, blocking ({@code response_timeout}
 * does not cover that lookup). On threads shared by all endpoints, two requests whose lookup stalls would hold up every
 * other endpoint's requests and answers; this way they hold up their own server's only. Answers that are slow to come
 * hold no thread.
 *
 * <p>Clients are made and dropped only by {@link #register} and {@link #deregister} (under this object's monitor), so
 * the map holds exactly the servers some registration names: a request works from a snapshot of the registrations and
 * may reach a server deregistered meanwhile; it then finds no client and fails as a request that could not be sent does
 * (it must not make one: nothing would ever drop it). After {@link #stop} no client is made.
 */
public final class WebhookPlugin implements HookPlugin {
  private static final Logger LOG = LoggerFactory.getLogger(WebhookPlugin.class);
  public static final String NAME = "webhooks";

  private final List<Webhook> hooks = new CopyOnWriteArrayList<>();
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
  /** Threads of one server's client: a stalled name lookup holds them, and nothing of another server's. */
  static final int THREADS_PER_SERVER = 2;
  private final Duration timeout;
  /**
   * Per server ({@link #server}) some registration names, its client and the executor it runs on. Written under this
   * object's monitor only (register, deregister, stop); read without it by {@link #send}.
   */
  private final java.util.Map<String, Client> clients = new java.util.concurrent.ConcurrentHashMap<>();
  /** Set by {@link #stop}, under the monitor: no client is made after it. */
  private boolean stopped;
  private final AtomicInteger threads = new AtomicInteger();
  private final WebhookCache cache;
  /**
   * Per endpoint, requests sent and not answered (or timed out) yet: at most {@code webhooks.max_inflight} each, so a
   * slow event endpoint cannot take the places of an auth endpoint.
   */
  private final java.util.Map<URI, java.util.concurrent.Semaphore> inflight = new java.util.concurrent.ConcurrentHashMap<>();
  private final int maxInflight;
  private final java.util.concurrent.atomic.AtomicLong refused = new java.util.concurrent.atomic.AtomicLong();
  private final io.estuary.api.limits.LogThrottle refusedLog = io.estuary.api.limits.LogThrottle.every(60_000);

  public WebhookPlugin(List<Webhook> initial, Duration timeout, int cacheSize, Clock clock) {
    this(initial, timeout, cacheSize, clock, Integer.MAX_VALUE);
  }

  /** With at most {@code maxInflight} requests waiting for an answer at once ({@code webhooks.max_inflight}). */
  public WebhookPlugin(List<Webhook> initial, Duration timeout, int cacheSize, Clock clock, int maxInflight) {
    this.timeout = timeout;
    this.maxInflight = maxInflight;
    this.cache = new WebhookCache(cacheSize, clock);
    synchronized (this) {
      hooks.addAll(initial);
      initial.forEach(w -> open(w.endpoint()));
    }
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Set<HookName> hooks() {
    Set<HookName> out = EnumSet.noneOf(HookName.class);
    hooks.forEach(w -> out.add(w.hook()));
    return out;
  }

  @Override
  public void hooksChanged(Runnable listener) {
    listeners.add(listener);
  }

  /** {@code estuary ctl webhooks register}: adds (or replaces the options of) a hook/endpoint pair. */
  public synchronized void register(Webhook w) {
    hooks.removeIf(h -> h.wireName().equals(w.wireName()) && h.endpoint().equals(w.endpoint()));
    hooks.add(w);
    open(w.endpoint());
    cache.clear();
    listeners.forEach(Runnable::run);
    LOG.info("webhook registered: {} -> {}", w.wireName(), w.endpoint());
  }

  /** {@code estuary ctl webhooks deregister}: false when no such registration. */
  public synchronized boolean deregister(String wireName, URI endpoint) {
    boolean removed = hooks.removeIf(h -> h.wireName().equals(wireName) && h.endpoint().equals(endpoint));
    if (removed) {
      cache.clear();
      String server = server(endpoint);
      if (hooks.stream().noneMatch(h -> server(h.endpoint()).equals(server))) {
        // not shut down: requests under way finish on its threads, which then end (idle), as does the unreferenced
        // client; a request that reaches this server later finds no client (see send)
        clients.remove(server);
      }
      listeners.forEach(Runnable::run);
      LOG.info("webhook deregistered: {} -> {}", wireName, endpoint);
    }
    return removed;
  }

  /** {@code estuary ctl webhooks show}. */
  public List<Webhook> registered() {
    return List.copyOf(hooks);
  }

  /**
   * The endpoints registered for {@code h}, in registration order. A VerneMQ service usually registers the same
   * endpoint for a hook and its {@code _m5} variant; here they are one hook, so that endpoint is asked (or told)
   * once, with the {@code _m5} body (a superset) when either registration is {@code _m5}.
   */
  private List<Webhook> of(HookName h) {
    List<Webhook> out = new ArrayList<>();
    for (Webhook w : hooks) {
      if (w.hook() != h) {
        continue;
      }
      int same = -1;
      for (int i = 0; i < out.size(); i++) {
        if (out.get(i).endpoint().equals(w.endpoint())) {
          same = i;
        }
      }
      if (same < 0) {
        out.add(w);
      } else if (w.m5() && !out.get(same).m5()) {
        out.set(same, w);
      }
    }
    return out;
  }

  @Override
  public boolean hooksMayChange() {
    return true; // estuary ctl webhooks register, at run time
  }

  @Override
  public CompletionStage<Verdict<RegisterModifiers>> authOnRegister(RegisterRequest r) {
    return ask(HookName.AUTH_ON_REGISTER, w -> WebhookJson.register(r.client(), r.password(), w),
        (b, w) -> Verdict.ok(WebhookJson.registerModifiers(b, w)), true);
  }

  @Override
  public CompletionStage<Verdict<PublishModifiers>> authOnPublish(PublishRequest r) {
    return ask(HookName.AUTH_ON_PUBLISH, w -> WebhookJson.message(WebhookJson.client(r.client()), r.message(), w, true),
        (b, w) -> Verdict.ok(WebhookJson.publishModifiers(b, w)), true);
  }

  @Override
  public CompletionStage<Verdict<SubscribeModifiers>> authOnSubscribe(SubscribeRequest r) {
    return ask(HookName.AUTH_ON_SUBSCRIBE, w -> WebhookJson.subscribe(r.client(), r.subscriptions()),
        (b, w) -> Verdict.ok(WebhookJson.subscribeModifiers(b)), true);
  }

  @Override
  public CompletionStage<Verdict<DeliverModifiers>> onDeliver(DeliverRequest r) {
    return ask(HookName.ON_DELIVER, w -> {
      ObjectNode o = WebhookJson.client(r.subscriber());
      WebhookJson.message(o, r.message(), w, true);
      return o;
    }, (b, w) -> Verdict.ok(WebhookJson.deliverModifiers(b, w)), false);
  }

  @Override
  public void onEvent(ClientEvent e) {
    for (Webhook w : of(e.hook())) {
      post(w, WebhookJson.event(e, w)).exceptionally(err -> {
        LOG.debug("webhook {} -> {} failed: {}", w.wireName(), w.endpoint(), err.toString());
        return null;
      });
    }
  }

  /** Asks the endpoints of {@code h} in turn; {@code ok} builds the OK verdict (with modifiers) from a body. */
  private <M> CompletionStage<Verdict<M>> ask(HookName h, java.util.function.Function<Webhook, ObjectNode> body,
      BiFunction<JsonNode, Webhook, Verdict<M>> ok, boolean failIsError) {
    return askFrom(of(h), 0, body, ok, failIsError);
  }

  private <M> CompletionStage<Verdict<M>> askFrom(List<Webhook> ws, int i, java.util.function.Function<Webhook, ObjectNode> body,
      BiFunction<JsonNode, Webhook, Verdict<M>> ok, boolean cacheable) {
    if (i >= ws.size()) {
      return CompletableFuture.completedFuture(Verdict.next());
    }
    Webhook w = ws.get(i);
    ObjectNode json = body.apply(w);
    String request = json.toString();
    String key = null;
    if (cacheable) {
      ObjectNode k = json.deepCopy();
      k.remove("peer_port"); // a reconnect comes from another ephemeral port: same client, same answer
      key = w.endpoint() + "\n" + w.wireName() + "\n" + k;
    }
    @SuppressWarnings("unchecked")
    Verdict<M> cached = cacheable ? (Verdict<M>) cache.get(key) : null;
    if (cached != null) {
      return CompletableFuture.completedFuture(cached);
    }
    String cacheKey = key;
    return send(w, request).handle((resp, err) -> {
      Verdict<M> v;
      if (err != null) {
        LOG.debug("webhook {} -> {} failed: {}", w.wireName(), w.endpoint(), err.toString());
        v = cacheable ? Verdict.error("webhook_failed") : Verdict.next();
      } else {
        v = verdict(resp, w, ok, cacheable);
        if (cacheable && v.isOk()) {
          long maxAge = WebhookCache.maxAge(resp.headers().firstValue("cache-control").orElse(null));
          if (maxAge > 0) {
            cache.put(cacheKey, v, maxAge);
          }
        }
      }
      return v;
    }).thenCompose(v -> v.isNext() ? askFrom(ws, i + 1, body, ok, cacheable) : CompletableFuture.completedFuture(v));
  }

  private static <M> Verdict<M> verdict(HttpResponse<String> resp, Webhook w, BiFunction<JsonNode, Webhook, Verdict<M>> ok,
      boolean failIsError) {
    if (resp.statusCode() / 100 != 2) {
      LOG.debug("webhook {} -> {} answered HTTP {}", w.wireName(), w.endpoint(), resp.statusCode());
      return failIsError ? Verdict.error("http_" + resp.statusCode()) : Verdict.next();
    }
    try {
      JsonNode b = WebhookJson.JSON.readTree(resp.body());
      Verdict<M> v = WebhookJson.kind(b);
      if (v == null) {
        LOG.debug("webhook {} -> {} answered no result: {}", w.wireName(), w.endpoint(), resp.body());
        return failIsError ? Verdict.error("bad_response") : Verdict.next();
      }
      return v.isOk() ? ok.apply(b, w) : v;
    } catch (Exception e) {
      LOG.debug("webhook {} -> {} answered unreadable JSON: {}", w.wireName(), w.endpoint(), e.toString());
      return failIsError ? Verdict.error("bad_response") : Verdict.next();
    }
  }

  /**
   * Sends one request, unless {@code webhooks.max_inflight} to its endpoint are waiting for an answer already (a slow
   * endpoint must not pile up requests and connections): then it fails at once — an event is dropped, an auth hook answers as
   * for a failed request (refused) — counted in {@link #refused()} and WARNed once a minute. A request whose server has no
   * client (deregistered since the request took its snapshot, or the plugin stopped) fails at once too, as a failed
   * request: logged at DEBUG by the caller, an event dropped, an auth hook refused.
   */
  private CompletableFuture<HttpResponse<String>> send(Webhook w, String body) {
    Client client = clients.get(server(w.endpoint()));
    if (client == null) { // deregistered after the request took its snapshot of the registrations, or stopped
      return CompletableFuture.failedFuture(new IllegalStateException("no client: server deregistered or plugin stopped"));
    }
    java.util.concurrent.Semaphore permits =
        inflight.computeIfAbsent(w.endpoint(), e -> new java.util.concurrent.Semaphore(maxInflight));
    if (!permits.tryAcquire()) {
      refused.incrementAndGet();
      long suppressed = refusedLog.admit();
      if (suppressed >= 0) {
        LOG.warn("webhook {} -> {} not sent: webhooks.max_inflight ({}) requests wait for an answer{}", w.wireName(),
            w.endpoint(), maxInflight, io.estuary.api.limits.LogThrottle.suffix(suppressed));
      }
      return CompletableFuture.failedFuture(new java.util.concurrent.RejectedExecutionException("webhooks.max_inflight"));
    }
    HttpRequest req = HttpRequest.newBuilder(w.endpoint()).timeout(timeout)
        .header("content-type", "application/json").header("vernemq-hook", w.wireName())
        .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    try {
      return client.http().sendAsync(req, HttpResponse.BodyHandlers.ofString())
          .whenComplete((r, e) -> permits.release());
    } catch (RuntimeException e) {
      permits.release();
      throw e;
    }
  }

  /** Requests not sent because {@code webhooks.max_inflight} were waiting for an answer. */
  public long refused() {
    return refused.get();
  }

  private CompletableFuture<HttpResponse<String>> post(Webhook w, ObjectNode body) {
    return send(w, body.toString());
  }

  /** One server's client and the threads it runs on. */
  private record Client(HttpClient http, ExecutorService executor) {}

  /** The server of an endpoint: scheme, host and port, the unit of a name lookup and of a connection pool. */
  private static String server(URI endpoint) {
    int port = endpoint.getPort() >= 0 ? endpoint.getPort() : endpoint.getScheme().equalsIgnoreCase("https") ? 443 : 80;
    return endpoint.getScheme().toLowerCase(java.util.Locale.ROOT) + "://"
        + endpoint.getHost().toLowerCase(java.util.Locale.ROOT) + ":" + port;
  }

  /** The number of clients held: one per server some registration names (none after {@link #stop}). */
  int clients() {
    return clients.size();
  }

  /** Makes the client of {@code endpoint}'s server unless there is one (or the plugin is stopped); under the monitor. */
  private void open(URI endpoint) {
    if (stopped) {
      return;
    }
    clients.computeIfAbsent(server(endpoint), s -> {
      String name = "estuary-webhook-" + s.substring(s.indexOf("//") + 2) + "-";
      ThreadPoolExecutor executor = new ThreadPoolExecutor(THREADS_PER_SERVER, THREADS_PER_SERVER, 60, TimeUnit.SECONDS,
          new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, name + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
          });
      executor.allowCoreThreadTimeOut(true); // an idle server costs no worker thread
      HttpClient http = HttpClient.newBuilder().executor(executor).connectTimeout(timeout)
          .version(HttpClient.Version.HTTP_1_1).build();
      return new Client(http, executor);
    });
  }

  @Override
  public synchronized void stop() {
    stopped = true;
    clients.values().forEach(c -> c.executor().shutdownNow());
    clients.clear();
  }
}
