package io.estuary.tls;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The self-signed certificate a TLS listener uses when no {@code ssl_options.certfile} is configured: ONE per
 * process, shared by every adapter (MQTT ssl/wss, STOMP ssl/wss, the TCP gateway's ssl), so the key is generated
 * once. An EC P-256 key and {@code SHA256withECDSA}, subject and issuer {@code CN=localhost}, subject alternative
 * names {@code DNS:localhost} and {@code IP:127.0.0.1}, valid from a year ago to 9999-12-31 (as Netty's
 * {@code SelfSignedCertificate}, which this replaces) and a random positive 63-bit serial number.
 *
 * <p>Built with the JDK's own classes only (the DER is written here): Netty's generator loads BouncyCastle's
 * provider, about a thousand classes, and took most of the gateway's TLS start-up (BENCHMARKS.md, issue #19).
 * {@link #shared()} starts the generation on a daemon thread ({@code estuary-certgen}) at its first call, so a
 * caller that knows early that one will be needed (gateway-app, right after reading the config) lets it run while
 * the store opens; the same thread then builds the listeners' shared TLS context
 * ({@link ServerSslContexts}); the adapters call {@link #get()} when they build their TLS contexts. Thread-safe.
 */
public final class GeneratedCertificate {
  /** Netty's {@code SelfSignedCertificate} default end of validity: 9999-12-31T23:59:59Z. */
  static final Instant NOT_AFTER = Instant.parse("9999-12-31T23:59:59Z");
  private static final byte[] OID_ECDSA_SHA256 = {0x2A, (byte) 0x86, 0x48, (byte) 0xCE, 0x3D, 0x04, 0x03, 0x02};
  private static final byte[] OID_CN = {0x55, 0x04, 0x03};
  private static final byte[] OID_SAN = {0x55, 0x1D, 0x11};
  private static final Object LOCK = new Object();
  private static CompletableFuture<GeneratedCertificate> shared;

  private final PrivateKey privateKey;
  private final X509Certificate certificate;

  private GeneratedCertificate(PrivateKey privateKey, X509Certificate certificate) {
    this.privateKey = privateKey;
    this.certificate = certificate;
  }

  public PrivateKey privateKey() {
    return privateKey;
  }

  public X509Certificate certificate() {
    return certificate;
  }

  /**
   * The process's generated certificate, its generation started on a daemon thread at the first call (later
   * calls return the same future). Calling it early costs nothing more than the generation itself.
   */
  public static CompletableFuture<GeneratedCertificate> shared() {
    synchronized (LOCK) {
      if (shared == null) {
        CompletableFuture<GeneratedCertificate> f = new CompletableFuture<>();
        Thread t = new Thread(() -> {
          try {
            f.complete(generate("localhost"));
          } catch (Throwable e) {
            f.completeExceptionally(e);
            return;
          }
          ServerSslContexts.prebuildGenerated(); // the listeners' shared TLS context, off the start thread
        }, "estuary-certgen");
        t.setDaemon(true);
        t.start();
        shared = f;
      }
      return shared;
    }
  }

  /** {@link #shared()}, waited for; a failed generation is an {@link IllegalStateException} with its cause. */
  public static GeneratedCertificate get() {
    try {
      return shared().join();
    } catch (CompletionException e) {
      throw new IllegalStateException("cannot generate a self-signed certificate: " + e.getCause(), e.getCause());
    }
  }

  /** A new self-signed certificate for {@code commonName} (tests; the listeners share {@link #shared()}). */
  public static GeneratedCertificate generate(String commonName) throws GeneralSecurityException {
    SecureRandom random = new SecureRandom();
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"), random);
    KeyPair kp = g.generateKeyPair();
    Instant now = Instant.now();
    byte[] algorithm = seq(tlv(0x06, OID_ECDSA_SHA256)); // RFC 5758 §3.2: no parameters
    byte[] name = seq(tlv(0x31, seq(tlv(0x06, OID_CN), tlv(0x0C, commonName.getBytes(StandardCharsets.UTF_8)))));
    byte[] san = seq(tlv(0x82, "localhost".getBytes(StandardCharsets.US_ASCII)), tlv(0x87, new byte[] {127, 0, 0, 1}));
    byte[] extensions = tlv(0xA3, seq(seq(tlv(0x06, OID_SAN), tlv(0x04, san))));
    byte[] tbs = seq(
        tlv(0xA0, tlv(0x02, new byte[] {2})), // v3
        tlv(0x02, new BigInteger(63, random).add(BigInteger.ONE).toByteArray()),
        algorithm,
        name,
        seq(time(now.minusSeconds(365L * 24 * 3600)), time(NOT_AFTER)),
        name,
        kp.getPublic().getEncoded(), // already an X.509 SubjectPublicKeyInfo
        extensions);
    Signature s = Signature.getInstance("SHA256withECDSA");
    s.initSign(kp.getPrivate(), random);
    s.update(tbs);
    byte[] signature = s.sign();
    byte[] bits = new byte[signature.length + 1]; // leading 0: no unused bits
    System.arraycopy(signature, 0, bits, 1, signature.length);
    byte[] der = seq(tbs, algorithm, tlv(0x03, bits));
    X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509")
        .generateCertificate(new ByteArrayInputStream(der));
    cert.verify(kp.getPublic());
    return new GeneratedCertificate(kp.getPrivate(), cert);
  }

  /** RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050. */
  private static byte[] time(Instant t) {
    ZonedDateTime z = t.atZone(ZoneOffset.UTC);
    boolean utc = z.getYear() < 2050;
    String s = z.format(DateTimeFormatter.ofPattern(utc ? "yyMMddHHmmss'Z'" : "yyyyMMddHHmmss'Z'"));
    return tlv(utc ? 0x17 : 0x18, s.getBytes(StandardCharsets.US_ASCII));
  }

  private static byte[] seq(byte[]... parts) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      b.writeBytes(p);
    }
    return tlv(0x30, b.toByteArray());
  }

  /** DER tag-length-value, definite length in the shortest form. */
  static byte[] tlv(int tag, byte[] value) {
    int n = value.length;
    ByteArrayOutputStream b = new ByteArrayOutputStream(n + 6);
    b.write(tag);
    if (n < 0x80) {
      b.write(n);
    } else {
      int bytes = n < 0x100 ? 1 : n < 0x10000 ? 2 : n < 0x1000000 ? 3 : 4;
      b.write(0x80 | bytes);
      for (int i = bytes - 1; i >= 0; i--) {
        b.write(n >>> (8 * i));
      }
    }
    b.writeBytes(value);
    return b.toByteArray();
  }
}
