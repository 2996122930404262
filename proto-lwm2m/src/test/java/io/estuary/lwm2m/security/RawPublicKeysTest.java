package io.estuary.lwm2m.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class RawPublicKeysTest {
  @Test
  void bare_base64_and_pem_armour_give_the_same_ec_key() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    PublicKey key = g.generateKeyPair().getPublic();
    String b64 = Base64.getEncoder().encodeToString(key.getEncoded());
    String pem = "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(key.getEncoded())
        + "\n-----END PUBLIC KEY-----\n";
    assertThat(RawPublicKeys.parse(b64)).isEqualTo(key);
    assertThat(RawPublicKeys.parse(pem)).isEqualTo(key);
  }

  @Test
  void text_that_is_no_public_key_is_rejected_with_a_reason() {
    assertThatThrownBy(() -> RawPublicKeys.parse("not base64!")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("base64");
    assertThatThrownBy(() -> RawPublicKeys.parse("bm9wZQ==")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("public key");
  }
}
