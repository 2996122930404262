package io.estuary.cf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.estuary.testkit.TestPki;
import io.estuary.api.AdapterConfig;
import io.estuary.testkit.TestConfigs;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.Base64;
import org.eclipse.californium.scandium.dtls.CertificateMessage;
import org.eclipse.californium.scandium.dtls.CertificateVerificationResult;
import org.eclipse.californium.elements.auth.PreSharedKeyIdentity;
import org.eclipse.californium.elements.auth.X509CertPath;
import org.eclipse.californium.elements.config.CertificateAuthenticationMode;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DtlsSettingsTest {
  @TempDir Path dir;

  private static AdapterConfig block(String hocon) {
    return TestConfigs.block("gateway.coap.listeners.dtls.default.dtls_options", hocon);
  }

  @Test
  void psk_table_and_psk_file_are_merged_and_secrets_never_printed() throws Exception {
    Path file = dir.resolve("psk.txt");
    Files.writeString(file, "# EMQX init_file format\ndev2:file-secret\n\n");
    DtlsSettings s = DtlsSettings.from(block("""
        psk = [{ identity = dev1, key = "table-secret" }, { identity = dev3, key_hex = "00ff" }]
        psk_file = "%s"
        identity_as = clientid
        """.formatted(file)));
    assertThat(s.psk()).containsOnlyKeys("dev1", "dev2", "dev3");
    assertThat(new String(s.psk().get("dev2"), StandardCharsets.UTF_8)).isEqualTo("file-secret");
    assertThat(s.psk().get("dev3")).containsExactly(0x00, 0xff);
    assertThat(s.identityAs()).isEqualTo(IdentityAs.CLIENTID);
    assertThat(s.connectionIdLength()).isEqualTo(6);
    assertThat(s.toString()).doesNotContain("secret");

    Configuration cf = s.configuration(CfSettings.DEFAULTS.toConfiguration());
    assertThat(cf.get(DtlsConfig.DTLS_CONNECTION_ID_LENGTH)).isEqualTo(6);
    DtlsConnectorConfig cc = s.connectorConfig(cf, new InetSocketAddress("127.0.0.1", 0));
    assertThat(cc.getPskStore()).isNotNull();
    assertThat(cc.getCertificateIdentityProvider()).isNull();
  }

  @Test
  void a_listener_without_any_credentials_is_refused_with_its_path() {
    assertThatThrownBy(() -> DtlsSettings.from(block("verify = verify_none")))
        .hasMessageContaining("dtls_options").hasMessageContaining("psk");
    assertThatThrownBy(() -> DtlsSettings.from(block("psk = [{ identity = a, key = b }], identity_as = cn")))
        .hasMessageContaining("identity_as");
    assertThatThrownBy(() -> DtlsSettings.from(block("psk_file = \"/no/such/file\"")))
        .hasMessageContaining("psk_file");
  }

  @Test
  void pem_certificate_key_and_ca_are_read_and_client_certificates_required() {
    TestPki pki = TestPki.create(dir, "test-ca");
    TestPki.Issued server = pki.issue("server");
    DtlsSettings s = DtlsSettings.from(block("""
        certfile = "%s", keyfile = "%s", cacertfile = "%s"
        verify = verify_peer, fail_if_no_peer_cert = true
        """.formatted(server.certFile(), server.keyFile(), pki.ca().certFile())));
    assertThat(s.certificateChain()).hasSize(1);
    assertThat(s.trustedCertificates()).extracting(c -> c.getSubjectX500Principal().getName()).singleElement()
        .asString().contains("CN=test-ca");
    assertThat(s.clientAuth()).isEqualTo(CertificateAuthenticationMode.NEEDED);
    DtlsConnectorConfig cc = s.connectorConfig(s.configuration(CfSettings.DEFAULTS.toConfiguration()),
        new InetSocketAddress("127.0.0.1", 0));
    assertThat(cc.getCertificateIdentityProvider()).isNotNull();
    assertThat(cc.getCertificateVerifier()).isNotNull();
  }

  @Test
  void verify_peer_without_a_ca_or_raw_public_keys_is_refused() {
    TestPki.Issued server = TestPki.selfSigned(dir, "alone");
    assertThatThrownBy(() -> DtlsSettings.from(block("""
        certfile = "%s", keyfile = "%s", verify = verify_peer
        """.formatted(server.certFile(), server.keyFile())))).hasMessageContaining("cacertfile");
  }

  private String rpkBlock(TestPki.Issued server, String extra) {
    return "certfile = \"%s\", keyfile = \"%s\", raw_public_keys = true, verify = verify_peer%s"
        .formatted(server.certFile(), server.keyFile(), extra);
  }

  /** What the listener's verifier answers a client presenting {@code key} as its raw public key. */
  private static CertificateVerificationResult presentRpk(DtlsSettings s, PublicKey key) {
    DtlsConnectorConfig cc = s.connectorConfig(s.configuration(CfSettings.DEFAULTS.toConfiguration()),
        new InetSocketAddress("127.0.0.1", 0));
    return cc.getCertificateVerifier().verifyCertificate(new org.eclipse.californium.scandium.dtls.ConnectionId(new byte[] {1}), null, new InetSocketAddress("127.0.0.1", 5684),
        true, false, false, new CertificateMessage(key));
  }

  @Test
  void raw_public_keys_with_verify_peer_and_no_trust_list_refuses_to_start_naming_trusted_rpks() {
    TestPki.Issued server = TestPki.create(dir, "ca").issue("server");
    assertThatThrownBy(() -> DtlsSettings.from(block(rpkBlock(server, ""))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("gateway.coap.listeners.dtls.default.dtls_options.trusted_rpks");
  }

  @Test
  void only_the_listed_raw_public_keys_are_accepted() throws Exception {
    TestPki.Issued server = TestPki.create(dir, "ca").issue("server");
    KeyPair trusted = TestPki.ecKeys();
    KeyPair fromFile = TestPki.ecKeys();
    KeyPair stranger = TestPki.ecKeys();
    Path file = dir.resolve("trusted.pub");
    Files.writeString(file, "-----BEGIN PUBLIC KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(fromFile.getPublic().getEncoded())
        + "\n-----END PUBLIC KEY-----\n");
    DtlsSettings s = DtlsSettings.from(block(rpkBlock(server, ", trusted_rpks = [\"%s\"], trusted_rpks_file = \"%s\""
        .formatted(Base64.getEncoder().encodeToString(trusted.getPublic().getEncoded()), file))));
    assertThat(s.trustedRawPublicKeys()).hasSize(2);
    assertThat(presentRpk(s, trusted.getPublic()).getException()).isNull();
    assertThat(presentRpk(s, fromFile.getPublic()).getException()).isNull();
    assertThat(presentRpk(s, stranger.getPublic()).getException()).as("a key nobody listed").isNotNull();
  }

  @Test
  void the_caller_may_bind_raw_public_keys_itself_as_lwm2m_does() {
    TestPki.Issued server = TestPki.create(dir, "ca").issue("server");
    assertThat(DtlsSettings.from(block(rpkBlock(server, "")), true).rawPublicKeys()).isTrue();
  }

  @Test
  void peer_name_is_the_psk_identity_or_the_certificate_cn() {
    TestPki pki = TestPki.create(dir, "ca");
    assertThat(DtlsSettings.peerName(new PreSharedKeyIdentity("dev-7"))).isEqualTo("dev-7");
    assertThat(DtlsSettings.peerName(X509CertPath.fromCertificatesChain(pki.issue("meter-42").certificate())))
        .isEqualTo("meter-42");
    assertThat(DtlsSettings.peerName(null)).isNull();
  }
}
