package io.estuary.core.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The hashes mosquitto_passwd (Debian's 2.0.11) wrote, checked here; and ours checked the same way. */
class PasswordHashesTest {
  // mosquitto_passwd -c -b pw alice secret
  static final String ALICE_7 = "$7$101$alnhYesur93TmZAm$ULxmJknQhLfpHgMhy/c+fRrZ9chrH2+8Ly6qqvByMHsPGxgeyefYl4zJbaEv8j20WzTe3ezulShUdC0qyo1xcA==";
  // mosquitto_passwd -H sha512 -b pw bob builder
  static final String BOB_6 = "$6$eguT+b9LDtsTWL2h$HqciUlQdhqOq7BEKGRFrchAntrP+oHOt0p2fq5CE5zdggOo4cr7GSJiSernqsTdfo0d4+POFgE6JuDXCxQWUIQ==";

  static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void mosquitto_pbkdf2_and_sha512_hashes_verify_with_the_right_password_only() {
    assertThat(PasswordHashes.verify(ALICE_7, b("secret"))).isTrue();
    assertThat(PasswordHashes.verify(ALICE_7, b("Secret"))).isFalse();
    assertThat(PasswordHashes.verify(BOB_6, b("builder"))).isTrue();
    assertThat(PasswordHashes.verify(BOB_6, b("builder "))).isFalse();
  }

  @Test
  void bcrypt_hashes_verify() {
    String h = org.bouncycastle.crypto.generators.OpenBSDBCrypt.generate("2b", "pw".toCharArray(), new byte[16], 4);
    assertThat(PasswordHashes.verify(h, b("pw"))).isTrue();
    assertThat(PasswordHashes.verify(h, b("px"))).isFalse();
  }

  @Test
  void hashes_we_write_verify_and_are_salted() {
    String a = PasswordHashes.pbkdf2("p\u00e4ss");
    assertThat(a).startsWith("$7$101$");
    assertThat(PasswordHashes.verify(a, b("p\u00e4ss"))).isTrue();
    assertThat(PasswordHashes.pbkdf2("p\u00e4ss")).isNotEqualTo(a);
    assertThat(PasswordHashes.verify(PasswordHashes.sha512("x"), b("x"))).isTrue();
  }

  @Test
  void malformed_and_unknown_entries_match_nothing() {
    for (String bad : new String[] {"", "plain", "$7$", "$7$abc$x$y", "$7$0$AAAA$AAAA", "$7$101$!!$!!", "$6$onlysalt",
        "$2b$04$short", "$9$x$y"}) {
      assertThat(PasswordHashes.verify(bad, b("plain"))).as(bad).isFalse();
    }
  }
}
