package io.estuary.core.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigValue;
import io.estuary.api.QueuePolicy;
import io.estuary.core.auth.AclRule;
import io.estuary.core.auth.UserEntry;
import java.io.File;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads the one HOCON file over the defaults of every {@code reference.conf} on the class path, with
 * {@code ESTUARY_A__B_C=v} environment variables overriding key {@code a.b_c} (a name without {@code __},
 * such as {@code ESTUARY_HOME}, is not a key), refuses keys no module knows ({@link ConfigSchema}),
 * resolves relative paths against the install directory ({@link ConfigPaths}) and binds the core's
 * records. Any problem becomes a {@link ConfigError} naming the key.
 */
public final class ConfigLoader {
  public static final String ENV_PREFIX = "ESTUARY_";

  private ConfigLoader() {}

  /** Loads {@code file} (null = defaults only) with overrides from {@code env}; paths stay as written. */
  public static GatewayConfig load(Path file, Map<String, String> env) {
    return load(file, env, null);
  }

  /**
   * Loads {@code file} (null = defaults only) with overrides from {@code env}; relative paths resolve
   * against {@code home} (the install directory; null leaves them as written).
   */
  public static GatewayConfig load(Path file, Map<String, String> env, Path home) {
    Config user = ConfigFactory.empty();
    if (file != null) {
      File f = file.toFile();
      if (!f.isFile()) {
        throw new ConfigError("config file", file.toString(), "an existing readable file");
      }
      try {
        user = ConfigFactory.parseFile(f, ConfigParseOptions.defaults().setAllowMissing(false));
      } catch (ConfigException e) {
        throw new ConfigError("config file " + file, e.getMessage());
      }
    }
    return bind(fromEnv(env).withFallback(user), home);
  }

  /** Binds {@code overrides} merged over the class path defaults; paths stay as written. */
  public static GatewayConfig bind(Config overrides) {
    return bind(overrides, null);
  }

  /**
   * Binds {@code overrides} merged over the class path defaults, after refusing unknown keys; relative
   * paths resolve against {@code home} (null leaves them as written).
   */
  public static GatewayConfig bind(Config overrides, Path home) {
    Config merged;
    Config reference = ConfigFactory.defaultReference();
    try {
      merged = overrides.withFallback(reference).resolve();
      // the schema is the reference.conf files alone (defaultReference() also holds the JVM's system properties)
      ConfigSchema.of(ConfigFactory.parseResources("reference.conf").resolve()).check(overrides.resolveWith(merged));
    } catch (ConfigException e) {
      throw new ConfigError(e.origin() == null ? "config" : e.origin().description(), e.getMessage());
    }
    if (home != null) {
      merged = ConfigPaths.resolve(merged, overrides, home);
    }
    try {
      return bindResolved(merged);
    } catch (ConfigException.WrongType | ConfigException.BadValue | ConfigException.Missing e) {
      throw new ConfigError(keyOf(e), e.getMessage());
    }
  }

  static Config fromEnv(Map<String, String> env) {
    Config out = ConfigFactory.empty();
    for (var e : env.entrySet()) {
      if (!e.getKey().startsWith(ENV_PREFIX) || !e.getKey().contains("__")) {
        continue; // every key has two levels at least; ESTUARY_HOME and ESTUARY_OPTS are the launcher's
      }
      String path = e.getKey().substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace("__", ".");
      Config one;
      try {
        one = ConfigFactory.parseString(path + " = " + e.getValue(),
            ConfigParseOptions.defaults().setOriginDescription("environment variable " + e.getKey()));
      } catch (ConfigException ex) {
        one = ConfigFactory.parseMap(Map.of(path, e.getValue()), "environment variable " + e.getKey());
      }
      out = one.withFallback(out);
    }
    return out;
  }

  private static String keyOf(ConfigException e) {
    String m = e.getMessage();
    int i = m.indexOf(": ");
    return i > 0 ? m.substring(0, i) : "config";
  }

  /** {@code mqtt.mqueue_overflow}: EMQX-style lower-case names of {@link QueuePolicy.Overflow}. */
  static QueuePolicy.Overflow overflow(String v) {
    return switch (v) {
      case "drop_oldest" -> QueuePolicy.Overflow.DROP_OLDEST;
      case "drop_newest" -> QueuePolicy.Overflow.DROP_NEWEST;
      case "backpressure" -> QueuePolicy.Overflow.BACKPRESSURE;
      default -> throw new ConfigError("mqtt.mqueue_overflow", v, "drop_oldest, drop_newest or backpressure");
    };
  }

  private static GatewayConfig bindResolved(Config c) {
    MqttLimits mqtt = new MqttLimits(
        bytes(c, "mqtt.max_packet_size"),
        c.getInt("mqtt.max_clientid_len"),
        c.getInt("mqtt.max_topic_levels"),
        c.getInt("mqtt.max_qos_allowed"),
        c.getBoolean("mqtt.retain_available"),
        c.getBoolean("mqtt.wildcard_subscription"),
        c.getBoolean("mqtt.shared_subscription"),
        c.getBoolean("mqtt.subscription_identifiers"),
        c.getInt("mqtt.max_inflight"),
        c.getInt("mqtt.max_mqueue_len"),
        ConfigSizes.bytes(c, "mqtt.max_mqueue_bytes"),
        c.getBoolean("mqtt.mqueue_store_qos0"),
        overflow(c.getString("mqtt.mqueue_overflow")),
        c.getInt("mqtt.max_awaiting_rel"),
        c.getDuration("mqtt.max_session_expiry"),
        c.getInt("mqtt.max_subscriptions"),
        c.getInt("mqtt.max_sessions"),
        c.getInt("mqtt.max_topic_length"),
        c.getInt("retainer.max_retained_messages"),
        ConfigSizes.bytes(c, "retainer.max_payload_size"),
        c.getInt("mqtt.max_topic_tree_nodes"),
        ConfigSizes.bytes(c, "retainer.max_retained_bytes"),
        // a size, or a share of the maximum heap
        PersistenceConfig.sizeOrShare("mqtt.max_mqueue_total_bytes", c.getValue("mqtt.max_mqueue_total_bytes")
            .unwrapped().toString(), x -> ConfigSizes.bytes(c, "mqtt.max_mqueue_total_bytes"),
            () -> Runtime.getRuntime().maxMemory()));
    List<UserEntry> users = new ArrayList<>();
    for (Config u : c.getConfigList("authentication.users")) {
      users.add(new UserEntry(u.getString("username"), u.hasPath("password") ? u.getString("password") : "", u.hasPath("superuser") && u.getBoolean("superuser")));
    }
    List<AclRule> rules = new ArrayList<>();
    int i = 0;
    for (Config r : c.getConfigList("authorization.rules")) {
      String key = "authorization.rules[" + i++ + "]";
      String perm = r.getString("permission");
      if (!perm.equals("allow") && !perm.equals("deny")) {
        throw new ConfigError(key + ".permission", perm, "allow or deny");
      }
      try {
        rules.add(new AclRule(perm.equals("allow"), r.getString("who"), r.getString("action"), r.getStringList("topics")));
      } catch (IllegalArgumentException e) {
        throw new ConfigError(key, e.getMessage());
      }
    }
    String noMatch = c.getString("authorization.no_match");
    if (!noMatch.equals("allow") && !noMatch.equals("deny")) {
      throw new ConfigError("authorization.no_match", noMatch, "allow or deny");
    }
    AuthConfig auth = new AuthConfig(
        c.getBoolean("authentication.allow_anonymous"), users,
        c.getStringList("authentication.passwordless_protocols"), noMatch.equals("allow"), rules);
    String sync = c.getString("persistence.sync").toUpperCase(Locale.ROOT);
    PersistenceConfig.Sync syncPolicy;
    try {
      syncPolicy = PersistenceConfig.Sync.valueOf(sync);
    } catch (IllegalArgumentException e) {
      throw new ConfigError("persistence.sync", c.getString("persistence.sync"), "always, interval or never");
    }
    Path dataDir = Path.of(c.getString("persistence.dir"));
    boolean durable = c.getBoolean("persistence.enabled");
    // a size, or a share: of the data directory's file system (max_bytes), of the maximum heap (memory_max_bytes)
    long maxBytes = PersistenceConfig.sizeOrShare("persistence.max_bytes", c.getValue("persistence.max_bytes").unwrapped()
        .toString(), x -> ConfigSizes.bytes(c, "persistence.max_bytes"), () -> durable ? PersistenceConfig.fileSystemTotal(dataDir) : 0);
    long memoryMaxBytes = PersistenceConfig.sizeOrShare("persistence.memory_max_bytes",
        c.getValue("persistence.memory_max_bytes").unwrapped().toString(), x -> ConfigSizes.bytes(c, "persistence.memory_max_bytes"),
        () -> Runtime.getRuntime().maxMemory());
    PersistenceConfig persistence = new PersistenceConfig(
        durable, dataDir, syncPolicy,
        c.getDuration("persistence.sync_interval"), maxBytes,
        c.getLong("persistence.max_pending_writes"), ConfigSizes.bytes(c, "persistence.max_pending_bytes"), memoryMaxBytes);
    Duration sys = c.getDuration("sys_topics.sys_msg_interval");
    return new GatewayConfig(
        c.getString("node.name"), mqtt, auth, sys,
        api(c),
        persistence, c.getDuration("node.shutdown_grace"), c);
  }

  private static ApiConfig api(Config c) {
    ApiConfig.Tls tls = null;
    if (c.getBoolean("api.ssl.enable")) {
      String cert = c.getString("api.ssl.certfile").trim();
      String key = c.getString("api.ssl.keyfile").trim();
      String ca = c.getString("api.ssl.cacertfile").trim();
      requireFile("api.ssl.certfile", cert);
      requireFile("api.ssl.keyfile", key);
      if (!ca.isEmpty()) {
        requireFile("api.ssl.cacertfile", ca);
      }
      String verify = c.getString("api.ssl.verify");
      if (!verify.equals("verify_none") && !verify.equals("verify_peer")) {
        throw new ConfigError("api.ssl.verify", verify, "verify_none or verify_peer");
      }
      if (verify.equals("verify_peer") && ca.isEmpty()) {
        throw new ConfigError("api.ssl.cacertfile", "", "a CA file when verify = verify_peer");
      }
      List<String> versions;
      List<String> ciphers;
      try {
        versions = io.estuary.tls.TlsVersions.versions(c.getStringList("api.ssl.versions"));
      } catch (IllegalArgumentException e) {
        throw new ConfigError("api.ssl.versions", e.getMessage());
      }
      try {
        ciphers = io.estuary.tls.TlsVersions.ciphers(c.getStringList("api.ssl.ciphers"));
      } catch (IllegalArgumentException e) {
        throw new ConfigError("api.ssl.ciphers", e.getMessage());
      }
      tls = new ApiConfig.Tls(cert, key, ca, verify.equals("verify_peer"), versions, ciphers);
    }
    return new ApiConfig(
        c.getBoolean("api.enable") ? address("api.bind", c.getValue("api.bind")) : null,
        c.getString("api.bootstrap_file").trim(), c.getBoolean("api.local_key"),
        c.getBoolean("api.status_auth"), c.getBoolean("api.metrics_auth"),
        c.getDuration("api.idle_timeout"), bytes(c, "api.max_request_size"), tls);
  }

  private static void requireFile(String key, String path) {
    if (path.isEmpty() || !new File(path).isFile()) {
      throw new ConfigError(key, path, "a readable PEM file");
    }
  }

  private static int bytes(Config c, String key) {
    long v = ConfigSizes.bytes(c, key);
    if (v > Integer.MAX_VALUE) {
      throw new ConfigError(key, String.valueOf(v), "at most 256MB");
    }
    return (int) v;
  }

  /** "host:port", ":port", "[v6]:port" or a bare port number (binds all interfaces). */
  public static InetSocketAddress address(String key, ConfigValue v) {
    String s = String.valueOf(v.unwrapped());
    try {
      return io.estuary.api.BindAddress.parse(s);
    } catch (IllegalArgumentException e) {
      throw new ConfigError(key, s, "host:port or a port number 0..65535");
    }
  }
}
