package io.estuary.uplink.client;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * Trust and key managers from PEM files (certificate bundles; PKCS#1, SEC1 or PKCS#8 unencrypted
 * keys). Failures name the config key and the file.
 */
final class PemFiles {
  private static final char[] NO_PASSWORD = new char[0];

  private PemFiles() {}

  static TrustManagerFactory trust(String key, String file) {
    try {
      List<Certificate> certs = certificates(key, file);
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      for (int i = 0; i < certs.size(); i++) {
        ks.setCertificateEntry("ca-" + i, certs.get(i));
      }
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(ks);
      return tmf;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalArgumentException(key + " = \"" + file + "\": " + e.getMessage(), e);
    }
  }

  static KeyManagerFactory keys(String certKey, String certFile, String keyKey, String keyFile) {
    List<Certificate> chain = certificates(certKey, certFile);
    PrivateKey pk = privateKey(keyKey, keyFile);
    try {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      ks.setKeyEntry("client", pk, NO_PASSWORD, chain.toArray(Certificate[]::new));
      KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(ks, NO_PASSWORD);
      return kmf;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalArgumentException(keyKey + " = \"" + keyFile + "\": " + e.getMessage(), e);
    }
  }

  private static List<Certificate> certificates(String key, String file) {
    try (InputStream in = Files.newInputStream(Path.of(file))) {
      List<Certificate> certs = new ArrayList<>(CertificateFactory.getInstance("X.509").generateCertificates(in));
      if (certs.isEmpty()) {
        throw new IllegalArgumentException(key + " = \"" + file + "\": no certificate in the file");
      }
      return certs;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException(key + " = \"" + file + "\": expected a readable PEM certificate file (" + e.getMessage() + ")", e);
    }
  }

  private static PrivateKey privateKey(String key, String file) {
    try (Reader r = Files.newBufferedReader(Path.of(file)); PEMParser p = new PEMParser(r)) {
      Object o = p.readObject();
      JcaPEMKeyConverter conv = new JcaPEMKeyConverter();
      if (o instanceof PEMKeyPair kp) {
        return conv.getKeyPair(kp).getPrivate();
      }
      if (o instanceof PrivateKeyInfo info) {
        return conv.getPrivateKey(info);
      }
      throw new IllegalArgumentException(key + " = \"" + file + "\": expected an unencrypted PEM private key");
    } catch (IOException e) {
      throw new IllegalArgumentException(key + " = \"" + file + "\": expected a readable PEM private key (" + e.getMessage() + ")", e);
    }
  }
}
