package io.estuary.core.hooks;

import io.estuary.api.AuthResult;
import io.estuary.api.ClientCredentials;
import io.estuary.api.ClientInfo;
import io.estuary.api.Message;
import io.estuary.api.Metrics;
import io.estuary.api.concurrent.SerialExecutor;
import io.estuary.api.hooks.ClientEvent;
import io.estuary.api.hooks.HookName;
import io.estuary.api.hooks.HookPlugin;
import io.estuary.api.hooks.PluginContext;
import io.estuary.api.hooks.RegisterRequest;
import io.estuary.api.hooks.Verdict;
import io.estuary.core.session.SessionEvents;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The plugins in chain order and the threads they run on. An answered hook asks the plugins that
 * registered it one after the other until one answers OK or ERROR ({@link #ask}); a notification goes to
 * all of them ({@link #tell}). Every call runs on the client's stripe (a {@link SerialExecutor} over the
 * hook threads, chosen by the client id), so one client's hook calls start in order and never on an I/O
 * thread. {@link #has} is one volatile read: the wrappers take their direct path when no plugin registered
 * the hook. Thread-safe.
 */
public final class HookChain implements SessionEvents, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HookChain.class);
  private static final int STRIPES = 64;

  private final List<HookPlugin> plugins;
  private final HooksConfig config;
  private final ExecutorService pool;
  private final SerialExecutor[] stripes;
  private final Metrics metrics;
  /** Per hook (by ordinal), the plugins that registered it, in chain order. */
  private volatile HookPlugin[][] byHook;

  public HookChain(List<HookPlugin> plugins, HooksConfig config, Metrics metrics) {
    this.plugins = List.copyOf(plugins);
    this.config = config;
    this.metrics = metrics;
    AtomicInteger n = new AtomicInteger();
    this.pool = Executors.newFixedThreadPool(config.threads(), r -> {
      Thread t = new Thread(r, "estuary-hook-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    this.stripes = new SerialExecutor[STRIPES];
    for (int i = 0; i < STRIPES; i++) {
      stripes[i] = new SerialExecutor(pool);
    }
    refresh();
  }

  /** Starts every plugin (in order) and listens for changes of their hook sets. */
  public void start(Function<HookPlugin, PluginContext> contexts) {
    for (HookPlugin p : plugins) {
      p.start(contexts.apply(p));
      p.hooksChanged(this::refresh);
      LOG.info("plugin {} hooks {}", p.name(), p.hooks());
    }
    refresh();
  }

  /** Reads every plugin's hook set again. */
  public synchronized void refresh() {
    HookPlugin[][] next = new HookPlugin[HookName.values().length][];
    for (HookName h : HookName.values()) {
      List<HookPlugin> l = new ArrayList<>();
      for (HookPlugin p : plugins) {
        if (p.hooks().contains(h)) {
          l.add(p);
        }
      }
      next[h.ordinal()] = l.toArray(HookPlugin[]::new);
    }
    byHook = next;
  }

  /**
   * Whether sessions must be wrapped: a plugin answers a hook, or its hooks may appear at run time
   * ({@link HookPlugin#hooksMayChange}). Read after {@link #start}: a plugin without hooks then (the Lua plugin
   * with no script) costs nothing.
   */
  public boolean enabled() {
    for (HookPlugin p : plugins) {
      if (!p.hooks().isEmpty() || p.hooksMayChange()) {
        return true;
      }
    }
    return false;
  }

  public List<HookPlugin> plugins() {
    return plugins;
  }

  /** Whether a plugin registered {@code h} now: one volatile read. */
  public boolean has(HookName h) {
    return byHook[h.ordinal()].length > 0;
  }

  /** The stripe of {@code clientId}: where its hook calls run, in order. */
  SerialExecutor stripe(String clientId) {
    return stripes[(clientId.hashCode() & 0x7fffffff) % STRIPES];
  }

  /**
   * Asks the plugins that registered {@code h}, in order, on the client's stripe: the first OK or ERROR is
   * the answer, NEXT asks on; NEXT when every plugin passed. A plugin slower than {@code hooks.timeout}
   * answers {@code late}; a plugin that throws or fails answers ERROR. Completes on a hook thread.
   */
  public <M> CompletableFuture<Verdict<M>> ask(HookName h, String clientId, Verdict<M> late,
      Function<HookPlugin, CompletionStage<Verdict<M>>> call) {
    HookPlugin[] chain = byHook[h.ordinal()];
    CompletableFuture<Verdict<M>> out = new CompletableFuture<>();
    SerialExecutor stripe = stripe(clientId);
    stripe.execute(() -> askFrom(h, chain, 0, late, call, stripe, out));
    return out;
  }

  private <M> void askFrom(HookName h, HookPlugin[] chain, int i, Verdict<M> late,
      Function<HookPlugin, CompletionStage<Verdict<M>>> call, SerialExecutor stripe, CompletableFuture<Verdict<M>> out) {
    if (i >= chain.length) {
      out.complete(Verdict.next());
      return;
    }
    HookPlugin p = chain[i];
    CompletableFuture<Verdict<M>> answer = new CompletableFuture<>();
    try {
      call.apply(p).whenComplete((v, err) -> {
        if (err != null) {
          LOG.warn("plugin {} failed in {}: {}", p.name(), h.wireName(), err.toString());
          answer.complete(Verdict.error("plugin_failed"));
        } else {
          answer.complete(v == null ? Verdict.next() : v);
        }
      });
    } catch (RuntimeException e) {
      LOG.warn("plugin {} threw in {}", p.name(), h.wireName(), e);
      answer.complete(Verdict.error("plugin_failed"));
    }
    answer.completeOnTimeout(null, config.timeout().toMillis(), TimeUnit.MILLISECONDS).thenAcceptAsync(v -> {
      Verdict<M> verdict = v;
      if (verdict == null) {
        metrics.counter("hooks.timeouts", "hook", h.wireName(), "plugin", p.name()).increment();
        LOG.debug("plugin {} did not answer {} within {}", p.name(), h.wireName(), config.timeout());
        verdict = late;
      }
      if (verdict.isNext()) {
        askFrom(h, chain, i + 1, late, call, stripe, out);
      } else {
        out.complete(verdict);
      }
    }, stripe);
  }

  /** What a late auth_on_* answer counts as ({@code hooks.on_timeout}). */
  public <M> Verdict<M> lateAuth() {
    return switch (config.onTimeout()) {
      case OK -> Verdict.ok();
      case NEXT -> Verdict.next();
      case ERROR -> Verdict.error("timeout");
    };
  }

  /** Counts a refusal by {@code h}. */
  void refused(HookName h) {
    metrics.counter("hooks.refused", "hook", h.wireName()).increment();
  }

  /** Tells every plugin that registered the event's hook, on the client's stripe; returns at once. */
  public void tell(ClientEvent e) {
    HookPlugin[] chain = byHook[e.hook().ordinal()];
    if (chain.length == 0) {
      return;
    }
    stripe(e.clientId()).execute(() -> {
      for (HookPlugin p : chain) {
        try {
          p.onEvent(e);
        } catch (RuntimeException ex) {
          LOG.warn("plugin {} threw in {}", p.name(), e.hook().wireName(), ex);
        }
      }
    });
  }

  /**
   * auth_on_register: OK admits, ERROR refuses ({@code invalid_credentials} and {@code bad_username_or_password}
   * as bad credentials, anything else as not authorized), NEXT completes with null: the gateway's own
   * authenticator decides.
   */
  public CompletableFuture<AuthResult> authenticate(ClientCredentials c) {
    return authenticate(c, m -> { });
  }

  /** As {@link #authenticate(ClientCredentials)}; an OK with modifiers hands them to {@code modifiers} first. */
  public CompletableFuture<AuthResult> authenticate(ClientCredentials c,
      java.util.function.Consumer<io.estuary.api.hooks.RegisterModifiers> modifiers) {
    ClientInfo client = ClientInfo.of(c.clientId() == null ? "" : c.clientId(), c.username(), c.protocol(), c.peer());
    RegisterRequest r = new RegisterRequest(client, c.password(), List.of(), c.certificateSubject());
    return ask(HookName.AUTH_ON_REGISTER, client.clientId(), lateAuth(), p -> p.authOnRegister(r)).thenApply(v -> {
      if (v.isOk()) {
        if (v.modifiers() != null && !v.modifiers().isEmpty()) {
          modifiers.accept(v.modifiers());
        }
        return AuthResult.allowed();
      }
      if (v.isError()) {
        metrics.counter("hooks.refused", "hook", "auth_on_register").increment();
        return v.error().equals("invalid_credentials") || v.error().equals("bad_username_or_password")
            ? AuthResult.badCredentials(v.error()) : AuthResult.notAuthorized(v.error());
      }
      return null;
    });
  }

  // ---- SessionEvents (from the session core) --------------------------------------------------

  @Override
  public void offlineMessage(String clientId, Message m) {
    if (has(HookName.ON_OFFLINE_MESSAGE)) {
      tell(new ClientEvent.OfflineMessage(clientId, m));
    }
  }

  @Override
  public void sessionExpired(String clientId) {
    if (has(HookName.ON_SESSION_EXPIRED)) {
      tell(new ClientEvent.SessionExpired(clientId));
    }
  }

  @Override
  public void close() {
    for (HookPlugin p : plugins) {
      try {
        p.stop();
      } catch (RuntimeException e) {
        LOG.warn("plugin {} did not stop cleanly", p.name(), e);
      }
    }
    pool.shutdown();
  }
}
