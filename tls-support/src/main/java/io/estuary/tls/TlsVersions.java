package io.estuary.tls;

import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.net.ssl.SSLContext;

/**
 * The TLS protocol versions and cipher suites a server offers, from EMQX-style settings
 * ({@code versions = ["tlsv1.3", "tlsv1.2"]}, {@code ciphers = [...]}). TLS 1.2 is the floor whatever
 * the JVM's {@code java.security} allows: TLS 1.0/1.1 are deprecated (RFC 8996) and a gateway must not
 * depend on a distribution's JDK defaults to refuse them. Failures are {@link IllegalArgumentException}s;
 * callers add their config key.
 */
public final class TlsVersions {
  /** What a listener offers when {@code versions} is not set. */
  public static final List<String> DEFAULT = List.of("TLSv1.3", "TLSv1.2");

  private TlsVersions() {}

  /** EMQX ({@code tlsv1.3}) or JDK ({@code TLSv1.3}) names → JDK names; empty → {@link #DEFAULT}. */
  public static List<String> versions(List<String> names) {
    if (names == null || names.isEmpty()) {
      return DEFAULT;
    }
    Set<String> out = new LinkedHashSet<>();
    for (String n : names) {
      String v = switch (n.trim().toLowerCase(Locale.ROOT)) {
        case "tlsv1.3" -> "TLSv1.3";
        case "tlsv1.2" -> "TLSv1.2";
        case "tlsv1.1", "tlsv1", "tlsv1.0", "sslv3" ->
            throw new IllegalArgumentException(n + " is below the minimum TLS 1.2 (RFC 8996); use tlsv1.3 and/or tlsv1.2");
        default -> throw new IllegalArgumentException("unknown TLS version " + n + "; use tlsv1.3 and/or tlsv1.2");
      };
      out.add(v);
    }
    return List.copyOf(out);
  }

  /**
   * Cipher suite names (IANA/JDK names such as {@code TLS_AES_128_GCM_SHA256},
   * {@code TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256}); empty → the JDK's defaults (null). A name this JVM
   * does not support is refused, so a typo never silently leaves a listener with no usable suite.
   */
  public static List<String> ciphers(List<String> names) {
    if (names == null || names.isEmpty()) {
      return null;
    }
    Set<String> supported;
    try {
      supported = Set.of(SSLContext.getDefault().getSupportedSSLParameters().getCipherSuites());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("no default TLS context", e);
    }
    List<String> out = new ArrayList<>();
    for (String n : names) {
      String c = n.trim();
      if (!supported.contains(c)) {
        throw new IllegalArgumentException("unsupported cipher suite " + c + " (use IANA names, e.g. TLS_AES_128_GCM_SHA256)");
      }
      out.add(c);
    }
    return List.copyOf(out);
  }
}
