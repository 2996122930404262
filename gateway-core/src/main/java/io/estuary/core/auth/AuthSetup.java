package io.estuary.core.auth;

import com.typesafe.config.Config;
import io.estuary.core.config.AuthConfig;
import io.estuary.core.config.ConfigError;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the authentication and authorization chains from {@code authentication.*} and
 * {@code authorization.*} ({@code sources} in order: {@code built_in}, {@code password_file}, {@code http}, {@code jwt} /
 * {@code acl_file}, {@code http}; a {@code jwt} source puts its tokens' ACL claims first), and rebuilds their sources on reload without touching connected clients. Owns the
 * auth threads ({@code estuary-auth-N}) slow sources run on.
 */
public final class AuthSetup implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AuthSetup.class);

  private final ExecutorService executor;
  private final AuthChain authn;
  private final AuthzChain authz;
  private final JwtAclStore jwtAcls;
  private final Clock clock;
  private List<AuthSource> sources = List.of();
  /** The HTTP authorization plugin built at start, or null: a reload re-reads its block. */
  private HttpAuthzPlugin httpAuthz;

  public AuthSetup(AuthConfig auth, Config raw, Clock clock) {
    AtomicInteger n = new AtomicInteger();
    this.executor = Executors.newFixedThreadPool(raw.hasPath("authentication.threads") ? raw.getInt("authentication.threads") : 2,
        r -> {
          Thread t = new Thread(r, "estuary-auth-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
    this.clock = clock;
    this.jwtAcls = new JwtAclStore(clock);
    Built b = build(auth, raw, jwtAcls, clock);
    this.sources = b.authn;
    this.authn = new AuthChain(b.authn, auth.allowAnonymous(), executor, raw.getDuration("authentication.cache.ttl"),
        raw.getInt("authentication.cache.max_size"), clock);
    this.authz = new AuthzChain(b.authz, auth.noMatchAllow(), b.builtIn::isSuperuser, b.httpAt);
    LOG.info("authentication sources {}, authorization sources {}", authn.sourceNames(), authz.sourceNames());
  }

  /**
   * One pooled client for the HTTP sources (the JDK keeps connections alive per host), built at first use: the JDK's
   * HTTP client loads ~300 classes and its default TLS context, which a gateway without HTTP sources never needs
   * (start-up, issue #19). Holder idiom: the JVM initialises it once, thread-safely.
   */
  private static final class Http {
    static final java.net.http.HttpClient CLIENT = java.net.http.HttpClient.newBuilder()
        .connectTimeout(java.time.Duration.ofSeconds(5)).version(java.net.http.HttpClient.Version.HTTP_1_1).build();
  }

  /**
   * The HTTP authorization plugin when {@code authorization.sources} names {@code http}, else null. It asks the
   * sources listed before {@code http} first ({@link AuthzChain#decideBeforeHttp}), so the configured order holds.
   */
  public synchronized HttpAuthzPlugin httpAuthz(Config raw) {
    httpAuthz = raw.getStringList("authorization.sources").contains("http")
        ? new HttpAuthzPlugin(raw.getConfig("authorization.http"), Http.CLIENT, authz::decideBeforeHttp) : null;
    return httpAuthz;
  }

  /** @param httpAt how many of {@code authz} come before {@code http} in {@code authorization.sources}; -1 without http */
  private record Built(ConfigAuthenticator builtIn, List<AuthSource> authn, List<AuthzSource> authz, int httpAt) {}

  private static Built build(AuthConfig auth, Config raw, JwtAclStore jwtAcls, Clock clock) {
    ConfigAuthenticator builtIn = new ConfigAuthenticator(auth.allowAnonymous(), auth.users(), auth.passwordlessProtocols());
    List<AuthSource> authn = new ArrayList<>();
    for (String s : raw.getStringList("authentication.sources")) {
      authn.add(switch (s) {
        case "built_in" -> builtIn;
        case "password_file" -> PasswordFileSource.read(file(raw, "authentication.password_file"));
        case "http" -> new HttpAuthSource(raw.getConfig("authentication.http"), Http.CLIENT);
        case "jwt" -> new JwtAuthSource(raw.getConfig("authentication.jwt"), jwtAcls, clock, Http.CLIENT);
        default -> throw new ConfigError("authentication.sources", s, "built_in, password_file, http or jwt");
      });
    }
    List<AuthzSource> authz = new ArrayList<>();
    if (authn.stream().anyMatch(a -> a instanceof JwtAuthSource)) {
      authz.add(jwtAcls); // as EMQX: a token's ACL claim is checked before every authorization source
    }
    int httpAt = -1;
    for (String s : raw.getStringList("authorization.sources")) {
      if (s.equals("http")) {
        httpAt = authz.size(); // asynchronous: a plugin of the hook chain (httpAuthz), which asks these first
        continue;
      }
      authz.add(switch (s) {
        case "built_in" -> AuthzChain.builtIn(new AclAuthorizer(auth.rules(), auth.noMatchAllow(), builtIn::isSuperuser));
        case "acl_file" -> AclFile.read(file(raw, "authorization.acl_file"));
        default -> throw new ConfigError("authorization.sources", s, "built_in, acl_file or http");
      });
    }
    return new Built(builtIn, authn, authz, httpAt);
  }

  private static Path file(Config raw, String key) {
    String f = raw.getString(key);
    if (f.isEmpty()) {
      throw new ConfigError(key, "\"\"", "a file, since the sources name it");
    }
    return Path.of(f);
  }

  public Authenticator authenticator() {
    return authn;
  }

  public Authorizer authorizer() {
    return authz;
  }

  /**
   * Reads every source again from {@code auth}/{@code raw} (the files too) and swaps them in; on a config
   * error nothing changes and the error is thrown. Connected clients keep their sessions; their next
   * publish, subscribe and delivery checks use the new sources.
   */
  public synchronized void reload(AuthConfig auth, Config raw) {
    Built b = build(auth, raw, jwtAcls, clock);
    List<AuthSource> old = sources;
    sources = b.authn;
    authn.replace(b.authn, auth.allowAnonymous());
    closeAll(old);
    authz.replace(b.authz, auth.noMatchAllow(), b.builtIn::isSuperuser, b.httpAt);
    if (httpAuthz != null) {
      httpAuthz.reload(b.httpAt >= 0 ? raw.getConfig("authorization.http") : null);
    } else if (b.httpAt >= 0) {
      LOG.warn("authorization.sources now names http: the HTTP authorization plugin is loaded at start, restart to use it");
    }
    LOG.info("auth reloaded: authentication sources {}, authorization sources {}", authn.sourceNames(), authz.sourceNames());
  }

  private static void closeAll(List<AuthSource> list) {
    for (AuthSource s : list) {
      if (s instanceof JwtAuthSource j) {
        j.close(); // its JWKS refresh thread
      }
    }
  }

  @Override
  public synchronized void close() {
    closeAll(sources);
    executor.shutdown();
  }
}
