package io.estuary.coap;

import io.estuary.api.AdapterConfig;
import io.estuary.testkit.TestConfigs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.estuary.cf.Deduplicator;
import io.estuary.cf.KnownSources;
import io.estuary.coap.mapping.NotifyType;
import io.estuary.coap.mapping.QosPolicy;
import java.time.Duration;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.elements.config.Configuration;
import org.junit.jupiter.api.Test;

class CoapGatewayConfigTest {
  /** gateway.coap from reference.conf with {@code overrides} (full paths) laid over it. */
  private static AdapterConfig coap(String... overrides) {
    return TestConfigs.adapterConfig("gateway.coap", String.join("\n", overrides));
  }


  @Test
  void reference_defaults_are_emqx_defaults() {
    CoapGatewayConfig c = CoapGatewayConfig.from(coap());
    assertThat(c.connectionRequired()).isFalse();
    assertThat(c.heartbeat()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.notifyType()).isEqualTo(NotifyType.QOS);
    assertThat(c.publishQos()).isEqualTo(QosPolicy.COAP);
    assertThat(c.subscribeQos()).isEqualTo(QosPolicy.COAP);
    assertThat(c.udpListeners().get("default").getPort()).isEqualTo(5683);
    assertThat(c.maxBodySize()).isEqualTo(64 * 1024);
    assertThat(c.californium().deduplicator()).isEqualTo(Deduplicator.CAPPED);
    assertThat(c.californium().maxDedupEntries()).isEqualTo(2_000);
  }

  @Test
  void overload_limits_have_protective_defaults_and_are_read_per_listener() {
    CoapGatewayConfig d = CoapGatewayConfig.from(coap());
    assertThat(d.limits("udp:default")).isEqualTo(io.estuary.cf.ListenerLimits.DEFAULTS);
    assertThat(d.limits("udp:default").maxConnections()).isEqualTo(10_000);
    assertThat(d.limits("udp:default").sourceRate()).isEqualTo(io.estuary.api.limits.Rate.parse("500/s"));
    assertThat(d.maxTopicLength()).isEqualTo(1024);
    assertThat(d.maxTopicLevels()).isEqualTo(128);
    assertThat(d.maxObservations()).isEqualTo(32);
    assertThat(d.maxUnansweredNotifications()).isEqualTo(100);
    assertThat(d.knownSourceRule()).isEqualTo(KnownSources.Rule.REACHABLE);
    assertThat(CoapGatewayConfig.from(coap("gateway.coap.known_source_rule = answered")).knownSourceRule())
        .isEqualTo(KnownSources.Rule.ANSWERED);

    CoapGatewayConfig c = CoapGatewayConfig.from(coap(
        "gateway.coap.listeners.udp.default { max_connections = 5, max_conn_rate = \"10/m\", messages_rate = 100 }"));
    assertThat(c.limits("udp:default").maxConnections()).isEqualTo(5);
    assertThat(c.limits("udp:default").maxConnRate()).isEqualTo(io.estuary.api.limits.Rate.parse("10/m"));
    assertThat(c.limits("udp:default").messagesRate().perSecond()).isEqualTo(100.0);
    assertThat(c.limits("udp:default").bytesRate().isInfinite()).isTrue();
  }

  @Test
  void a_bad_rate_or_limit_names_its_key() {
    assertThatThrownBy(() -> CoapGatewayConfig.from(coap("gateway.coap.listeners.udp.default.source_datagram_rate = fast")))
        .hasMessageContaining("source_datagram_rate");
    assertThatThrownBy(() -> CoapGatewayConfig.from(coap("gateway.coap.listeners.udp.default.max_connections = 0")))
        .hasMessageContaining("max_connections");
    assertThatThrownBy(() -> CoapGatewayConfig.from(coap("gateway.coap.max_observations = 0")))
        .hasMessageContaining("max_observations");
    assertThatThrownBy(() -> CoapGatewayConfig.from(coap("gateway.coap.known_source_rule = trusted")))
        .hasMessageContaining("known_source_rule").hasMessageContaining("reachable or answered");
  }

  @Test
  void californium_configuration_is_built_from_config_not_from_a_file() {
    CoapGatewayConfig c = CoapGatewayConfig.from(coap(
        "gateway.coap.californium { deduplicator = mark_and_sweep, exchange_lifetime = 60s, protocol_threads = 3 }",
        "gateway.coap.max_body_size = 128KiB"));
    Configuration cf = c.californium().toConfiguration();
    assertThat(cf.get(CoapConfig.DEDUPLICATOR)).isEqualTo(CoapConfig.DEDUPLICATOR_MARK_AND_SWEEP);
    assertThat(cf.get(CoapConfig.EXCHANGE_LIFETIME, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(60L);
    assertThat(cf.get(CoapConfig.PROTOCOL_STAGE_THREAD_COUNT)).isEqualTo(3);
    assertThat(cf.get(CoapConfig.MAX_RESOURCE_BODY_SIZE)).isEqualTo(128 * 1024);
  }

  @Test
  void bad_values_name_the_key() {
    assertThatThrownBy(() -> CoapGatewayConfig.from(coap("gateway.coap.notify_type = maybe")))
        .hasMessageContaining("gateway.coap.notify_type").hasMessageContaining("non, con, qos");
    assertThatThrownBy(() -> CoapGatewayConfig.from(coap("gateway.coap.publish_qos = qos7")))
        .hasMessageContaining("gateway.coap.publish_qos");
    assertThatThrownBy(() -> CoapGatewayConfig.from(coap(
        "gateway.coap.californium.deduplicator = magic"))).hasMessageContaining("deduplicator");
    assertThatThrownBy(() -> CoapGatewayConfig.from(coap(
        "gateway.coap.listeners.udp.default.bind = \"host:99999\""))).hasMessageContaining("bind");
  }

  @Test
  void bind_accepts_a_bare_port() {
    CoapGatewayConfig c = CoapGatewayConfig.from(coap("gateway.coap.listeners.udp.default.bind = 15683"));
    assertThat(c.udpListeners().get("default").getPort()).isEqualTo(15683);
  }

  @Test
  void dtls_listener_is_off_by_default_and_reads_its_dtls_options_when_enabled() {
    assertThat(CoapGatewayConfig.from(coap()).dtlsListeners()).isEmpty();
    CoapGatewayConfig c = CoapGatewayConfig.from(coap("""
        gateway.coap.listeners.dtls.default { enable = true, dtls_options {
          psk = [{ identity = d1, key = k1 }], identity_as = username, connection_id_length = 4 } }
        """));
    var l = c.dtlsListeners().get("default");
    assertThat(l.bind().getPort()).isEqualTo(5684);
    assertThat(l.settings().psk()).containsOnlyKeys("d1");
    assertThat(l.settings().identityAs()).isEqualTo(io.estuary.cf.IdentityAs.USERNAME);
    assertThat(l.settings().connectionIdLength()).isEqualTo(4);
  }

  @Test
  void enabled_dtls_listener_without_credentials_fails_with_its_path() {
    assertThatThrownBy(() -> CoapGatewayConfig.from(coap(
        "gateway.coap.listeners.dtls.default.enable = true")))
        .hasMessageContaining("gateway.coap.listeners.dtls.default.dtls_options").hasMessageContaining("psk");
  }
}
