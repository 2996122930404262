package io.estuary.lwm2m.security;

import io.estuary.cf.DtlsSettings;
import io.estuary.api.AdapterConfig;
import org.eclipse.californium.elements.config.CertificateAuthenticationMode;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One {@code listeners.dtls.<name>} block: where it binds and its {@code dtls_options} (cf-support's
 * {@link DtlsSettings}). Every PSK entry is also the LwM2M security store: {@code endpoint} (default:
 * the identity) may register only with that identity and key, and never over plain UDP. So is every
 * {@code rpk} entry ({@code { endpoint, key | key_file }}): that endpoint must prove that raw public key.
 * {@code x509_endpoints} names endpoints that must register with a certificate (CN = the name): without
 * that entry an X.509 device's name could still be taken over plain UDP.
 *
 * @param bind the listener's address
 * @param settings the DTLS options
 * @param pskEndpoints PSK identity → the endpoint name it is for
 * @param rpkEndpoints endpoint name → the raw public key it must present
 * @param x509Endpoints endpoint names that must present a certificate with that CN
 */
public record DtlsListener(InetSocketAddress bind, DtlsSettings settings, Map<String, String> pskEndpoints,
    Map<String, PublicKey> rpkEndpoints, List<String> x509Endpoints) {
  public DtlsListener {
    Objects.requireNonNull(bind, "bind");
    Objects.requireNonNull(settings, "settings");
    pskEndpoints = Map.copyOf(pskEndpoints);
    rpkEndpoints = Map.copyOf(rpkEndpoints);
    x509Endpoints = List.copyOf(x509Endpoints);
  }

  /** Reads a listener block; {@code bind} is parsed by the caller. */
  public static DtlsListener from(AdapterConfig listener, InetSocketAddress bind) {
    if (!listener.has("dtls_options")) {
      throw listener.invalid("dtls_options", "PSK entries (psk, psk_file) or keyfile + certfile");
    }
    AdapterConfig opts = listener.getConfig("dtls_options");
    DtlsSettings settings = DtlsSettings.from(opts, opts.has("rpk")); // rpk entries: Leshan's security store binds each key to its endpoint
    Map<String, String> endpoints = new LinkedHashMap<>();
    settings.psk().keySet().forEach(id -> endpoints.put(id, id));
    if (opts.has("psk")) {
      for (AdapterConfig e : opts.getConfigList("psk")) {
        if (e.has("endpoint") && !e.getString("endpoint").isEmpty()) {
          endpoints.put(e.getString("identity"), e.getString("endpoint"));
        }
      }
    }
    if (endpoints.values().stream().distinct().count() != endpoints.size()) {
      throw opts.invalid("psk", "one PSK identity per endpoint");
    }
    List<String> x509 = opts.has("x509_endpoints") ? opts.getStringList("x509_endpoints") : List.of();
    if (!x509.isEmpty() && (settings.trustedCertificates().isEmpty()
        || settings.clientAuth() == CertificateAuthenticationMode.NONE)) {
      throw opts.invalid("x509_endpoints", "cacertfile and verify = verify_peer alongside x509_endpoints");
    }
    if (x509.stream().distinct().count() != x509.size()) {
      throw opts.invalid("x509_endpoints", "each endpoint once");
    }
    return new DtlsListener(bind, settings, endpoints, rpk(opts, settings), x509);
  }

  /** {@code rpk = [{ endpoint = "ep", key = "MFkw..." }, { endpoint = "ep2", key_file = "ep2.pub.pem" }]}. */
  private static Map<String, PublicKey> rpk(AdapterConfig opts, DtlsSettings settings) {
    Map<String, PublicKey> out = new LinkedHashMap<>();
    if (!opts.has("rpk")) {
      return out;
    }
    int i = 0;
    for (AdapterConfig e : opts.getConfigList("rpk")) {
      String where = "rpk[" + i++ + "]";
      if (!e.has("endpoint") || e.getString("endpoint").isEmpty()) {
        throw opts.invalid(where, "{ endpoint = \"...\", key = \"<base64 SubjectPublicKeyInfo>\" } (or key_file)");
      }
      PublicKey key;
      try {
        if (e.has("key") && !e.getString("key").isBlank()) {
          key = RawPublicKeys.parse(e.getString("key"));
        } else if (e.has("key_file") && !e.getString("key_file").isBlank()) {
          key = RawPublicKeys.fromFile(Path.of(e.getString("key_file").trim()));
        } else {
          throw opts.invalid(where, "a key or key_file");
        }
      } catch (IllegalArgumentException x) {
        throw new IllegalArgumentException(opts.path() + "." + where + ": " + x.getMessage(), x);
      }
      if (out.put(e.getString("endpoint"), key) != null) {
        throw opts.invalid(where, "one raw public key per endpoint (" + e.getString("endpoint") + " given twice)");
      }
    }
    if (!out.isEmpty() && (!settings.rawPublicKeys() || settings.clientAuth() == CertificateAuthenticationMode.NONE)) {
      // without both the handshake never asks the device for its key
      throw opts.invalid("rpk", "raw_public_keys = true and verify = verify_peer alongside rpk entries");
    }
    return out;
  }
}
