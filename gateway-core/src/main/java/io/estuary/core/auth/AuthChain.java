package io.estuary.core.auth;

import io.estuary.api.AuthResult;
import io.estuary.api.ClientCredentials;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The authentication chain (EMQX 5 style, {@code authentication.sources} in order): each source allows,
 * refuses or ignores; the first that does not ignore decides; when all ignore, {@code allow_anonymous}
 * admits a client without a username (as mosquitto does) — and, when {@code built_in} is the only source,
 * any username it does not know (the gateway's earlier behaviour). Chains with a slow source (bcrypt, PBKDF2, HTTP) run on the auth executor, never on the
 * caller's (I/O) thread, and their answers are cached ({@link AuthCache}) unless a source says not ({@code jwt}: its ACLs); chains of fast sources answer
 * on the caller's thread. {@link #replace} swaps the sources at run time (reload); connected clients
 * are not asked again. Thread-safe.
 */
public final class AuthChain implements Authenticator {
  private static final Logger LOG = LoggerFactory.getLogger(AuthChain.class);

  /** @param builtInOnly only {@code authentication.users}: unknown usernames count as anonymous (earlier behaviour) */
  private record State(List<AuthSource> sources, boolean allowAnonymous, boolean slow, boolean builtInOnly, boolean cacheable) {}

  private final Executor executor;
  private final AuthCache cache;
  private volatile State state;

  public AuthChain(List<AuthSource> sources, boolean allowAnonymous, Executor executor, Duration cacheTtl, int cacheSize,
      Clock clock) {
    this.executor = executor;
    this.cache = new AuthCache(cacheTtl, cacheSize, clock);
    replace(sources, allowAnonymous);
  }

  /** New sources from now on (reload); the cache starts empty. */
  public void replace(List<AuthSource> sources, boolean allowAnonymous) {
    state = new State(List.copyOf(sources), allowAnonymous, sources.stream().anyMatch(AuthSource::slow),
        sources.stream().allMatch(src -> src.name().equals("built_in")), sources.stream().allMatch(AuthSource::cacheable));
    cache.clear();
  }

  public List<String> sourceNames() {
    return state.sources().stream().map(AuthSource::name).toList();
  }

  @Override
  public CompletionStage<AuthResult> authenticate(ClientCredentials c) {
    State s = state;
    if (!s.slow()) {
      return CompletableFuture.completedFuture(decide(s, c));
    }
    String key = cache.enabled() && s.cacheable() ? AuthCache.key(c) : null;
    AuthResult cached = key == null ? null : cache.get(key);
    if (cached != null) {
      return CompletableFuture.completedFuture(cached);
    }
    return CompletableFuture.supplyAsync(() -> {
      AuthResult r = decide(s, c);
      if (key != null && state == s) {
        cache.put(key, r);
      }
      return r;
    }, executor);
  }

  private static AuthResult decide(State s, ClientCredentials c) {
    for (AuthSource src : s.sources()) {
      src.seen(c);
    }
    for (AuthSource src : s.sources()) {
      AuthResult r;
      try {
        r = src.check(c);
      } catch (RuntimeException e) {
        LOG.warn("authentication source {} failed: {}", src.name(), e.toString());
        r = AuthResult.notAuthorized(src.name() + " failed");
      }
      if (r != null) {
        return r;
      }
    }
    // mosquitto: allow_anonymous admits clients without a username; a username no source knows is refused
    boolean anonymous = c.username() == null || s.builtInOnly();
    return s.allowAnonymous() && anonymous ? AuthResult.allowed() : AuthResult.notAuthorized("no source knows the client");
  }

  int cacheSize() {
    return cache.size();
  }
}
