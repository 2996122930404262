package io.estuary.cf;

import io.estuary.api.AdapterConfig;
import io.estuary.tls.PemLoader;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.eclipse.californium.elements.auth.PreSharedKeyIdentity;
import org.eclipse.californium.elements.auth.RawPublicKeyIdentity;
import org.eclipse.californium.elements.auth.X509CertPath;
import org.eclipse.californium.elements.config.CertificateAuthenticationMode;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.eclipse.californium.scandium.dtls.CertificateType;
import org.eclipse.californium.scandium.dtls.pskstore.MultiPskStore;
import org.eclipse.californium.scandium.dtls.x509.SingleCertificateProvider;
import org.eclipse.californium.scandium.dtls.x509.StaticCertificateVerifier;

/**
 * The server side of one DTLS listener, read from its {@code dtls_options} block (shape below) and
 * turned into Scandium's {@link DtlsConnectorConfig}. Shared by the CoAP and LwM2M gateways. Files are
 * read once, in {@link #from}; a bad file or key fails there with the key's path.
 *
 * <pre>
 * dtls_options {
 *   psk = [{ identity = "dev1", key = "secret" }]   # or key_hex = "00ff..."
 *   psk_file = ""              # "identity:secret" per line (EMQX's psk init_file), # comments
 *   certfile = "", keyfile = "", cacertfile = ""    # PEM; keyfile unencrypted PKCS#8 or SEC1/PKCS#1
 *   verify = verify_none       # verify_peer: ask clients for a certificate or raw public key
 *   fail_if_no_peer_cert = false
 *   raw_public_keys = false    # RFC 7250: offer our key as RPK and accept client RPKs listed in trusted_rpks
 *   trusted_rpks = []          # base64 SubjectPublicKeyInfo (or PEM PUBLIC KEY text) of each accepted client key
 *   trusted_rpks_file = ""     # the same, one PEM PUBLIC KEY block or base64 line per key
 *   connection_id_length = 6   # RFC 9146 DTLS Connection ID bytes; 0 = use peers' ids only
 *   identity_as = none         # none | clientid | username
 * }
 * </pre>
 *
 * @param psk PSK identity → secret
 * @param privateKey our private key for certificate or RPK handshakes, or null (PSK only)
 * @param publicKey our public key (from the certificate or the key-pair PEM), or null
 * @param certificateChain our X.509 chain, leaf first; empty for RPK-only or PSK-only
 * @param trustedCertificates CAs that client certificates must chain to
 * @param clientAuth whether clients are asked for (WANTED) or must present (NEEDED) a certificate/RPK
 * @param rawPublicKeys RFC 7250 raw public keys offered, and accepted from clients in {@code trustedRawPublicKeys}
 * @param trustedRawPublicKeys the client raw public keys accepted; never "any key"
 * @param connectionIdLength RFC 9146 connection id length (0..16)
 * @param identityAs what the peer identity becomes
 */
public record DtlsSettings(
    Map<String, byte[]> psk,
    PrivateKey privateKey,
    PublicKey publicKey,
    List<X509Certificate> certificateChain,
    List<X509Certificate> trustedCertificates,
    CertificateAuthenticationMode clientAuth,
    boolean rawPublicKeys,
    List<PublicKey> trustedRawPublicKeys,
    int connectionIdLength,
    IdentityAs identityAs) {

  public DtlsSettings {
    psk = Map.copyOf(psk);
    trustedRawPublicKeys = List.copyOf(trustedRawPublicKeys);
    certificateChain = List.copyOf(certificateChain);
    trustedCertificates = List.copyOf(trustedCertificates);
    Objects.requireNonNull(clientAuth, "clientAuth");
    Objects.requireNonNull(identityAs, "identityAs");
    if (psk.isEmpty() && privateKey == null) {
      throw new IllegalArgumentException("a DTLS listener needs PSK entries (psk, psk_file) or keyfile + certfile");
    }
    if (privateKey != null && certificateChain.isEmpty() && !rawPublicKeys) {
      throw new IllegalArgumentException("keyfile without certfile needs raw_public_keys = true");
    }
    if (privateKey != null && certificateChain.isEmpty() && publicKey == null) {
      throw new IllegalArgumentException("raw public key without certfile: keyfile must hold the key pair (EC PRIVATE KEY)");
    }
    if (clientAuth != CertificateAuthenticationMode.NONE && trustedCertificates.isEmpty() && !rawPublicKeys) {
      throw new IllegalArgumentException("verify = verify_peer needs cacertfile or raw_public_keys = true");
    }
    if (clientAuth != CertificateAuthenticationMode.NONE && privateKey == null) {
      throw new IllegalArgumentException("verify = verify_peer needs keyfile (client certificates need a certificate handshake)");
    }
    if (connectionIdLength < 0 || connectionIdLength > 16) {
      throw new IllegalArgumentException("connection_id_length must be 0..16, was " + connectionIdLength);
    }
  }

  /** Reads a {@code dtls_options} block; failures name the key, the value and what was expected. */
  public static DtlsSettings from(AdapterConfig c) {
    return from(c, false);
  }

  /**
   * Reads a {@code dtls_options} block.
   *
   * @param rpkTrustedElsewhere the caller binds client raw public keys itself (LwM2M's security store with
   *     its {@code rpk} entries), so an empty {@code trusted_rpks} is not "trust nobody by mistake"
   */
  public static DtlsSettings from(AdapterConfig c, boolean rpkTrustedElsewhere) {
    Map<String, byte[]> psk = new LinkedHashMap<>();
    if (c.has("psk")) {
      int i = 0;
      for (AdapterConfig e : c.getConfigList("psk")) {
        String where = "psk[" + i++ + "]";
        if (!e.has("identity") || e.getString("identity").isEmpty()) {
          throw c.invalid(where, "{ identity = \"...\", key = \"...\" } (or key_hex)");
        }
        byte[] key;
        if (e.has("key_hex")) {
          try {
            key = HexFormat.of().parseHex(e.getString("key_hex"));
          } catch (IllegalArgumentException x) {
            throw c.invalid(where, "key_hex of hex digits");
          }
        } else if (e.has("key")) {
          key = e.getString("key").getBytes(StandardCharsets.UTF_8);
        } else {
          throw c.invalid(where, "a key or key_hex");
        }
        if (key.length == 0) {
          throw c.invalid(where, "a non-empty key");
        }
        psk.put(e.getString("identity"), key);
      }
    }
    String pskFile = text(c, "psk_file");
    if (!pskFile.isEmpty()) {
      psk.putAll(readPskFile(c, Path.of(pskFile)));
    }
    String certfile = text(c, "certfile");
    String keyfile = text(c, "keyfile");
    String cacertfile = text(c, "cacertfile");
    PrivateKey privateKey = null;
    PublicKey publicKey = null;
    List<X509Certificate> chain = List.of();
    List<X509Certificate> trusted = List.of();
    try {
      if (!keyfile.isEmpty()) {
        KeyPair kp = PemLoader.keyPair(Path.of(keyfile));
        privateKey = kp.getPrivate();
        publicKey = kp.getPublic();
      }
      if (!certfile.isEmpty()) {
        if (keyfile.isEmpty()) {
          throw c.invalid("keyfile", "the private key of certfile");
        }
        chain = PemLoader.certificates(Path.of(certfile));
        publicKey = chain.get(0).getPublicKey();
      }
      if (!cacertfile.isEmpty()) {
        trusted = PemLoader.certificates(Path.of(cacertfile));
      }
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(c.path() + ": " + e.getMessage(), e);
    }
    String verify = c.has("verify") ? c.getString("verify") : "verify_none";
    CertificateAuthenticationMode auth;
    if (verify.equals("verify_none")) {
      auth = CertificateAuthenticationMode.NONE;
    } else if (verify.equals("verify_peer")) {
      auth = c.has("fail_if_no_peer_cert") && c.getBoolean("fail_if_no_peer_cert")
          ? CertificateAuthenticationMode.NEEDED : CertificateAuthenticationMode.WANTED;
    } else {
      throw c.invalid("verify", "verify_none or verify_peer");
    }
    IdentityAs identityAs = IdentityAs.parse(c.has("identity_as") ? c.getString("identity_as") : "none");
    if (identityAs == null) {
      throw c.invalid("identity_as", "none, clientid or username");
    }
    boolean rpk = c.has("raw_public_keys") && c.getBoolean("raw_public_keys");
    List<PublicKey> trustedRpks = trustedRpks(c);
    if (rpk && auth != CertificateAuthenticationMode.NONE && trustedRpks.isEmpty() && !rpkTrustedElsewhere) {
      // before: any client key was accepted, so "verified" meant nothing
      throw c.invalid("trusted_rpks", "the client raw public keys to accept (base64 SubjectPublicKeyInfo, or "
          + "trusted_rpks_file): raw_public_keys = true with verify = verify_peer no longer accepts any key");
    }
    if (!trustedRpks.isEmpty() && !rpk) {
      throw c.invalid("trusted_rpks", "raw_public_keys = true alongside trusted_rpks");
    }
    try {
      return new DtlsSettings(psk, privateKey, publicKey, chain, trusted, auth, rpk, trustedRpks,
          c.has("connection_id_length") ? c.getInt("connection_id_length") : 6, identityAs);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(c.path() + ": " + e.getMessage(), e);
    }
  }

  private static List<PublicKey> trustedRpks(AdapterConfig c) {
    List<PublicKey> out = new ArrayList<>();
    if (c.has("trusted_rpks")) {
      int i = 0;
      for (String k : c.getStringList("trusted_rpks")) {
        try {
          out.add(PublicKeys.parse(k));
        } catch (IllegalArgumentException e) {
          throw c.invalid("trusted_rpks[" + i + "]", "a base64 DER SubjectPublicKeyInfo (" + e.getMessage() + ")");
        }
        i++;
      }
    }
    String file = text(c, "trusted_rpks_file");
    if (!file.isEmpty()) {
      try {
        out.addAll(PublicKeys.fromFile(Path.of(file)));
      } catch (IllegalArgumentException e) {
        throw c.invalid("trusted_rpks_file", "PEM PUBLIC KEY blocks or base64 lines (" + e.getMessage() + ")");
      }
    }
    return out;
  }

  private static String text(AdapterConfig c, String key) {
    return c.has(key) ? c.getString(key).trim() : "";
  }

  /** EMQX's PSK file: {@code identity:secret} per line; blank lines and {@code #} comments skipped. */
  static Map<String, byte[]> readPskFile(AdapterConfig c, Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw c.invalid("psk_file", "a readable file (" + e.getMessage() + ")");
    }
    Map<String, byte[]> out = new LinkedHashMap<>();
    int n = 0;
    for (String line : lines) {
      n++;
      String l = line.strip();
      if (l.isEmpty() || l.startsWith("#")) {
        continue;
      }
      int colon = l.indexOf(':');
      if (colon <= 0 || colon == l.length() - 1) {
        throw c.invalid("psk_file", "lines of identity:secret (line " + n + " of " + file + ")");
      }
      out.put(l.substring(0, colon), l.substring(colon + 1).getBytes(StandardCharsets.UTF_8));
    }
    return out;
  }

  /**
   * {@code base} plus this listener's DTLS settings (server role, client authentication, connection id).
   * Use the result for both the connector and its CoAP endpoint.
   */
  public Configuration configuration(Configuration base) {
    Configuration c = new Configuration(base);
    c.set(DtlsConfig.DTLS_ROLE, DtlsConfig.DtlsRole.SERVER_ONLY);
    c.set(DtlsConfig.DTLS_CLIENT_AUTHENTICATION_MODE, clientAuth);
    c.set(DtlsConfig.DTLS_CONNECTION_ID_LENGTH, connectionIdLength);
    return c;
  }

  /** Scandium's connector config for a server bound to {@code bind}; {@code config} from {@link #configuration}. */
  public DtlsConnectorConfig connectorConfig(Configuration config, InetSocketAddress bind) {
    DtlsConnectorConfig.Builder b = DtlsConnectorConfig.builder(config).setAddress(bind);
    if (!psk.isEmpty()) {
      MultiPskStore store = new MultiPskStore();
      psk.forEach(store::setKey);
      b.setPskStore(store);
    }
    if (privateKey != null) {
      List<CertificateType> types = new ArrayList<>();
      if (!certificateChain.isEmpty()) {
        types.add(CertificateType.X_509);
      }
      if (rawPublicKeys) {
        types.add(CertificateType.RAW_PUBLIC_KEY);
      }
      b.setCertificateIdentityProvider(certificateChain.isEmpty()
          ? new SingleCertificateProvider(privateKey, publicKey)
          : new SingleCertificateProvider(privateKey, certificateChain.toArray(X509Certificate[]::new), types));
      StaticCertificateVerifier.Builder v = StaticCertificateVerifier.builder();
      if (!trustedCertificates.isEmpty()) {
        v.setTrustedCertificates(trustedCertificates.toArray(X509Certificate[]::new));
      }
      if (rawPublicKeys && !trustedRawPublicKeys.isEmpty()) {
        v.setTrustedRPKs(trustedRawPublicKeys.stream().map(RawPublicKeyIdentity::new).toArray(RawPublicKeyIdentity[]::new));
      }
      if (v.hasTrusts()) {
        b.setCertificateVerifier(v.build());
      }
    }
    return b.build();
  }

  /**
   * The name a DTLS peer proved: the PSK identity, the certificate's CN (the whole subject when it has
   * none), or the raw public key's {@code ni:} name; null for a plain UDP peer.
   */
  public static String peerName(Principal p) {
    if (p == null) {
      return null;
    }
    if (p instanceof PreSharedKeyIdentity psk) {
      return psk.getIdentity();
    }
    if (p instanceof X509CertPath cert) {
      String cn = cert.getCN();
      return cn != null ? cn : cert.getTarget().getSubjectX500Principal().getName();
    }
    return p.getName();
  }

  /** Never prints secrets. */
  @Override
  public String toString() {
    return "DtlsSettings[psk identities=" + psk.size() + ", certificate=" + !certificateChain.isEmpty()
        + ", rpk=" + rawPublicKeys + ", trustedRpks=" + trustedRawPublicKeys.size() + ", clientAuth=" + clientAuth + ", trusted=" + trustedCertificates.size()
        + ", cid=" + connectionIdLength + ", identityAs=" + identityAs + "]";
  }
}
