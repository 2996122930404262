package io.estuary.cf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.elements.config.Configuration;
import org.junit.jupiter.api.Test;

class CfSettingsTest {

  @Test
  void defaults_bound_the_dedup_store_per_peer() {
    Configuration c = CfSettings.DEFAULTS.toConfiguration();
    assertThat(c.get(CoapConfig.DEDUPLICATOR)).isEqualTo(CoapConfig.DEDUPLICATOR_PEERS_MARK_AND_SWEEP);
    assertThat(c.get(CoapConfig.PEERS_MARK_AND_SWEEP_MESSAGES)).isEqualTo(64);
    assertThat(c.get(CoapConfig.EXCHANGE_LIFETIME, TimeUnit.SECONDS)).isEqualTo(247L);
    assertThat(c.get(CoapConfig.NON_LIFETIME, TimeUnit.SECONDS)).isEqualTo(145L);
    assertThat(c.get(CoapConfig.MAX_ACTIVE_PEERS)).isEqualTo(10_000);
  }

  @Test
  void deduplicator_names_parse_in_config_spelling() {
    assertThat(Deduplicator.parse("peers-mark-and-sweep")).isEqualTo(Deduplicator.PEERS_MARK_AND_SWEEP);
    assertThat(Deduplicator.parse("crop_rotation")).as("Californium 4 has no crop rotation").isNull();
    assertThat(Deduplicator.parse("NONE")).isEqualTo(Deduplicator.NONE);
    assertThat(Deduplicator.parse("x")).isNull();
  }

  @Test
  void invalid_block_size_is_refused() {
    assertThatThrownBy(() -> new CfSettings(1, 1, 1, 1, Deduplicator.NONE, java.time.Duration.ofSeconds(1), 1,
        java.time.Duration.ofSeconds(1), 1, java.time.Duration.ofSeconds(1), java.time.Duration.ofSeconds(1), 1, 1000,
        1152, 1024, 10, 10)).hasMessageContaining("preferred_block_size");
  }
}
