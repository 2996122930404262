package io.estuary.lua;

import io.estuary.api.hooks.ClientEvent;
import io.estuary.api.hooks.DeliverModifiers;
import io.estuary.api.hooks.DeliverRequest;
import io.estuary.api.hooks.HookName;
import io.estuary.api.hooks.HookPlugin;
import io.estuary.api.hooks.PluginContext;
import io.estuary.api.hooks.PublishModifiers;
import io.estuary.api.hooks.PublishRequest;
import io.estuary.api.hooks.RegisterRequest;
import io.estuary.api.hooks.SubscribeModifiers;
import io.estuary.api.hooks.SubscribeRequest;
import io.estuary.api.hooks.Verdict;
import io.estuary.api.limits.LogThrottle;
import io.estuary.lua.modules.AuthCacheModule;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code lua} plugin: VerneMQ vmq_diversity scripts as a hook provider. Each script of {@code plugins.lua}
 * runs in its own pool of {@code num_states} states; an answered hook asks the scripts that implement it in
 * order until one answers other than {@code "next"}. Calls run on the plugin's threads ({@code estuary-lua-N},
 * {@code num_states} of them, a bounded queue), never on the hook or I/O threads; a call over
 * {@code call_timeout}, a Lua error, a full queue or a bad answer is a deny (reason {@code script_timeout},
 * {@code script_error}, {@code script_busy}) with a rate-limited log line. {@code auth_cache} entries answer
 * publishes and subscribes before any script. With no script configured the plugin registers no hook at all.
 * Scripts are reloaded ({@link #reload}) by building new pools and swapping them in atomically: calls in flight
 * finish on the old states.
 */
public final class LuaPlugin implements HookPlugin {
  private static final Logger LOG = LoggerFactory.getLogger(LuaPlugin.class);
  private static final Set<HookName> CACHE_HOOKS =
      EnumSet.of(HookName.AUTH_ON_PUBLISH, HookName.AUTH_ON_SUBSCRIBE, HookName.ON_CLIENT_GONE, HookName.ON_CLIENT_OFFLINE);

  private record Generation(List<ScriptPool> pools, Set<HookName> hooks) {
    static final Generation EMPTY = new Generation(List.of(), Set.of());
  }

  private final LogThrottle errorLog = LogThrottle.every(1000);
  private final LogThrottle timeoutLog = LogThrottle.every(1000);
  private final LogThrottle busyLog = LogThrottle.every(1000);
  private volatile Generation gen = Generation.EMPTY;
  private volatile Runnable changed = () -> { };
  private LuaConfig config;
  private List<LuaModule> modules = List.of();
  private AuthCacheModule cache;
  private ThreadPoolExecutor executor;

  @Override
  public String name() {
    return "lua";
  }

  @Override
  public Set<HookName> hooks() {
    Set<HookName> s = EnumSet.noneOf(HookName.class);
    s.addAll(gen.hooks());
    if (cache != null && cache.used()) {
      s.addAll(CACHE_HOOKS);
    }
    return s;
  }

  @Override
  public void hooksChanged(Runnable listener) {
    this.changed = listener;
  }

  @Override
  public void start(PluginContext context) {
    start(context.config());
  }

  /** Starts with a flattened {@code plugins.lua} block (tests call this directly). */
  public synchronized void start(Map<String, String> settings) {
    config = LuaConfig.from(settings);
    List<LuaModule> found = new ArrayList<>();
    Map<String, LuaModule> byName = new LinkedHashMap<>();
    for (LuaModule m : ServiceLoader.load(LuaModule.class, LuaPlugin.class.getClassLoader())) {
      if (byName.putIfAbsent(m.name(), m) == null) {
        m.start(settings);
        found.add(m);
        if (m instanceof AuthCacheModule a) {
          cache = a;
        }
      }
    }
    modules = List.copyOf(found);
    if (cache != null) {
      cache.onFirstUse(() -> changed.run());
    }
    AtomicInteger n = new AtomicInteger();
    executor = new ThreadPoolExecutor(config.numStates(), config.numStates(), 60, TimeUnit.SECONDS,
        new ArrayBlockingQueue<>(Math.max(1, config.queueSize())), r -> {
          Thread t = new Thread(r, "estuary-lua-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
    executor.allowCoreThreadTimeOut(true);
    gen = build(config.scripts(), List.of());
    LOG.info("lua: {} script(s) {}, {} state(s) each, modules {}, call limit {}", gen.pools().size(),
        config.scripts(), config.numStates(), byName.keySet(), config.callTimeout());
  }

  private Generation build(List<Path> files, List<ScriptPool> keep) {
    long topLevel = config.callTimeout().toNanos() * 10;
    List<ScriptPool> pools = new ArrayList<>();
    for (Path f : files) {
      ScriptPool old = keep.stream().filter(p -> p.file().equals(f)).findFirst().orElse(null);
      pools.add(old != null ? old : new ScriptPool(f, config.scriptPath(), modules, config.numStates(), topLevel));
    }
    Set<HookName> hooks = EnumSet.noneOf(HookName.class);
    pools.forEach(p -> hooks.addAll(p.hooks()));
    return new Generation(List.copyOf(pools), hooks);
  }

  /**
   * Reads the scripts again (all, or the one at {@code path}) into new states and swaps them in; a script that
   * does not load leaves everything as it was and throws IllegalArgumentException.
   */
  public synchronized List<Map<String, Object>> reload(String path) {
    Generation g = gen;
    List<Path> files = g.pools().stream().map(ScriptPool::file).toList();
    List<ScriptPool> keep = List.of();
    if (path != null && !path.isBlank()) {
      Path want = config.scriptPath().get(0).resolve(path).normalize();
      if (!files.contains(want)) {
        throw new IllegalArgumentException("no script " + want + " is loaded (loaded: " + files + ")");
      }
      keep = g.pools().stream().filter(p -> !p.file().equals(want)).toList();
    }
    try {
      gen = build(files, keep);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("reload failed, the running scripts stay: " + e.getMessage(), e);
    }
    LOG.info("lua: reloaded {}", path == null || path.isBlank() ? files : path);
    changed.run();
    return show();
  }

  /** As {@code vmq-admin script show}: per script its file, hooks, states and counters. */
  public List<Map<String, Object>> show() {
    List<Map<String, Object>> out = new ArrayList<>();
    for (ScriptPool p : gen.pools()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("script", p.file().toString());
      m.put("hooks", p.hooks().stream().map(HookName::wireName).sorted().toList());
      m.put("num_states", p.size());
      m.put("calls", p.calls.get());
      m.put("errors", p.errors.get());
      m.put("timeouts", p.overruns.get());
      out.add(m);
    }
    return out;
  }

  @Override
  public Object command(String command, Map<String, String> args) {
    return switch (command) {
      case "show" -> Map.of("data", show());
      case "reload" -> Map.of("data", reload(args.get("path")));
      default -> null;
    };
  }

  @Override
  public void stop() {
    if (executor != null) {
      executor.shutdownNow();
    }
    modules.forEach(LuaModule::close);
  }

  @Override
  public CompletionStage<Verdict<Void>> authOnRegister(RegisterRequest r) {
    return ask(HookName.AUTH_ON_REGISTER, r.client().clientId(), () -> HookTables.register(r, true), t -> null);
  }

  @Override
  public CompletionStage<Verdict<PublishModifiers>> authOnPublish(PublishRequest r) {
    Verdict<PublishModifiers> cached = cache == null ? null : cache.publish(r.client(), r.message());
    if (cached != null) {
      return CompletableFuture.completedFuture(cached);
    }
    return ask(HookName.AUTH_ON_PUBLISH, r.client().clientId(), () -> HookTables.publish(r), HookTables::publishModifiers);
  }

  @Override
  public CompletionStage<Verdict<SubscribeModifiers>> authOnSubscribe(SubscribeRequest r) {
    Verdict<SubscribeModifiers> cached = cache == null ? null : cache.subscribe(r.client(), r.subscriptions());
    if (cached != null) {
      return CompletableFuture.completedFuture(cached);
    }
    return ask(HookName.AUTH_ON_SUBSCRIBE, r.client().clientId(), () -> HookTables.subscribe(r),
        HookTables::subscribeModifiers);
  }

  @Override
  public CompletionStage<Verdict<DeliverModifiers>> onDeliver(DeliverRequest r) {
    return ask(HookName.ON_DELIVER, r.subscriber().clientId(), () -> HookTables.deliver(r), HookTables::deliverModifiers);
  }

  @Override
  public void onEvent(ClientEvent e) {
    if (cache != null && (e.hook() == HookName.ON_CLIENT_GONE || e.hook() == HookName.ON_CLIENT_OFFLINE)) {
      cache.evict(e.client() == null ? "" : e.client().mountpoint(), e.clientId());
    }
    Generation g = gen;
    if (!g.hooks().contains(e.hook())) {
      return;
    }
    try {
      executor.execute(() -> run(g, e.hook(), e.clientId(), () -> HookTables.event(e), t -> null));
    } catch (RejectedExecutionException x) {
      busy(e.hook(), e.clientId());
    }
  }

  private <M> CompletionStage<Verdict<M>> ask(HookName h, String who, Supplier<LuaTable> args, Function<LuaTable, M> mods) {
    Generation g = gen;
    if (!g.hooks().contains(h)) {
      return Verdict.nextStage();
    }
    CompletableFuture<Verdict<M>> f = new CompletableFuture<>();
    try {
      executor.execute(() -> f.complete(run(g, h, who, args, mods)));
    } catch (RejectedExecutionException x) {
      busy(h, who);
      return CompletableFuture.completedFuture(Verdict.error("script_busy"));
    }
    return f;
  }

  private void busy(HookName h, String who) {
    long n = busyLog.admit();
    if (n >= 0) {
      LOG.warn("lua: {} for {} refused: {} calls already wait for a Lua state{}", h.wireName(), who,
          config.queueSize(), LogThrottle.suffix(n));
    }
  }

  private <M> Verdict<M> run(Generation g, HookName h, String who, Supplier<LuaTable> args, Function<LuaTable, M> mods) {
    long limit = config.callTimeout().toNanos();
    for (ScriptPool p : g.pools()) {
      if (!p.hooks().contains(h)) {
        continue;
      }
      String script = p.file().getFileName().toString();
      try {
        LuaValue r = p.with(limit, s -> s.call(h, args.get(), limit));
        Verdict<M> v = HookTables.verdict(r, mods);
        if (!v.isNext()) {
          return v;
        }
      } catch (LuaState.Overrun | StackOverflowError e) {
        fail(timeoutLog, script, h, who, "ran past the call limit of " + config.callTimeout().toMillis() + " ms"
            + (e instanceof StackOverflowError ? " (stack overflow)" : ""));
        return Verdict.error("script_timeout");
      } catch (ScriptPool.Busy e) {
        fail(busyLog, script, h, who, e.getMessage());
        return Verdict.error("script_busy");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return Verdict.error("script_busy");
      } catch (LuaError e) {
        fail(errorLog, script, h, who, e.getMessage());
        return Verdict.error("script_error");
      } catch (RuntimeException e) {
        fail(errorLog, script, h, who, e.toString());
        return Verdict.error("script_error");
      }
    }
    return Verdict.next();
  }

  /** One rate-limited line per kind (errors, timeouts, busy) and second, with the count of those left out. */
  private void fail(LogThrottle throttle, String script, HookName h, String who, String why) {
    long n = throttle.admit();
    if (n >= 0) {
      LOG.warn("lua: {} {} for {} denied: {}{}", script, h.wireName(), who, why, LogThrottle.suffix(n));
    }
  }
}
