package io.estuary.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;

class GeneratedCertificateTest {

  @Test
  void theCertificateIsSelfSignedForLocalhostWithAnEcP256Key() throws Exception {
    GeneratedCertificate g = GeneratedCertificate.generate("localhost");
    X509Certificate c = g.certificate();
    assertThat(c.getSubjectX500Principal().getName()).isEqualTo("CN=localhost");
    assertThat(c.getIssuerX500Principal()).isEqualTo(c.getSubjectX500Principal());
    assertThat(c.getVersion()).isEqualTo(3);
    assertThat(c.getSigAlgName()).isEqualTo("SHA256withECDSA");
    assertThat(c.getPublicKey()).isInstanceOf(ECPublicKey.class);
    assertThat(((ECPublicKey) c.getPublicKey()).getParams().getCurve().getField().getFieldSize()).isEqualTo(256);
    assertThat(g.privateKey().getAlgorithm()).isEqualTo("EC");
    assertThat(c.getSerialNumber().signum()).isPositive();
    c.verify(c.getPublicKey()); // signed by its own key
    c.checkValidity();
    assertThat(c.getNotBefore().toInstant()).isBefore(Instant.now().minus(300, ChronoUnit.DAYS));
    assertThat(c.getNotAfter().toInstant()).isEqualTo(GeneratedCertificate.NOT_AFTER);
    assertThat(c.getSubjectAlternativeNames()).containsExactlyInAnyOrder(List.of(2, "localhost"), List.of(7, "127.0.0.1"));
  }

  @Test
  void twoGenerationsMakeTwoKeysAndSerialNumbers() throws Exception {
    GeneratedCertificate a = GeneratedCertificate.generate("localhost");
    GeneratedCertificate b = GeneratedCertificate.generate("localhost");
    assertThat(a.certificate().getSerialNumber()).isNotEqualTo(b.certificate().getSerialNumber());
    assertThat(a.certificate().getPublicKey()).isNotEqualTo(b.certificate().getPublicKey());
  }

  @Test
  void everyCallerOfTheSharedCertificateGetsTheSameOneGeneratedOnItsOwnThread() {
    CompletableFuture<GeneratedCertificate> first = GeneratedCertificate.shared();
    assertThat(GeneratedCertificate.shared()).isSameAs(first);
    GeneratedCertificate g = GeneratedCertificate.get();
    assertThat(g).isSameAs(first.join()).isSameAs(GeneratedCertificate.get());
  }

  @Test
  void aTls13ClientThatTrustsTheCertificateCompletesAHandshakeWithAServerUsingIt() throws Exception {
    GeneratedCertificate g = GeneratedCertificate.generate("localhost");
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setKeyEntry("k", g.privateKey(), new char[0], new X509Certificate[] {g.certificate()});
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, new char[0]);
    SSLContext server = SSLContext.getInstance("TLSv1.3");
    server.init(kmf.getKeyManagers(), null, null);
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("c", g.certificate());
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext client = SSLContext.getInstance("TLSv1.3");
    client.init(null, tmf.getTrustManagers(), null);
    try (SSLServerSocket ss = (SSLServerSocket) server.getServerSocketFactory().createServerSocket(0, 1,
        java.net.InetAddress.getLoopbackAddress())) {
      CompletableFuture<Integer> echoed = CompletableFuture.supplyAsync(() -> {
        try (SSLSocket s = (SSLSocket) ss.accept(); InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
          int b = in.read();
          out.write(b);
          out.flush();
          return b;
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      try (SSLSocket s = (SSLSocket) client.getSocketFactory().createSocket("localhost", ss.getLocalPort())) {
        var p = s.getSSLParameters();
        p.setEndpointIdentificationAlgorithm("HTTPS"); // the SAN names localhost
        s.setSSLParameters(p);
        s.getOutputStream().write(42);
        s.getOutputStream().flush();
        assertThat(s.getInputStream().read()).isEqualTo(42);
        assertThat(s.getSession().getPeerCertificates()[0]).isEqualTo(g.certificate());
      }
      assertThat(echoed.get(10, TimeUnit.SECONDS)).isEqualTo(42);
    }
  }
}
