package io.estuary.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throw-away EC P-256 PKI for DTLS and TLS tests, made with BouncyCastle: a CA and leaf certificates signed by
 * it, written as PEM files ({@code name.crt}, {@code name.key} as PKCS#8) under a directory.
 */
public final class TestPki {
  private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

  /** A key pair, its certificate and where both were written. */
  public record Issued(KeyPair keys, X509Certificate certificate, Path certFile, Path keyFile) {
    public PrivateKey privateKey() {
      return keys.getPrivate();
    }
  }

  private final Path dir;
  private final Issued ca;

  private TestPki(Path dir, Issued ca) {
    this.dir = dir;
    this.ca = ca;
  }

  /** A new CA ({@code CN=<caName>}) with its PEM files in {@code dir}. */
  public static TestPki create(Path dir, String caName) {
    KeyPair keys = ecKeys();
    X500Principal subject = new X500Principal("CN=" + caName + ", O=Estuary test");
    X509Certificate cert = sign(subject, keys, subject, keys.getPrivate(), true);
    return new TestPki(dir, write(dir, caName, keys, cert));
  }

  public Issued ca() {
    return ca;
  }

  /** A leaf certificate {@code CN=<cn>} signed by the CA; PEM files {@code <cn>.crt} and {@code <cn>.key}. */
  public Issued issue(String cn) {
    return issue(cn, new String[0]);
  }

  /**
   * A leaf certificate as {@link #issue(String)} naming {@code hosts} (IP addresses or DNS names) as subject
   * alternative names, so TLS clients that verify the host name (hivemq, mosquitto) accept it for them.
   */
  public Issued issue(String cn, String... hosts) {
    KeyPair keys = ecKeys();
    X509Certificate cert = sign(new X500Principal("CN=" + cn + ", O=Estuary test"), keys,
        ca.certificate().getSubjectX500Principal(), ca.privateKey(), false, hosts);
    return write(dir, cn, keys, cert);
  }

  /** A self-signed leaf that no test CA vouches for. */
  public static Issued selfSigned(Path dir, String cn) {
    KeyPair keys = ecKeys();
    X500Principal subject = new X500Principal("CN=" + cn);
    return write(dir, cn, keys, sign(subject, keys, subject, keys.getPrivate(), false));
  }

  /** A fresh P-256 key pair. */
  public static KeyPair ecKeys() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"));
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static X509Certificate sign(X500Principal subject, KeyPair subjectKeys, X500Principal issuer,
      PrivateKey issuerKey, boolean isCa, String... hosts) {
    Instant now = Instant.now();
    try {
      JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(SERIAL.incrementAndGet()),
          Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(2))), subject,
          subjectKeys.getPublic());
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
      b.addExtension(Extension.keyUsage, true, isCa
          ? new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign)
          : new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement));
      if (hosts.length > 0) {
        GeneralName[] names = new GeneralName[hosts.length];
        for (int i = 0; i < hosts.length; i++) {
          boolean ip = hosts[i].matches("[0-9.]+") || hosts[i].contains(":");
          names[i] = new GeneralName(ip ? GeneralName.iPAddress : GeneralName.dNSName, hosts[i]);
        }
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
      }
      return new JcaX509CertificateConverter()
          .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey)));
    } catch (OperatorCreationException | GeneralSecurityException | IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Issued write(Path dir, String name, KeyPair keys, X509Certificate cert) {
    Path crt = dir.resolve(name + ".crt");
    Path key = dir.resolve(name + ".key");
    try {
      Files.createDirectories(dir);
      pem(crt, cert);
      pem(key, new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(keys.getPrivate(), null).generate());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new Issued(keys, cert, crt, key);
  }

  private static void pem(Path file, Object o) throws IOException {
    try (Writer w = Files.newBufferedWriter(file); JcaPEMWriter pw = new JcaPEMWriter(w)) {
      pw.writeObject(o);
    }
  }
}
