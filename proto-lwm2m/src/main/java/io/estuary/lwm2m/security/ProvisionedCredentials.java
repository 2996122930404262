package io.estuary.lwm2m.security;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.estuary.api.KeyValueSpace;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.leshan.core.peer.OscoreIdentity;
import org.eclipse.leshan.servers.security.SecurityInfo;
import org.eclipse.leshan.servers.security.SecurityStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The LwM2M server's security store: the configured credentials ({@link Credentials}), which always win,
 * plus the credentials the bootstrap server handed out (a pre-shared key, a raw public key, or an X.509
 * certificate whose CN is the endpoint name), kept in the key-value space as {@code psk/<endpoint>}
 * (JSON {@code {"identity","key"}} for a PSK, {@code {"type":"rpk","public_key":<base64 SPKI>}},
 * {@code {"type":"x509"}}) so a bootstrapped device can still register after a restart. Credentials not used
 * to register yet also carry {@code "used":false} and their hand-out sequence {@code "seq"}; the first
 * registration with them rewrites the record with {@code "used":true}; when the store fails that write (say it is
 * at {@code persistence.max_bytes}), the mark stays pending and is written again on the endpoint's next registration
 * or registration update (until then a restart reads the record back as unused). A record without {@code used} (as
 * every record before these marks) reads back as used: never evicted. Leshan reads it on Californium's threads; the
 * bootstrap server writes it on its own: concurrent maps, the table's changes under this object's lock.
 */
public final class ProvisionedCredentials implements SecurityStore {
  private static final Logger LOG = LoggerFactory.getLogger(ProvisionedCredentials.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  static final String PREFIX = "psk/";

  private final SecurityStore configured;
  private final KeyValueSpace kv;
  private final Map<String, SecurityInfo> byEndpoint = new ConcurrentHashMap<>();
  private final Map<String, SecurityInfo> byIdentity = new ConcurrentHashMap<>();
  private final int max;
  private final Runnable refused;
  /**
   * Endpoints given credentials that have not registered with them yet, oldest hand-out first (read back in
   * {@code seq} order at start): when the table is full, the oldest of these makes room for a new endpoint (an
   * unauthenticated bootstrap of made-up names cannot lock devices out; one that registered keeps its credentials).
   */
  private final java.util.LinkedHashSet<String> unused = new java.util.LinkedHashSet<>();
  /**
   * Endpoints that registered with their credentials whose {@code "used":true} record the store failed to write, none
   * under way: written again on the next registration or update ({@link #updated}). Never in {@link #unused}.
   * Changed under this object's lock; read without it by {@link #updated}, so that an update costs no lock when nothing
   * is pending.
   */
  private final java.util.Set<String> markPending = ConcurrentHashMap.newKeySet();
  /** The next hand-out's {@code seq}: above every stored one. */
  private long nextSeq;
  private Runnable evicted = () -> { };
  private final io.estuary.api.limits.LogThrottle refusedLog = io.estuary.api.limits.LogThrottle.every(60_000);

  public ProvisionedCredentials(SecurityStore configured, KeyValueSpace kv) {
    this(configured, kv, Integer.MAX_VALUE, () -> { });
  }

  /**
   * At most {@code max} endpoints get credentials from the bootstrap server ({@code bootstrap.max_provisioned});
   * {@code refused} counts a bootstrap refused for it.
   */
  public ProvisionedCredentials(SecurityStore configured, KeyValueSpace kv, int max, Runnable refused) {
    this.configured = configured;
    this.kv = kv;
    this.max = max;
    this.refused = refused;
  }

  /** What a provisioning did. */
  public enum Result {
    /** The endpoint holds the new credentials. */
    PROVISIONED,
    /** Refused for {@code bootstrap.max_provisioned} ({@link #full}): counted and WARNed once a minute. */
    FULL,
    /** Refused: the configuration has credentials for the endpoint or identity, or the identity is another's. */
    TAKEN
  }

  /**
   * Whether {@code endpoint} may get credentials ({@link #full}), checked before any key is made; a refusal is
   * counted and WARNed once a minute.
   */
  public synchronized boolean admits(String endpoint) {
    if (!full(endpoint)) {
      return true;
    }
    refuse(endpoint);
    return false;
  }

  private void refuse(String endpoint) {
    refused.run();
    long suppressed = refusedLog.admit();
    if (suppressed >= 0) {
      LOG.warn("LwM2M bootstrap of {} refused: {} endpoints hold credentials from the bootstrap server, {} of them "
          + "not used to register yet (bootstrap.max_provisioned){}", endpoint, byEndpoint.size(), unused.size(),
          io.estuary.api.limits.LogThrottle.suffix(suppressed));
    }
  }

  /** {@code counter} counts credentials dropped to make room ({@link #unused}). */
  public void onEvicted(Runnable counter) {
    evicted = counter;
  }

  /**
   * Whether {@code endpoint} would be a new endpoint beyond {@code bootstrap.max_provisioned} without enough unused
   * credentials to make room: one that has credentials already may always get new ones. Used credentials restored
   * at start all stay, however many (a lowered {@code max_provisioned} drops only unused ones).
   */
  public synchronized boolean full(String endpoint) {
    return !byEndpoint.containsKey(endpoint) && byEndpoint.size() >= max && byEndpoint.size() - unused.size() >= max;
  }

  /**
   * {@code endpoint} registered with the LwM2M server: its credentials are in use, never dropped for room. The
   * first registration with them stores the mark (the record again, with {@code "used":true}); a later one stores it
   * again if that write failed ({@link #markPending}), else writes nothing.
   */
  public synchronized void registered(String endpoint) {
    if (unused.remove(endpoint) || markPending.remove(endpoint)) {
      storeMark(endpoint);
    }
  }

  /**
   * {@code endpoint} updated its registration: stores its used mark if the write at its registration failed; else
   * nothing (no lock taken). An update does not mark credentials used: it may come from a registration made before
   * the endpoint was handed new ones.
   */
  public void updated(String endpoint) {
    if (!markPending.contains(endpoint)) {
      return;
    }
    synchronized (this) {
      if (markPending.remove(endpoint)) {
        storeMark(endpoint);
      }
    }
  }

  /** Writes {@code endpoint}'s record with {@code "used":true}; if that fails, the mark is pending again. */
  private void storeMark(String endpoint) {
    SecurityInfo info = byEndpoint.get(endpoint);
    if (info == null) {
      return;
    }
    kv.put(PREFIX + endpoint, record(info).put("used", true).toString().getBytes(StandardCharsets.UTF_8))
        .whenComplete((v, e) -> {
          if (e != null) {
            LOG.debug("LwM2M: used mark of {} not stored, written again on its next registration or update: {}",
                endpoint, e.toString());
            synchronized (this) {
              // unless handed new credentials since (unused again, their own record written) or dropped
              if (byEndpoint.get(endpoint) == info && !unused.contains(endpoint)) {
                markPending.add(endpoint);
              }
            }
          }
        });
  }

  /** Used marks the store failed to write, to be written again. */
  synchronized int marksPending() {
    return markPending.size();
  }

  /** Credentials not used to register yet (evictable). */
  public synchronized int unused() {
    return unused.size();
  }

  /** A new endpoint gets credentials: when the table is full, the oldest never used ones go ({@link #full} is not). */
  private void makeRoom(String endpoint) {
    if (byEndpoint.containsKey(endpoint)) {
      return;
    }
    while (byEndpoint.size() >= max) {
      java.util.Iterator<String> oldest = unused.iterator();
      String gone = oldest.next();
      oldest.remove();
      SecurityInfo info = byEndpoint.remove(gone);
      if (info != null && info.getPskIdentity() != null) {
        byIdentity.remove(info.getPskIdentity(), info);
      }
      kv.delete(PREFIX + gone);
      evicted.run();
    }
  }

  /**
   * Reads the provisioned keys back (at start, before the server opens), unused ones evictable again in hand-out
   * order; completes on the store executor.
   */
  public CompletionStage<Integer> load() {
    return kv.scan(PREFIX).thenApply(stored -> {
      synchronized (this) {
        Map<String, Long> unusedSeq = new java.util.HashMap<>();
        stored.forEach((key, bytes) -> {
          try {
            JsonNode o = JSON.readTree(bytes);
            String ep = key.substring(PREFIX.length());
            remember(switch (o.path("type").asText("psk")) {
              case "psk" -> SecurityInfo.newPreSharedKeyInfo(ep, o.get("identity").asText(),
                  HexFormat.of().parseHex(o.get("key").asText()));
              case "rpk" -> SecurityInfo.newRawPublicKeyInfo(ep, RawPublicKeys.parse(o.get("public_key").asText()));
              case "x509" -> SecurityInfo.newX509CertInfo(ep);
              default -> throw new IllegalArgumentException("unknown type");
            });
            long seq = o.path("seq").asLong(0);
            nextSeq = Math.max(nextSeq, seq + 1);
            if (!o.path("used").asBoolean(true)) { // no mark (older records): used, the safe side
              unusedSeq.put(ep, seq);
            }
          } catch (IOException | RuntimeException e) {
            LOG.warn("LwM2M: unreadable provisioned credential {} dropped", key);
            kv.delete(key);
          }
        });
        unusedSeq.entrySet().stream()
            .sorted(Map.Entry.<String, Long>comparingByValue().thenComparing(Map.Entry.comparingByKey()))
            .forEach(e -> unused.add(e.getKey()));
        return byEndpoint.size();
      }
    });
  }

  /**
   * Binds {@code endpoint} to {@code identity} and {@code key} (replacing what the bootstrap server gave it
   * before). Refused ({@link Result#TAKEN}) when the configuration already has credentials for the endpoint or the
   * identity, or the identity belongs to another endpoint; {@link Result#FULL} as {@link #full}.
   */
  public synchronized Result provisionPsk(String endpoint, String identity, byte[] key) {
    if (full(endpoint)) {
      refuse(endpoint);
      return Result.FULL;
    }
    if (configured.getByEndpoint(endpoint) != null || configured.getByIdentity(identity) != null) {
      return Result.TAKEN;
    }
    SecurityInfo other = byIdentity.get(identity);
    if (other != null && !other.getEndpoint().equals(endpoint)) {
      return Result.TAKEN;
    }
    SecurityInfo before = byEndpoint.get(endpoint);
    if (before != null && before.getPskIdentity() != null) {
      byIdentity.remove(before.getPskIdentity());
    }
    return handOut(SecurityInfo.newPreSharedKeyInfo(endpoint, identity, key));
  }

  /**
   * Binds {@code endpoint} to the raw public key it must present over DTLS (replacing what the bootstrap
   * server gave it before). Refused ({@link Result#TAKEN}) when the configuration already has credentials for it;
   * {@link Result#FULL} as {@link #full}.
   */
  public synchronized Result provisionRpk(String endpoint, PublicKey key) {
    if (full(endpoint)) {
      refuse(endpoint);
      return Result.FULL;
    }
    if (!replaceable(endpoint)) {
      return Result.TAKEN;
    }
    return handOut(SecurityInfo.newRawPublicKeyInfo(endpoint, key));
  }

  /**
   * {@code endpoint} must register with a certificate whose CN is its name (chained to the LwM2M DTLS
   * listener's {@code cacertfile}). Refused ({@link Result#TAKEN}) when the configuration already has credentials
   * for it; {@link Result#FULL} as {@link #full}.
   */
  public synchronized Result provisionX509(String endpoint) {
    if (full(endpoint)) {
      refuse(endpoint);
      return Result.FULL;
    }
    if (!replaceable(endpoint)) {
      return Result.TAKEN;
    }
    return handOut(SecurityInfo.newX509CertInfo(endpoint));
  }

  /**
   * Keeps {@code info} as its endpoint's new credentials, not used yet: the newest hand-out (credentials handed out
   * again to an endpoint are new ones, last to be evicted, until it registers with them).
   */
  private Result handOut(SecurityInfo info) {
    String endpoint = info.getEndpoint();
    makeRoom(endpoint);
    remember(info);
    unused.remove(endpoint);
    unused.add(endpoint);
    markPending.remove(endpoint); // new credentials: their own record, not used yet
    store(endpoint, record(info).put("used", false).put("seq", nextSeq++));
    return Result.PROVISIONED;
  }

  /** The stored record of {@code info}, without the used mark. */
  private static ObjectNode record(SecurityInfo info) {
    ObjectNode o = JSON.createObjectNode();
    if (info.getPskIdentity() != null) {
      return o.put("identity", info.getPskIdentity()).put("key", HexFormat.of().formatHex(info.getPreSharedKey()));
    }
    if (info.getRawPublicKey() != null) {
      return o.put("type", "rpk").put("public_key", Base64.getEncoder().encodeToString(info.getRawPublicKey().getEncoded()));
    }
    return o.put("type", "x509");
  }

  private boolean replaceable(String endpoint) {
    if (configured.getByEndpoint(endpoint) != null) {
      return false;
    }
    SecurityInfo before = byEndpoint.get(endpoint);
    if (before != null && before.getPskIdentity() != null) {
      byIdentity.remove(before.getPskIdentity());
    }
    return true;
  }

  private void store(String endpoint, ObjectNode record) {
    kv.put(PREFIX + endpoint, record.toString().getBytes(StandardCharsets.UTF_8)).whenComplete((v, e) -> {
      if (e != null) {
        LOG.debug("LwM2M: provisioned credential of {} not stored: {}", endpoint, e.toString()); // counted, WARNed rate-limited
      }
    });
  }

  private void remember(SecurityInfo info) {
    byEndpoint.put(info.getEndpoint(), info);
    if (info.getPskIdentity() != null) {
      byIdentity.put(info.getPskIdentity(), info);
    }
  }

  @Override
  public SecurityInfo getByEndpoint(String endpoint) {
    SecurityInfo c = configured.getByEndpoint(endpoint);
    return c != null ? c : byEndpoint.get(endpoint);
  }

  @Override
  public SecurityInfo getByIdentity(String pskIdentity) {
    SecurityInfo c = configured.getByIdentity(pskIdentity);
    return c != null ? c : byIdentity.get(pskIdentity);
  }

  @Override
  public SecurityInfo getByOscoreIdentity(OscoreIdentity oscoreIdentity) {
    return configured.getByOscoreIdentity(oscoreIdentity);
  }
}
