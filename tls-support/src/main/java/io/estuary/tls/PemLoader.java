package io.estuary.tls;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * Reads PEM certificates (a chain, leaf first, or a CA bundle), public keys and unencrypted private keys: PKCS#8
 * {@code PRIVATE KEY}, PKCS#1 {@code RSA PRIVATE KEY} and SEC1 {@code EC PRIVATE KEY}. No caller has
 * a password setting, so an encrypted key is refused with a message that says so. Every failure is an
 * {@link IllegalArgumentException} naming the file; callers add their config key.
 */
public final class PemLoader {
  private static final char[] NO_PASSWORD = new char[0];

  private PemLoader() {}

  /** Every certificate in {@code file}, in file order (leaf first for a chain); at least one. */
  public static List<X509Certificate> certificates(Path file) {
    List<X509Certificate> out = new ArrayList<>();
    JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
    for (Object o : objects(file)) {
      if (o instanceof X509CertificateHolder h) {
        try {
          out.add(converter.getCertificate(h));
        } catch (GeneralSecurityException e) {
          throw new IllegalArgumentException(file + ": bad certificate: " + e.getMessage(), e);
        }
      }
    }
    if (out.isEmpty()) {
      out.addAll(derCertificates(file)); // the uplink read DER files too (the JDK's parser): keep that
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException(file + ": no PEM certificate found");
    }
    return out;
  }

  private static List<X509Certificate> derCertificates(Path file) {
    List<X509Certificate> out = new ArrayList<>();
    try (InputStream in = Files.newInputStream(file)) {
      for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        out.add((X509Certificate) c);
      }
    } catch (IOException | GeneralSecurityException e) {
      // not DER either: the caller reports the file
    }
    return out;
  }

  /** The private key in {@code file} and, when the PEM holds a key pair (PKCS#1, SEC1), its public key (else null). */
  public static KeyPair keyPair(Path file) {
    JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
    for (Object o : objects(file)) {
      try {
        if (o instanceof PEMKeyPair kp) {
          // SEC1 may leave the public key out (RFC 5915 §3: optional)
          return kp.getPublicKeyInfo() == null ? new KeyPair(null, converter.getPrivateKey(kp.getPrivateKeyInfo()))
              : converter.getKeyPair(kp);
        }
        if (o instanceof PrivateKeyInfo info) {
          return new KeyPair(null, converter.getPrivateKey(info));
        }
        if (o instanceof PEMEncryptedKeyPair || o instanceof PKCS8EncryptedPrivateKeyInfo) {
          throw new IllegalArgumentException(file + ": the private key is encrypted; give an unencrypted key");
        }
      } catch (IOException e) {
        throw new IllegalArgumentException(file + ": bad private key: " + e.getMessage(), e);
      }
    }
    throw new IllegalArgumentException(file + ": no PEM private key found");
  }

  /**
   * The public key in {@code file}: a {@code PUBLIC KEY} (X.509 SubjectPublicKeyInfo) block, else the first
   * certificate's key (a JWT issuer may publish either).
   */
  public static PublicKey publicKey(Path file) {
    for (Object o : objects(file)) {
      if (o instanceof SubjectPublicKeyInfo info) {
        try {
          return new JcaPEMKeyConverter().getPublicKey(info);
        } catch (IOException e) {
          throw new IllegalArgumentException(file + ": bad public key: " + e.getMessage(), e);
        }
      }
    }
    return certificates(file).get(0).getPublicKey();
  }

  /** The public key (or the first certificate's key) in PEM text, as EMQX's {@code public_key} settings take it. */
  public static PublicKey publicKeyFromPem(String pem) {
    try (PEMParser p = new PEMParser(new java.io.StringReader(pem))) {
      Object o;
      while ((o = p.readObject()) != null) {
        if (o instanceof SubjectPublicKeyInfo info) {
          return new JcaPEMKeyConverter().getPublicKey(info);
        }
        if (o instanceof X509CertificateHolder h) {
          return new JcaX509CertificateConverter().getCertificate(h).getPublicKey();
        }
      }
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      throw new IllegalArgumentException("cannot read the PEM text: " + e.getMessage(), e);
    }
    throw new IllegalArgumentException("no public key or certificate in the PEM text");
  }

  /** The private key in {@code file}. */
  public static PrivateKey privateKey(Path file) {
    return keyPair(file).getPrivate();
  }

  /** Trust managers that trust exactly the certificates in {@code caFile}. */
  public static TrustManagerFactory trustManagers(Path caFile) {
    List<X509Certificate> cas = certificates(caFile);
    try {
      KeyStore ks = emptyStore();
      for (int i = 0; i < cas.size(); i++) {
        ks.setCertificateEntry("ca-" + i, cas.get(i));
      }
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(ks);
      return tmf;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalArgumentException(caFile + ": " + e.getMessage(), e);
    }
  }

  /** Key managers presenting the chain in {@code certFile} with the key in {@code keyFile}. */
  public static KeyManagerFactory keyManagers(Path certFile, Path keyFile) {
    List<X509Certificate> chain = certificates(certFile);
    PrivateKey key = privateKey(keyFile);
    try {
      KeyStore ks = emptyStore();
      ks.setKeyEntry("key", key, NO_PASSWORD, chain.toArray(Certificate[]::new));
      KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(ks, NO_PASSWORD);
      return kmf;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalArgumentException(keyFile + ": " + e.getMessage(), e);
    }
  }

  private static KeyStore emptyStore() throws GeneralSecurityException, IOException {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    return ks;
  }

  private static List<Object> objects(Path file) {
    List<Object> out = new ArrayList<>();
    // ISO-8859-1 maps every byte: a binary (DER) file reads as text without PEM blocks instead of failing
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.ISO_8859_1); PEMParser p = new PEMParser(r)) {
      Object o;
      while ((o = p.readObject()) != null) {
        out.add(o);
      }
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException(file + ": cannot read PEM: " + e.getMessage(), e);
    }
    return out;
  }
}
