package io.estuary.lwm2m.bootstrap;

import io.estuary.api.AdapterConfig;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One {@code bootstrap.configs[]} item: which endpoints it is for and how they then reach the LwM2M server.
 *
 * @param endpoint the endpoint name it is for, or null when {@code pattern} is set
 * @param pattern a regular expression the whole endpoint name must match, or null
 * @param security how the device talks to the LwM2M server: {@code none} (coap), {@code psk}, {@code rpk} or
 *     {@code x509} (coaps)
 * @param pskIdentity the PSK identity written to the device; null = the endpoint name
 * @param pskKey the key; null = a fresh random 16-byte key per bootstrap
 * @param lifetime the registration lifetime written to the server object
 * @param queueMode the binding written is {@code UQ} rather than {@code U}
 * @param deviceKeys rpk: the device's key pair (null = a fresh P-256 pair per bootstrap); x509: its
 *     certificate and private key
 */
public record BootstrapEntry(String endpoint, Pattern pattern, Security security, String pskIdentity, byte[] pskKey,
    Duration lifetime, boolean queueMode, DeviceKeys deviceKeys) {

  /** How the bootstrapped device talks to the LwM2M server. */
  public enum Security { NONE, PSK, RPK, X509 }

  /**
   * The device's own credentials written into its security object.
   *
   * @param publicKey its raw public key (rpk), or the certificate's key (x509)
   * @param privateKey its private key
   * @param certificate its certificate (x509), else null
   */
  public record DeviceKeys(PublicKey publicKey, PrivateKey privateKey, X509Certificate certificate) {}

  /** An entry without device keys (none, psk, or rpk with a key pair generated per bootstrap). */
  public BootstrapEntry(String endpoint, Pattern pattern, Security security, String pskIdentity, byte[] pskKey,
      Duration lifetime, boolean queueMode) {
    this(endpoint, pattern, security, pskIdentity, pskKey, lifetime, queueMode, null);
  }

  public BootstrapEntry {
    if ((endpoint == null) == (pattern == null)) {
      throw new IllegalArgumentException("a bootstrap config needs exactly one of endpoint and endpoint_pattern");
    }
    if (security == Security.X509 && (deviceKeys == null || deviceKeys.certificate() == null)) {
      throw new IllegalArgumentException("an x509 bootstrap config needs the device's certificate and key");
    }
  }

  public boolean matches(String ep) {
    return endpoint != null ? endpoint.equals(ep) : pattern.matcher(ep).matches();
  }

  /**
   * An entry for one endpoint from the management API's JSON: {@code {"security": "none"|"psk"|"rpk" (a key
   * pair generated per bootstrap; x509 and fixed device keys only in the configuration file),
   * "psk_identity"?, "psk_key"? | "psk_key_hex"?, "lifetime"? (seconds), "queue_mode"?}}.
   */
  public static BootstrapEntry fromJson(String endpoint, com.fasterxml.jackson.databind.JsonNode j) {
    if (endpoint == null || endpoint.isEmpty()) {
      throw new IllegalArgumentException("an endpoint name is needed");
    }
    if (j == null || !j.isObject()) {
      throw new IllegalArgumentException("the body must be a JSON object");
    }
    String sec = j.path("security").asText("none").toLowerCase(Locale.ROOT);
    Security security = switch (sec) {
      case "none" -> Security.NONE;
      case "psk" -> Security.PSK;
      case "rpk" -> Security.RPK;
      case "x509" -> throw new IllegalArgumentException("security x509 needs the device's certificate and key files: "
          + "only in the configuration file (gateway.lwm2m.bootstrap.configs)");
      default -> throw new IllegalArgumentException("security must be none, psk or rpk, was '" + sec + "'");
    };
    String identity = j.hasNonNull("psk_identity") && !j.get("psk_identity").asText().isEmpty()
        ? j.get("psk_identity").asText() : null;
    byte[] key = null;
    if (j.hasNonNull("psk_key") && !j.get("psk_key").asText().isEmpty()) {
      key = j.get("psk_key").asText().getBytes(StandardCharsets.UTF_8);
    } else if (j.hasNonNull("psk_key_hex") && !j.get("psk_key_hex").asText().isEmpty()) {
      key = HexFormat.of().parseHex(j.get("psk_key_hex").asText());
    }
    long lifetime = j.path("lifetime").asLong(300);
    if (lifetime <= 0) {
      throw new IllegalArgumentException("lifetime must be a positive number of seconds");
    }
    return new BootstrapEntry(endpoint, null, security, identity, key, Duration.ofSeconds(lifetime),
        j.path("queue_mode").asBoolean(false));
  }

  /** This entry as the management API shows it (never the key) or, {@code withKey}, as it is stored. */
  public com.fasterxml.jackson.databind.node.ObjectNode toJson(boolean withKey) {
    com.fasterxml.jackson.databind.node.ObjectNode o = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
    if (endpoint != null) {
      o.put("endpoint", endpoint);
    } else {
      o.put("endpoint_pattern", pattern.pattern());
    }
    o.put("security", security.name().toLowerCase(Locale.ROOT));
    if (pskIdentity != null) {
      o.put("psk_identity", pskIdentity);
    }
    if (withKey && pskKey != null) {
      o.put("psk_key_hex", HexFormat.of().formatHex(pskKey));
    } else if (security == Security.PSK) {
      o.put("psk_key", pskKey != null ? "(fixed)" : "(generated per bootstrap)");
    } else if (security == Security.RPK) {
      o.put("device_keys", deviceKeys != null ? "(fixed)" : "(generated per bootstrap)");
    } else if (security == Security.X509) {
      o.put("device_certificate", deviceKeys.certificate().getSubjectX500Principal().getName());
    }
    o.put("lifetime", lifetime.toSeconds());
    o.put("queue_mode", queueMode);
    return o;
  }

  static BootstrapEntry from(AdapterConfig c, String where) {
    String ep = c.has("endpoint") && !c.getString("endpoint").isEmpty() ? c.getString("endpoint") : null;
    Pattern pattern = null;
    if (c.has("endpoint_pattern") && !c.getString("endpoint_pattern").isEmpty()) {
      try {
        pattern = Pattern.compile(c.getString("endpoint_pattern"));
      } catch (PatternSyntaxException e) {
        throw c.invalid("endpoint_pattern", "a regular expression (" + e.getDescription() + ")");
      }
    }
    if ((ep == null) == (pattern == null)) {
      throw new IllegalArgumentException(c.path() + ": " + where + " needs exactly one of endpoint and endpoint_pattern");
    }
    String sec = c.has("security") ? c.getString("security").toLowerCase(Locale.ROOT) : "none";
    Security security = switch (sec) {
      case "none" -> Security.NONE;
      case "psk" -> Security.PSK;
      case "rpk" -> Security.RPK;
      case "x509" -> Security.X509;
      default -> throw c.invalid("security", "none, psk, rpk or x509");
    };
    String identity = c.has("psk_identity") && !c.getString("psk_identity").isEmpty() ? c.getString("psk_identity") : null;
    if (identity != null && pattern != null) {
      throw c.invalid("psk_identity", "no psk_identity with endpoint_pattern (one identity cannot serve many endpoints)");
    }
    byte[] key = null;
    if (c.has("psk_key") && !c.getString("psk_key").isEmpty()) {
      key = c.getString("psk_key").getBytes(StandardCharsets.UTF_8);
    } else if (c.has("psk_key_hex") && !c.getString("psk_key_hex").isEmpty()) {
      try {
        key = HexFormat.of().parseHex(c.getString("psk_key_hex"));
      } catch (IllegalArgumentException e) {
        throw c.invalid("psk_key_hex", "hex digits");
      }
    }
    if (key != null && pattern != null) {
      throw c.invalid("psk_key", "no fixed key with endpoint_pattern: each device gets a fresh key");
    }
    Duration lifetime = c.has("lifetime") ? c.getDuration("lifetime") : Duration.ofSeconds(300);
    if (lifetime.isNegative() || lifetime.isZero()) {
      throw c.invalid("lifetime", "a positive duration");
    }
    boolean queue = c.has("queue_mode") && c.getBoolean("queue_mode");
    DeviceKeys keys = DeviceKeyFiles.read(c, security);
    if (keys != null && pattern != null) {
      throw c.invalid(security == Security.X509 ? "certfile" : "keyfile", "device keys with endpoint (not endpoint_pattern): "
          + (security == Security.X509 ? "the certificate's CN must be the one endpoint name" : "one key pair per endpoint"));
    }
    return new BootstrapEntry(ep, pattern, security, identity, key, lifetime, queue, keys);
  }
}
