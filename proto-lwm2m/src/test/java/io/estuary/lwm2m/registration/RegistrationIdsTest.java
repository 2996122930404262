package io.estuary.lwm2m.registration;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Registration ids: 16 characters of [0-9A-Za-z] from the generator given (a SecureRandom by default). */
class RegistrationIdsTest {
  @Test
  void ids_are_16_alphanumerics_all_distinct_and_use_the_whole_alphabet() {
    RegistrationIds ids = new RegistrationIds();
    Set<String> seen = new HashSet<>();
    Set<Character> chars = new HashSet<>();
    for (int i = 0; i < 2_000; i++) {
      String id = ids.getRegistrationId(null);
      assertThat(id).matches("[0-9A-Za-z]{16}");
      assertThat(seen.add(id)).as("distinct").isTrue();
      id.chars().forEach(c -> chars.add((char) c));
    }
    assertThat(chars).hasSize(62);
  }

  @Test
  void the_ids_come_from_the_generator_given() {
    String a = new RegistrationIds(new Random(7)).getRegistrationId(null);
    String b = new RegistrationIds(new Random(7)).getRegistrationId(null);
    assertThat(a).isEqualTo(b);
    assertThat(new RegistrationIds().getRegistrationId(null)).isNotEqualTo(a);
  }
}
