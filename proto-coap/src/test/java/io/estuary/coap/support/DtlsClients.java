package io.estuary.coap.support;

import io.estuary.cf.CfSettings;
import io.estuary.testkit.TestPki;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.concurrent.TimeUnit;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.eclipse.californium.scandium.dtls.CertificateType;
import org.eclipse.californium.scandium.dtls.pskstore.SinglePskStore;
import org.eclipse.californium.scandium.dtls.x509.SingleCertificateProvider;
import org.eclipse.californium.scandium.dtls.x509.StaticCertificateVerifier;

/** Scandium client endpoints for the DTLS ITs: PSK, X.509 and raw public key, each with a DTLS Connection ID. */
public final class DtlsClients {
  /** Connection id length the test clients ask for (RFC 9146). */
  public static final int CID_LENGTH = 4;

  private DtlsClients() {}

  private static Configuration config() {
    Configuration c = new Configuration(CfSettings.DEFAULTS.toConfiguration());
    c.set(DtlsConfig.DTLS_ROLE, DtlsConfig.DtlsRole.CLIENT_ONLY);
    c.set(DtlsConfig.DTLS_CONNECTION_ID_LENGTH, CID_LENGTH);
    // the test certificates name no host; the chain to the test CA is still verified
    c.set(DtlsConfig.DTLS_VERIFY_SERVER_CERTIFICATES_SUBJECT, false);
    c.set(DtlsConfig.DTLS_MAX_RETRANSMISSIONS, 2);
    c.set(DtlsConfig.DTLS_RETRANSMISSION_TIMEOUT, 500, TimeUnit.MILLISECONDS);
    return c;
  }

  public static CoapEndpoint psk(String identity, String key) {
    Configuration c = config();
    DtlsConnectorConfig dtls = DtlsConnectorConfig.builder(c)
        .setPskStore(new SinglePskStore(identity, key.getBytes(StandardCharsets.UTF_8)))
        .build();
    return endpoint(c, dtls);
  }

  /** A client presenting {@code me} and trusting server certificates signed by {@code trusted}. */
  public static CoapEndpoint x509(TestPki.Issued me, X509Certificate trusted) {
    Configuration c = config();
    DtlsConnectorConfig dtls = DtlsConnectorConfig.builder(c)
        .setCertificateIdentityProvider(new SingleCertificateProvider(me.privateKey(),
            new X509Certificate[] {me.certificate()}, CertificateType.X_509))
        .setCertificateVerifier(StaticCertificateVerifier.builder()
            .setTrustedCertificates(trusted).build())
        .build();
    return endpoint(c, dtls);
  }

  /** A client with a raw public key (RFC 7250) that accepts the server's raw public key. */
  public static CoapEndpoint rpk(TestPki.Issued me) {
    Configuration c = config();
    DtlsConnectorConfig dtls = DtlsConnectorConfig.builder(c)
        .setCertificateIdentityProvider(new SingleCertificateProvider(me.privateKey(), me.keys().getPublic()))
        .setCertificateVerifier(StaticCertificateVerifier.builder().setTrustAllRPKs().build())
        .build();
    return endpoint(c, dtls);
  }

  private static CoapEndpoint endpoint(Configuration c, DtlsConnectorConfig dtls) {
    return new CoapEndpoint.Builder().setConfiguration(c).setConnector(new DTLSConnector(dtls)).build();
  }
}
