package io.estuary.lwm2m.security;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
 * {@code {"type":"x509"}}) so a bootstrapped device can still register after a restart. Leshan reads it on
 * Californium's threads; the bootstrap server writes it on its own: concurrent maps.
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
   * Endpoints given credentials in this run that have not registered with them yet, oldest first: when the table is
   * full, the oldest of these makes room for a new endpoint (an unauthenticated bootstrap of made-up names cannot
   * lock devices out; one that registered keeps its credentials). Credentials read back at start count as used.
   */
  private final java.util.LinkedHashSet<String> unused = new java.util.LinkedHashSet<>();
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

  /** Whether {@code endpoint} may get credentials ({@link #full}); a refusal is counted and WARNed once a minute. */
  public boolean admits(String endpoint) {
    if (!full(endpoint)) {
      return true;
    }
    refused.run();
    long suppressed = refusedLog.admit();
    if (suppressed >= 0) {
      LOG.warn("LwM2M bootstrap of {} refused: {} endpoints hold credentials from the bootstrap server "
          + "(bootstrap.max_provisioned){}", endpoint, byEndpoint.size(), io.estuary.api.limits.LogThrottle.suffix(suppressed));
    }
    return false;
  }

  /** {@code counter} counts credentials dropped to make room ({@link #unused}). */
  public void onEvicted(Runnable counter) {
    evicted = counter;
  }

  /**
   * Whether {@code endpoint} would be a new endpoint beyond {@code bootstrap.max_provisioned} with no unused
   * credentials to make room: one that has credentials already may always get new ones. Credentials restored at
   * start all stay, however many.
   */
  public synchronized boolean full(String endpoint) {
    return !byEndpoint.containsKey(endpoint) && byEndpoint.size() >= max && unused.isEmpty();
  }

  /** {@code endpoint} registered with the LwM2M server: its credentials are in use, never dropped for room. */
  public synchronized void registered(String endpoint) {
    unused.remove(endpoint);
  }

  /** A new endpoint gets credentials: when the table is full, the oldest never used ones go (false: none to drop). */
  private boolean makeRoom(String endpoint) {
    if (byEndpoint.containsKey(endpoint)) {
      return true;
    }
    while (byEndpoint.size() >= max) {
      java.util.Iterator<String> oldest = unused.iterator();
      if (!oldest.hasNext()) {
        return false;
      }
      String gone = oldest.next();
      oldest.remove();
      SecurityInfo info = byEndpoint.remove(gone);
      if (info != null && info.getPskIdentity() != null) {
        byIdentity.remove(info.getPskIdentity(), info);
      }
      kv.delete(PREFIX + gone);
      evicted.run();
    }
    return true;
  }

  /** Reads the provisioned keys back (at start, before the server opens); completes on the store executor. */
  public CompletionStage<Integer> load() {
    return kv.scan(PREFIX).thenApply(stored -> {
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
        } catch (IOException | RuntimeException e) {
          LOG.warn("LwM2M: unreadable provisioned credential {} dropped", key);
          kv.delete(key);
        }
      });
      return byEndpoint.size();
    });
  }

  /**
   * Binds {@code endpoint} to {@code identity} and {@code key} (replacing what the bootstrap server gave it
   * before). Refused (false) when the configuration already has credentials for the endpoint or the
   * identity, or the identity belongs to another endpoint.
   */
  public synchronized boolean provisionPsk(String endpoint, String identity, byte[] key) {
    if (full(endpoint)) {
      return false;
    }
    if (configured.getByEndpoint(endpoint) != null || configured.getByIdentity(identity) != null) {
      return false;
    }
    SecurityInfo other = byIdentity.get(identity);
    if (other != null && !other.getEndpoint().equals(endpoint)) {
      return false;
    }
    SecurityInfo before = byEndpoint.get(endpoint);
    if (before != null && before.getPskIdentity() != null) {
      byIdentity.remove(before.getPskIdentity());
    }
    if (!makeRoom(endpoint)) {
      return false;
    }
    remember(SecurityInfo.newPreSharedKeyInfo(endpoint, identity, key));
    unused.add(endpoint);
    store(endpoint, JSON.createObjectNode().put("identity", identity).put("key", HexFormat.of().formatHex(key)).toString());
    return true;
  }

  /**
   * Binds {@code endpoint} to the raw public key it must present over DTLS (replacing what the bootstrap
   * server gave it before). Refused (false) when the configuration already has credentials for it.
   */
  public synchronized boolean provisionRpk(String endpoint, PublicKey key) {
    if (full(endpoint)) {
      return false;
    }
    if (!replaceable(endpoint)) {
      return false;
    }
    if (!makeRoom(endpoint)) {
      return false;
    }
    remember(SecurityInfo.newRawPublicKeyInfo(endpoint, key));
    unused.add(endpoint);
    store(endpoint, JSON.createObjectNode().put("type", "rpk")
        .put("public_key", Base64.getEncoder().encodeToString(key.getEncoded())).toString());
    return true;
  }

  /**
   * {@code endpoint} must register with a certificate whose CN is its name (chained to the LwM2M DTLS
   * listener's {@code cacertfile}). Refused (false) when the configuration already has credentials for it.
   */
  public synchronized boolean provisionX509(String endpoint) {
    if (full(endpoint)) {
      return false;
    }
    if (!replaceable(endpoint)) {
      return false;
    }
    if (!makeRoom(endpoint)) {
      return false;
    }
    remember(SecurityInfo.newX509CertInfo(endpoint));
    unused.add(endpoint);
    store(endpoint, JSON.createObjectNode().put("type", "x509").toString());
    return true;
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

  private void store(String endpoint, String json) {
    kv.put(PREFIX + endpoint, json.getBytes(StandardCharsets.UTF_8)).whenComplete((v, e) -> {
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
