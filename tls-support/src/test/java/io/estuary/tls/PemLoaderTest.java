package io.estuary.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.Date;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One file per format the gateway's config accepts, written as OpenSSL writes them. */
class PemLoaderTest {
  @TempDir Path dir;

  static KeyPair rsa() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    return g.generateKeyPair();
  }

  static KeyPair ec() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    return g.generateKeyPair();
  }

  static X509Certificate certificate(String cn, KeyPair subject, KeyPair issuer, String issuerCn) throws Exception {
    String alg = issuer.getPrivate().getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
    return new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(
        new X500Principal("CN=" + issuerCn), BigInteger.valueOf(System.nanoTime()), new Date(System.currentTimeMillis() - 60_000),
        new Date(System.currentTimeMillis() + 3_600_000), new X500Principal("CN=" + cn), subject.getPublic())
        .build(new JcaContentSignerBuilder(alg).build(issuer.getPrivate())));
  }

  /** SEC1 (RFC 5915) with the curve and the public key, as OpenSSL writes it. */
  static PemObject sec1(KeyPair kp) {
    PrivateKeyInfo info = PrivateKeyInfo.getInstance(kp.getPrivate().getEncoded());
    ECPrivateKey key = new ECPrivateKey(256, ((java.security.interfaces.ECPrivateKey) kp.getPrivate()).getS(),
        new DERBitString(SubjectPublicKeyInfo.getInstance(kp.getPublic().getEncoded()).getPublicKeyData().getBytes()),
        info.getPrivateKeyAlgorithm().getParameters());
    try {
      return new PemObject("EC PRIVATE KEY", key.getEncoded());
    } catch (IOException ex) {
      throw new java.io.UncheckedIOException(ex);
    }
  }

  Path write(String name, Object... objects) throws IOException {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(out)) {
      for (Object o : objects) {
        w.writeObject(o);
      }
    }
    return Files.writeString(dir.resolve(name), out.toString());
  }

  @Test
  void a_chain_comes_back_leaf_first() throws Exception {
    KeyPair ca = ec();
    KeyPair leaf = ec();
    X509Certificate caCert = certificate("ca", ca, ca, "ca");
    X509Certificate leafCert = certificate("leaf", leaf, ca, "ca");
    Path chain = write("chain.pem", leafCert, caCert);
    assertThat(PemLoader.certificates(chain)).containsExactly(leafCert, caCert);
    assertThat(PemLoader.trustManagers(write("ca.pem", caCert)).getTrustManagers()).hasSize(1);
  }

  @Test
  void a_der_certificate_is_read_too() throws Exception {
    KeyPair ca = rsa();
    X509Certificate c = certificate("ca", ca, ca, "ca");
    Path der = Files.write(dir.resolve("ca.der"), c.getEncoded());
    assertThat(PemLoader.certificates(der)).containsExactly(c);
  }

  @Test
  void pkcs1_rsa_and_sec1_ec_keys_come_with_their_public_key() throws Exception {
    KeyPair r = rsa();
    KeyPair e = ec();
    Path pkcs1 = write("rsa.key", r); // "RSA PRIVATE KEY"
    Path sec1 = write("ec.key", sec1(e)); // "EC PRIVATE KEY", as openssl ecparam -genkey writes it
    assertThat(Files.readString(pkcs1)).contains("BEGIN RSA PRIVATE KEY");
    assertThat(Files.readString(sec1)).contains("BEGIN EC PRIVATE KEY");
    assertThat(PemLoader.keyPair(pkcs1).getPrivate().getEncoded()).isEqualTo(r.getPrivate().getEncoded());
    assertThat(PemLoader.keyPair(pkcs1).getPublic()).isEqualTo(r.getPublic());
    assertThat(((java.security.interfaces.ECPrivateKey) PemLoader.keyPair(sec1).getPrivate()).getS())
        .isEqualTo(((java.security.interfaces.ECPrivateKey) e.getPrivate()).getS());
    assertThat(PemLoader.keyPair(sec1).getPublic()).isEqualTo(e.getPublic());
  }

  @Test
  void pkcs8_keys_of_both_kinds_are_read() throws Exception {
    for (KeyPair kp : new KeyPair[] {rsa(), ec()}) {
      Path p = write("k8-" + kp.getPrivate().getAlgorithm() + ".key", new JcaPKCS8Generator(kp.getPrivate(), null).generate());
      assertThat(Files.readString(p)).contains("BEGIN PRIVATE KEY");
      PrivateKey back = PemLoader.privateKey(p);
      assertThat(back.getEncoded()).isEqualTo(kp.getPrivate().getEncoded());
    }
  }

  @Test
  void key_managers_pair_a_chain_with_its_key() throws Exception {
    KeyPair ca = ec();
    KeyPair leaf = ec();
    Path cert = write("leaf.pem", certificate("leaf", leaf, ca, "ca"));
    Path key = write("leaf.key", sec1(leaf));
    assertThat(PemLoader.keyManagers(cert, key).getKeyManagers()).hasSize(1);
  }

  @Test
  void an_encrypted_key_is_refused_saying_so() throws Exception {
    KeyPair kp = ec();
    var enc = new JceOpenSSLPKCS8EncryptorBuilder(JcaPKCS8Generator.AES_256_CBC).setProvider(new BouncyCastleProvider())
        .setPassword("pw".toCharArray()).build();
    Path p = write("enc.key", new JcaPKCS8Generator(kp.getPrivate(), enc).generate());
    assertThatThrownBy(() -> PemLoader.privateKey(p)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("encrypted").hasMessageContaining(p.toString());
  }

  @Test
  void garbage_and_missing_files_name_the_file() throws Exception {
    Path junk = Files.writeString(dir.resolve("junk.pem"), "not a pem", StandardCharsets.US_ASCII);
    assertThatThrownBy(() -> PemLoader.certificates(junk)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("junk.pem");
    assertThatThrownBy(() -> PemLoader.privateKey(junk)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("junk.pem");
    Path missing = dir.resolve("missing.pem");
    assertThatThrownBy(() -> PemLoader.certificates(missing)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("missing.pem");
  }
}
