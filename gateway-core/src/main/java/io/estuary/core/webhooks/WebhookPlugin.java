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
 * step: it starts each request on its executor and resolves the host name there, blocking (the client's own request
 * timeout starts after that lookup). On threads shared by all endpoints, two requests whose lookup stalls would hold up
 * every other endpoint's requests and answers; this way they hold up their own server's only. Answers that are slow to
 * come hold no thread. Whatever holds a request, the hook chain has its outcome {@code response_timeout} after it was
 * handed to the client (a failed request, {@link WebhookFailure#TIMEOUT}); the request itself, and its place among the
 * endpoint's {@code max_inflight}, lasts until the client ends it, so stalled lookups stay bounded too.
 *
 * <p>Failed requests (no answer in time, not sent, non-2xx, an answer that is none) are counted per
 * {@link WebhookFailure} ({@code webhooks.failed}) and WARNed once a minute per reason.
 *
 * <p>Clients and the set of registered endpoints are made and dropped only by {@link #register} and {@link #deregister}
 * (under this object's monitor), so they hold exactly the servers and endpoints some registration names: a request
 * works from a snapshot of the registrations and may reach an endpoint or server deregistered meanwhile; it then finds
 * none and fails as a request that could not be sent does (it must not make one: nothing would ever drop it). An
 * endpoint's in-flight count outlives its last registration only while requests to it are under way (a registration
 * of it meanwhile takes it back: they keep counting). After {@link #stop} none is made.
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
  private volatile boolean stopped;
  private final AtomicInteger threads = new AtomicInteger();
  private final WebhookCache cache;
  /**
   * Per endpoint, requests sent and not ended yet (answered, failed or timed out by the client): at most
   * {@code webhooks.max_inflight} each, so a slow event endpoint cannot take the places of an auth endpoint. Made by
   * {@link #open}; dropped ({@link #dropIfIdle}) once the endpoint has no registration and no request under way — at
   * its last deregistration, or when the last request to it ends after that; all at {@link #stop}.
   */
  private final java.util.Map<URI, java.util.concurrent.Semaphore> inflight = new java.util.concurrent.ConcurrentHashMap<>();
  /** The endpoints some registration names (a request to another is not sent); written under the monitor. */
  private final Set<URI> endpoints = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private final int maxInflight;
  private final java.util.concurrent.atomic.AtomicLong refused = new java.util.concurrent.atomic.AtomicLong();
  private final io.estuary.api.limits.LogThrottle refusedLog = io.estuary.api.limits.LogThrottle.every(60_000);
  private final WebhookFailures failures = new WebhookFailures();
  /** Hook/endpoint pairs registered at once at most ({@code webhooks.max_registrations}). */
  private final int maxRegistrations;
  private final java.util.concurrent.atomic.AtomicLong registrationsRefused = new java.util.concurrent.atomic.AtomicLong();
  private final io.estuary.api.limits.LogThrottle registrationsLog = io.estuary.api.limits.LogThrottle.every(60_000);

  public WebhookPlugin(List<Webhook> initial, Duration timeout, int cacheSize, Clock clock) {
    this(initial, timeout, cacheSize, clock, Integer.MAX_VALUE);
  }

  /** With at most {@code maxInflight} requests waiting for an answer at once ({@code webhooks.max_inflight}). */
  public WebhookPlugin(List<Webhook> initial, Duration timeout, int cacheSize, Clock clock, int maxInflight) {
    this(initial, timeout, cacheSize, clock, maxInflight, Integer.MAX_VALUE);
  }

  /**
   * And at most {@code maxRegistrations} hook/endpoint pairs registered at once, those of the config included
   * ({@code webhooks.max_registrations}): more in {@code initial} is an {@link IllegalArgumentException}.
   */
  public WebhookPlugin(List<Webhook> initial, Duration timeout, int cacheSize, Clock clock, int maxInflight,
      int maxRegistrations) {
    this.timeout = timeout;
    this.maxInflight = maxInflight;
    this.maxRegistrations = maxRegistrations;
    this.cache = new WebhookCache(cacheSize, clock);
    if (initial.size() > maxRegistrations) {
      throw new IllegalArgumentException(initial.size() + " endpoints configured, more than max_registrations ("
          + maxRegistrations + ")");
    }
    if (initial.stream().map(Webhook::pair).distinct().count() < initial.size()) {
      throw new IllegalArgumentException("a hook and endpoint configured twice");
    }
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

  /**
   * {@code estuary ctl webhooks register}: adds (or replaces the options of) a hook/endpoint pair; false (nothing
   * changed, counted and WARNed once a minute) when it is a new pair and {@code max_registrations} are registered.
   */
  public synchronized boolean register(Webhook w) {
    int at = -1;
    for (int i = 0; i < hooks.size() && at < 0; i++) {
      if (hooks.get(i).pair().equals(w.pair())) {
        at = i;
      }
    }
    if (at < 0 && hooks.size() >= maxRegistrations) {
      registrationsRefused.incrementAndGet();
      long suppressed = registrationsLog.admit();
      if (suppressed >= 0) {
        LOG.warn("webhook {} -> {} not registered: webhooks.max_registrations ({}) are registered{}", w.wireName(),
            w.endpoint(), maxRegistrations, io.estuary.api.limits.LogThrottle.suffix(suppressed));
      }
      return false;
    }
    open(w.endpoint()); // first: a request that sees the registration finds its client
    if (at >= 0) {
      hooks.set(at, w); // one write, in its place: the order endpoints are asked in stays
    } else {
      hooks.add(w);
    }
    cache.clear();
    listeners.forEach(Runnable::run);
    LOG.info("webhook registered: {} -> {}", w.wireName(), w.endpoint());
    return true;
  }

  /** {@code estuary ctl webhooks deregister}: false when no such registration. */
  public synchronized boolean deregister(String hook, URI endpoint) {
    Object pair = Webhook.pair(hook, endpoint); // any spelling of the hook, as a registration takes it
    String wireName = hook.toLowerCase(java.util.Locale.ROOT);
    boolean removed = hooks.removeIf(h -> h.pair().equals(pair));
    if (removed) {
      cache.clear();
      if (hooks.stream().noneMatch(h -> h.endpoint().equals(endpoint))) {
        // no request is sent to it any more; its in-flight count goes once the requests under way have ended (until
        // then a registration of the same endpoint takes it back, so they still count against max_inflight)
        endpoints.remove(endpoint);
        dropIfIdle(endpoint);
      }
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
    tell(e);
  }

  /**
   * Posts {@code e} to the endpoints of its hook; completes (never exceptionally) once every request has ended: answered,
   * failed (counted) or not sent. The bodies of the answers are not read; a non-2xx status is a failed request.
   */
  CompletableFuture<Void> tell(ClientEvent e) {
    List<Webhook> ws = of(e.hook());
    CompletableFuture<?>[] posted = new CompletableFuture<?>[ws.size()];
    for (int i = 0; i < posted.length; i++) {
      Webhook w = ws.get(i);
      posted[i] = post(w, WebhookJson.event(e, w)).handle((resp, err) -> {
        if (resp != null && resp.statusCode() / 100 != 2) {
          failures.count(WebhookFailure.STATUS, w, "HTTP " + resp.statusCode());
        }
        return null; // err: counted (or refused) by send
      });
    }
    return CompletableFuture.allOf(posted);
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
      if (err != null) { // counted (or refused) by send
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

  private <M> Verdict<M> verdict(HttpResponse<String> resp, Webhook w, BiFunction<JsonNode, Webhook, Verdict<M>> ok,
      boolean failIsError) {
    if (resp.statusCode() / 100 != 2) {
      failures.count(WebhookFailure.STATUS, w, "HTTP " + resp.statusCode());
      return failIsError ? Verdict.error("http_" + resp.statusCode()) : Verdict.next();
    }
    JsonNode b;
    try {
      b = WebhookJson.JSON.readTree(resp.body());
    } catch (Exception e) {
      failures.count(WebhookFailure.BAD_RESPONSE, w, "unreadable JSON: " + e.getMessage());
      return failIsError ? Verdict.error("bad_response") : Verdict.next();
    }
    Verdict<M> v = WebhookJson.kind(b);
    if (v == null) {
      failures.count(WebhookFailure.BAD_RESPONSE, w, "no result");
      LOG.trace("webhook {} -> {} answered {}", w.wireName(), w.endpoint(), resp.body());
      return failIsError ? Verdict.error("bad_response") : Verdict.next();
    }
    if (!v.isOk()) {
      return v;
    }
    try {
      return ok.apply(b, w);
    } catch (RuntimeException e) { // modifiers that cannot be read (a payload not base64, a missing field): no answer
      failures.count(WebhookFailure.BAD_RESPONSE, w, "unreadable modifiers: " + e);
      return failIsError ? Verdict.error("bad_response") : Verdict.next();
    }
  }

  /**
   * Sends one request, unless {@code webhooks.max_inflight} to its endpoint are waiting for an answer already (a slow
   * endpoint must not pile up requests and connections): then it fails at once — an event is dropped, an auth hook answers as
   * for a failed request (refused) — counted in {@link #refused()} and WARNed once a minute. A request whose endpoint or
   * server has no longer a registration (deregistered since the request took its snapshot, or the plugin stopped) fails at
   * once too, as a failed request ({@link WebhookFailure#NO_CLIENT}). The future returned fails at the latest
   * {@code response_timeout} after the request was handed to the client; a failure is counted before it completes.
   */
  private CompletableFuture<HttpResponse<String>> send(Webhook w, String body) {
    Client client = clients.get(server(w.endpoint()));
    java.util.concurrent.Semaphore permits = endpoints.contains(w.endpoint()) ? inflight.get(w.endpoint()) : null;
    if (client == null || permits == null) { // deregistered after the request took its snapshot of the registrations, or stopped
      failures.count(WebhookFailure.NO_CLIENT, w, "not sent: endpoint deregistered or plugin stopped");
      return CompletableFuture.failedFuture(new IllegalStateException("no client: endpoint deregistered or plugin stopped"));
    }
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
    CompletableFuture<HttpResponse<String>> sent;
    try {
      sent = client.http().sendAsync(req, HttpResponse.BodyHandlers.ofString());
    } catch (RuntimeException e) {
      permits.release();
      throw e;
    }
    sent.whenComplete((r, e) -> {
      permits.release();
      if (!endpoints.contains(w.endpoint())) { // deregistered meanwhile: its count goes with its last request
        synchronized (this) {
          dropIfIdle(w.endpoint());
        }
      }
    });
    // The client's request timeout starts once the host name is resolved, on its executor, blocking: a lookup that
    // stalls would hold the hook chain for as long. So the caller gets a copy that fails at response_timeout whatever
    // the client does; the request goes on to its own end and only then gives its permit back. A timeout fires on the
    // JDK's one delay thread, which every orTimeout of the JVM shares: what follows (the count, a log line, the next
    // endpoint's request built and handed over) runs on the common pool instead.
    return sent.copy().orTimeout(timeout.toNanos(), TimeUnit.NANOSECONDS).whenCompleteAsync((r, e) -> {
      if (e != null && !stopped) { // requests cut by stop are not failures of their endpoints
        failures.count(w, e);
      }
    }, java.util.concurrent.ForkJoinPool.commonPool());
  }

  /** Requests not sent because {@code webhooks.max_inflight} were waiting for an answer. */
  public long refused() {
    return refused.get();
  }

  /** Registrations refused because {@code webhooks.max_registrations} were registered. */
  public long registrationsRefused() {
    return registrationsRefused.get();
  }

  /** {@code webhooks.max_registrations}. */
  public int maxRegistrations() {
    return maxRegistrations;
  }

  /** Hook/endpoint pairs registered now. */
  public int registrations() {
    return hooks.size();
  }

  /** Requests that failed for {@code reason} ({@code webhooks.failed{reason}}). */
  public long failed(WebhookFailure reason) {
    return failures.get(reason);
  }

  /** The number of endpoints whose requests under way are counted: one per registered endpoint (none after stop). */
  int inflightEndpoints() {
    return inflight.size();
  }

  /** Requests to {@code endpoint} sent and not ended yet by the client (0 when it is not registered). */
  int inflight(URI endpoint) {
    java.util.concurrent.Semaphore permits = inflight.get(endpoint);
    return permits == null ? 0 : maxInflight - permits.availablePermits();
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

  /**
   * Makes the client of {@code endpoint}'s server unless there is one, and the endpoint's in-flight count (unless the
   * plugin is stopped); under the monitor.
   */
  private void open(URI endpoint) {
    if (stopped) {
      return;
    }
    endpoints.add(endpoint);
    // a count still draining (deregistered with requests under way) is taken back: they still count
    inflight.computeIfAbsent(endpoint, e -> new java.util.concurrent.Semaphore(maxInflight));
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
    endpoints.clear();
    inflight.clear();
  }

  /**
   * Drops the in-flight count of {@code endpoint} if no registration names it and no request to it is under way; under
   * the monitor (so a registration cannot take it back in between).
   */
  private void dropIfIdle(URI endpoint) {
    java.util.concurrent.Semaphore permits = inflight.get(endpoint);
    if (permits != null && !endpoints.contains(endpoint) && permits.availablePermits() >= maxInflight) {
      inflight.remove(endpoint, permits);
    }
  }
}
