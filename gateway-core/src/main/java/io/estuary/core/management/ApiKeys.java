package io.estuary.core.management;

import io.estuary.core.config.ConfigError;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The management API's keys (EMQX's api_key): a key id and a secret, sent as HTTP Basic credentials.
 * Secrets are kept only as PBKDF2 hashes ({@link ApiKeyHash}). Three sources:
 * <ul>
 *   <li>created through the API or {@code estuary ctl api-key create}: persisted, hashed, in
 *       {@code <persistence.dir>/api_keys} (owner-only), so they survive restarts;
 *   <li>the bootstrap file ({@code api.bootstrap_file}, EMQX's {@code key:secret} lines): read at start, not copied;
 *   <li>the local key for {@code estuary ctl} on this machine: new at every start, memory only.
 * </ul>
 * Thread-safe; {@link #verify} runs on the API's handler threads (not its I/O loop), and a verified secret's SHA-256 is cached
 * and the slow hash is paid once per key and secret.
 */
public final class ApiKeys {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
  private static final Pattern KEY = Pattern.compile("[A-Za-z0-9_.-]{1,128}");

  /** One key as stored: never prints its hash. */
  public record Entry(String name, String key, String hash, String source) {
    @Override
    public String toString() {
      return "ApiKey[name=" + name + ", key=" + key + ", source=" + source + ", hash=***]";
    }
  }

  /** A key just created: the only time its secret exists outside the caller. Never printed by {@code toString}. */
  public record Created(String name, String key, String secret) {
    @Override
    public String toString() {
      return "ApiKey[name=" + name + ", key=" + key + ", secret=***]";
    }
  }

  private final Path file;
  private final Map<String, Entry> byKey = new ConcurrentHashMap<>();
  private final Map<String, byte[]> verified = new ConcurrentHashMap<>();

  private ApiKeys(Path file) {
    this.file = file;
  }

  /**
   * @param file where created keys persist (read now if it exists), or null to keep them in memory
   * @param bootstrap EMQX's bootstrap file, or null
   */
  public static ApiKeys load(Path file, Path bootstrap) {
    ApiKeys k = new ApiKeys(file);
    if (file != null && Files.isRegularFile(file)) {
      k.readStored(file);
    }
    if (bootstrap != null) {
      k.readBootstrap(bootstrap);
    }
    return k;
  }

  private void readStored(Path f) {
    int n = 0;
    for (String line : lines(f, "api_keys file")) {
      n++;
      String l = line.strip();
      if (l.isEmpty() || l.startsWith("#")) {
        continue;
      }
      String[] p = l.split(":", 3);
      if (p.length != 3) {
        throw new ConfigError("api keys file " + f, "line " + n + " is not key:name:hash");
      }
      byKey.put(p[0], new Entry(p[1], p[0], p[2], "created"));
    }
  }

  private void readBootstrap(Path f) {
    int n = 0;
    for (String line : lines(f, "api.bootstrap_file")) {
      n++;
      String l = line.strip();
      if (l.isEmpty() || l.startsWith("#")) {
        continue;
      }
      String[] p = l.split(":");
      // EMQX: key:secret, optionally :role (ignored: every key here has the administrator role)
      if (p.length < 2 || !KEY.matcher(p[0]).matches() || p[1].length() < 8) {
        throw new ConfigError("api.bootstrap_file", f + " line " + n, "key:secret (secret of 8 characters or more)");
      }
      byKey.put(p[0], new Entry("bootstrap-" + p[0], p[0], ApiKeyHash.hash(p[1]), "bootstrap"));
    }
  }

  private static List<String> lines(Path f, String what) {
    try {
      return Files.readAllLines(f, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ConfigError(what, f.toString(), "a readable file (" + e.getMessage() + ")");
    }
  }

  /** A new persisted key; the secret is returned once and only its hash is kept. */
  public synchronized Created create(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("name must be 1-64 letters, digits, '_', '.' or '-'");
    }
    if (byKey.values().stream().anyMatch(e -> e.name().equals(name))) {
      throw new IllegalStateException("an API key named " + name + " exists");
    }
    Created c = new Created(name, "ek_" + ApiKeyHash.random(12), ApiKeyHash.random(32));
    byKey.put(c.key(), new Entry(name, c.key(), ApiKeyHash.hash(c.secret()), "created"));
    save();
    return c;
  }

  /** The key {@code estuary ctl} on this machine uses: new at every start, kept in memory only. */
  public Created createLocal() {
    Created c = new Created("ctl-local", "ek_local_" + ApiKeyHash.random(9), ApiKeyHash.random(32));
    byKey.put(c.key(), new Entry(c.name(), c.key(), ApiKeyHash.hash(c.secret()), "local"));
    return c;
  }

  /** Deletes a created key by name; false when there is none (bootstrap and local keys cannot be deleted). */
  public synchronized boolean delete(String name) {
    for (Entry e : byKey.values()) {
      if (e.name().equals(name) && e.source().equals("created")) {
        byKey.remove(e.key());
        verified.remove(e.key());
        save();
        return true;
      }
    }
    return false;
  }

  /** Whether {@code secret} is {@code key}'s secret. */
  public boolean verify(String key, String secret) {
    Entry e = byKey.get(key);
    if (e == null || secret == null) {
      return false;
    }
    byte[] fp = ApiKeyHash.fingerprint(secret);
    byte[] known = verified.get(key);
    if (known != null) {
      return MessageDigest.isEqual(known, fp);
    }
    if (!ApiKeyHash.matches(secret, e.hash())) {
      return false;
    }
    verified.put(key, fp);
    return true;
  }

  /** Name, key and source of every key (never a secret or hash). */
  public List<Map<String, String>> list() {
    List<Map<String, String>> out = new ArrayList<>();
    byKey.values().stream().sorted(java.util.Comparator.comparing(Entry::name)).forEach(e -> {
      Map<String, String> m = new LinkedHashMap<>();
      m.put("name", e.name());
      m.put("api_key", e.key());
      m.put("source", e.source());
      out.add(m);
    });
    return out;
  }

  private void save() {
    if (file == null) {
      return;
    }
    StringBuilder sb = new StringBuilder("# Estuary management API keys: key:name:PBKDF2 hash of the secret. Written by the gateway.\n");
    byKey.values().stream().filter(e -> e.source().equals("created"))
        .forEach(e -> sb.append(e.key()).append(':').append(e.name()).append(':').append(e.hash()).append('\n'));
    try {
      OwnerOnlyFiles.write(file, sb.toString());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}
