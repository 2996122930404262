package io.estuary.lwm2m.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.estuary.testkit.MemoryKeyValueSpace;
import java.nio.charset.StandardCharsets;
import org.eclipse.leshan.servers.security.InMemorySecurityStore;
import org.eclipse.leshan.servers.security.SecurityInfo;
import org.junit.jupiter.api.Test;

class ProvisionedCredentialsTest {
  private final MemoryKeyValueSpace kv = new MemoryKeyValueSpace();

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void a_provisioned_key_is_found_by_endpoint_and_identity_and_read_back_after_a_restart() {
    ProvisionedCredentials c = new ProvisionedCredentials(new InMemorySecurityStore(), kv);
    assertThat(c.provisionPsk("ep1", "id1", b("k1"))).isTrue();
    assertThat(c.getByIdentity("id1").getEndpoint()).isEqualTo("ep1");
    assertThat(c.getByEndpoint("ep1").getPreSharedKey()).isEqualTo(b("k1"));

    ProvisionedCredentials again = new ProvisionedCredentials(new InMemorySecurityStore(), kv);
    assertThat(again.load().toCompletableFuture().join()).isEqualTo(1);
    assertThat(again.getByIdentity("id1").getPreSharedKey()).isEqualTo(b("k1"));
  }

  @Test
  void a_new_bootstrap_replaces_the_key_and_frees_the_old_identity() {
    ProvisionedCredentials c = new ProvisionedCredentials(new InMemorySecurityStore(), kv);
    c.provisionPsk("ep1", "id1", b("k1"));
    c.provisionPsk("ep1", "id2", b("k2"));
    assertThat(c.getByIdentity("id1")).isNull();
    assertThat(c.getByEndpoint("ep1").getPskIdentity()).isEqualTo("id2");
  }

  @Test
  void configured_credentials_win_and_an_identity_of_another_endpoint_is_refused() throws Exception {
    InMemorySecurityStore configured = new InMemorySecurityStore();
    configured.add(SecurityInfo.newPreSharedKeyInfo("fixed", "fixed-id", b("secret")));
    ProvisionedCredentials c = new ProvisionedCredentials(configured, kv);
    assertThat(c.provisionPsk("fixed", "new-id", b("k"))).isFalse();
    assertThat(c.provisionPsk("other", "fixed-id", b("k"))).isFalse();
    assertThat(c.provisionPsk("ep1", "id1", b("k1"))).isTrue();
    assertThat(c.provisionPsk("ep2", "id1", b("k2"))).isFalse();
    assertThat(c.getByEndpoint("fixed").getPskIdentity()).isEqualTo("fixed-id");
    assertThat(kv.scan("psk/").toCompletableFuture().join()).containsOnlyKeys("psk/ep1");
  }

  @Test
  void a_provisioned_raw_public_key_or_x509_binding_is_read_back_and_replaces_an_earlier_psk() {
    ProvisionedCredentials c = new ProvisionedCredentials(new InMemorySecurityStore(), kv);
    java.security.PublicKey key = io.estuary.testkit.TestPki.ecKeys().getPublic();
    assertThat(c.provisionPsk("ep1", "id1", b("k1"))).isTrue();
    assertThat(c.provisionRpk("ep1", key)).isTrue();
    assertThat(c.getByIdentity("id1")).isNull(); // the old PSK identity no longer opens ep1
    assertThat(c.provisionX509("ep2")).isTrue();

    ProvisionedCredentials again = new ProvisionedCredentials(new InMemorySecurityStore(), kv);
    assertThat(again.load().toCompletableFuture().join()).isEqualTo(2);
    assertThat(again.getByEndpoint("ep1").getRawPublicKey()).isEqualTo(key);
    assertThat(again.getByEndpoint("ep2").useX509Cert()).isTrue();
  }

  @Test
  void configured_credentials_win_over_a_provisioned_raw_public_key_or_certificate() throws Exception {
    InMemorySecurityStore configured = new InMemorySecurityStore();
    configured.add(SecurityInfo.newPreSharedKeyInfo("fixed", "fixed-id", b("k")));
    ProvisionedCredentials c = new ProvisionedCredentials(configured, kv);
    assertThat(c.provisionRpk("fixed", io.estuary.testkit.TestPki.ecKeys().getPublic())).isFalse();
    assertThat(c.provisionX509("fixed")).isFalse();
    assertThat(kv.scan("psk/").toCompletableFuture().join()).isEmpty();
  }
}
