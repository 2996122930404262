package io.estuary.cf;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * Reads PEM certificates and unencrypted private keys (PKCS#8 {@code PRIVATE KEY}, or OpenSSL's
 * {@code EC PRIVATE KEY} / {@code RSA PRIVATE KEY} key pairs) with BouncyCastle's PEM parser. Failures
 * are {@link IllegalArgumentException}s naming the file.
 */
public final class PemFiles {
  private PemFiles() {}

  /** Every certificate in {@code file}, in file order (leaf first for a chain). */
  public static List<X509Certificate> certificates(Path file) {
    List<X509Certificate> out = new ArrayList<>();
    JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
    for (Object o : objects(file)) {
      if (o instanceof X509CertificateHolder h) {
        try {
          out.add(converter.getCertificate(h));
        } catch (CertificateException e) {
          throw new IllegalArgumentException(file + ": bad certificate: " + e.getMessage(), e);
        }
      }
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException(file + ": no PEM certificate found");
    }
    return out;
  }

  /** The private key in {@code file} and, when the PEM holds a key pair, its public key (else null). */
  public static KeyPair keyPair(Path file) {
    JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
    for (Object o : objects(file)) {
      try {
        if (o instanceof PEMKeyPair kp) {
          return converter.getKeyPair(kp);
        }
        if (o instanceof PrivateKeyInfo info) {
          PrivateKey key = converter.getPrivateKey(info);
          return new KeyPair(null, key);
        }
      } catch (IOException e) {
        throw new IllegalArgumentException(file + ": bad private key: " + e.getMessage(), e);
      }
    }
    throw new IllegalArgumentException(file + ": no unencrypted PEM private key found");
  }

  private static List<Object> objects(Path file) {
    List<Object> out = new ArrayList<>();
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII); PEMParser p = new PEMParser(r)) {
      Object o;
      while ((o = p.readObject()) != null) {
        out.add(o);
      }
    } catch (IOException e) {
      throw new IllegalArgumentException(file + ": cannot read PEM: " + e.getMessage(), e);
    }
    return out;
  }
}
