package io.estuary.lwm2m;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.estuary.testkit.TestConfigs;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class Lwm2mConfigTest {
  private static Lwm2mConfig read(String hocon) {
    return Lwm2mConfig.from(TestConfigs.adapterConfig("gateway.lwm2m", hocon));
  }

  @Test
  void defaults_follow_emqx() {
    Lwm2mConfig c = read("");
    assertThat(c.xmlDir()).isEqualTo("lwm2m_xml");
    assertThat(c.lifetimeMin()).isEqualTo(Duration.ofSeconds(15));
    assertThat(c.lifetimeMax()).isEqualTo(Duration.ofSeconds(86400));
    assertThat(c.qmodeTimeWindow()).isEqualTo(Duration.ofSeconds(22));
    assertThat(c.autoObserve()).isFalse();
    assertThat(c.publishUpdateAlways()).isFalse();
    assertThat(c.mountpointFor("dev1")).isEqualTo("lwm2m/dev1/");
    assertThat(c.translators()).isEqualTo(Translators.DEFAULTS);
    assertThat(c.udpListeners().get("default").getPort()).isEqualTo(5783);
  }

  @Test
  void overload_limits_have_protective_defaults_and_are_read_per_listener() {
    Lwm2mConfig d = read("");
    assertThat(d.maxObjectLinks()).isEqualTo(1024);
    assertThat(d.limits("udp:default").maxConnections()).isEqualTo(10_000);
    assertThat(d.limits("udp:default").maxConnRate()).isEqualTo(io.estuary.api.limits.Rate.parse("1000/s"));
    Lwm2mConfig c = read("gateway.lwm2m.listeners.udp.default { max_connections = 3, source_datagram_rate = \"10/s\" }\n"
        + "gateway.lwm2m.max_object_links = 8");
    assertThat(c.limits("udp:default").maxConnections()).isEqualTo(3);
    assertThat(c.limits("udp:default").sourceRate()).isEqualTo(io.estuary.api.limits.Rate.parse("10/s"));
    assertThat(c.maxObjectLinks()).isEqualTo(8);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> read("gateway.lwm2m.max_object_links = 0"))
        .hasMessageContaining("max_object_links");
    assertThat(d.knownSourceRule()).isEqualTo(io.estuary.cf.KnownSources.Rule.REACHABLE);
    assertThat(read("gateway.lwm2m.known_source_rule = answered").knownSourceRule())
        .isEqualTo(io.estuary.cf.KnownSources.Rule.ANSWERED);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> read("gateway.lwm2m.known_source_rule = any"))
        .hasMessageContaining("known_source_rule");
  }

  @Test
  void translators_can_be_overridden_one_by_one() {
    Lwm2mConfig c = read("gateway.lwm2m.translators.command = {topic = \"cmd\", qos = 1}");
    assertThat(c.translators().command()).isEqualTo(new Translator("cmd", 1));
    assertThat(c.translators().response()).isEqualTo(new Translator("up/resp", 0));
  }

  @Test
  void lifetime_max_below_lifetime_min_is_rejected() {
    assertThatThrownBy(() -> read("gateway.lwm2m { lifetime_min = 60s, lifetime_max = 30s }"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lifetime_max");
  }

  @Test
  void an_unknown_update_publish_condition_is_rejected() {
    assertThatThrownBy(() -> read("gateway.lwm2m.update_msg_publish_condition = sometimes"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("update_msg_publish_condition");
  }

  @Test
  void a_translator_topic_with_wildcards_is_rejected() {
    assertThatThrownBy(() -> read("gateway.lwm2m.translators.notify.topic = \"up/#\""))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("topic");
  }

  private static final String DTLS = "gateway.lwm2m.listeners.dtls.default { enable = true, bind = \"127.0.0.1:0\", "
      + "dtls_options { psk = [{ identity = a, key = b }], %s } }";
  private static final String EC_KEY = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAElQQ39R2csu9W8RXxZNNvlcBe68ZFAFE44/K6Re1k"
      + "uKcMG4LeMvGYNGrNra+KdWmpMidvA+Qbj9J5gYCtbulnbw==";

  @Test
  void rpk_entries_without_raw_public_keys_and_verify_peer_are_rejected() {
    assertThatThrownBy(() -> read(DTLS.formatted("rpk = [{ endpoint = ep1, key = \"" + EC_KEY + "\" }]")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("raw_public_keys = true and verify = verify_peer");
  }

  @Test
  void an_rpk_entry_with_a_bad_key_names_the_entry() {
    assertThatThrownBy(() -> read(DTLS.formatted("raw_public_keys = true, rpk = [{ endpoint = ep1, key = \"bm9wZQ==\" }]")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rpk[0]").hasMessageContaining("public key");
  }

  @Test
  void x509_endpoints_without_a_ca_and_verify_peer_are_rejected() {
    assertThatThrownBy(() -> read(DTLS.formatted("x509_endpoints = [ep1]")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("x509_endpoints");
  }

  @Test
  void the_bootstrap_server_is_off_by_default_and_reads_its_configs() {
    assertThat(read("").bootstrap().enabled()).isFalse();
    io.estuary.lwm2m.bootstrap.BootstrapSettings b = read("gateway.lwm2m.bootstrap { enable = true, "
        + "configs = [{ endpoint = m7, security = psk, psk_key = s3cret, lifetime = 60s },"
        + " { endpoint_pattern = \"sensor-.*\", queue_mode = true }] }").bootstrap();
    assertThat(b.udpListeners().get("default").getPort()).isEqualTo(5785);
    assertThat(b.entryFor("m7").security()).isEqualTo(io.estuary.lwm2m.bootstrap.BootstrapEntry.Security.PSK);
    assertThat(b.entryFor("m7").lifetime()).isEqualTo(Duration.ofSeconds(60));
    assertThat(b.entryFor("sensor-12").queueMode()).isTrue();
    assertThat(b.entryFor("sensor-12").security()).isEqualTo(io.estuary.lwm2m.bootstrap.BootstrapEntry.Security.NONE);
    assertThat(b.entryFor("other")).isNull();
  }

  @Test
  void a_bootstrap_config_needs_exactly_one_of_endpoint_and_pattern_and_no_fixed_key_on_a_pattern() {
    assertThatThrownBy(() -> read("gateway.lwm2m.bootstrap { enable = true, configs = [{ security = none }] }"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("exactly one of endpoint and endpoint_pattern");
    assertThatThrownBy(() -> read("gateway.lwm2m.bootstrap { enable = true, configs = [{ endpoint_pattern = \"a.*\","
        + " security = psk, psk_key = k }] }"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("psk_key");
    assertThatThrownBy(() -> read("gateway.lwm2m.bootstrap { enable = true, configs = [{ endpoint = a, security = tls }] }"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("security");
    assertThatThrownBy(() -> read("gateway.lwm2m.bootstrap { enable = true, configs = [{ endpoint_pattern = \"(\" }] }"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("endpoint_pattern");
  }

  @Test
  void rpk_and_x509_bootstrap_configs_read_their_device_keys_and_refuse_what_cannot_work(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
    io.estuary.testkit.TestPki pki = io.estuary.testkit.TestPki.create(dir, "ca");
    io.estuary.testkit.TestPki.Issued dev = pki.issue("x1");
    io.estuary.lwm2m.bootstrap.BootstrapSettings b = read("gateway.lwm2m.bootstrap { enable = true, configs = ["
        + "{ endpoint = x1, security = x509, certfile = \"" + dev.certFile() + "\", keyfile = \"" + dev.keyFile() + "\" },"
        + "{ endpoint_pattern = \"r-.*\", security = rpk }] }").bootstrap();
    assertThat(b.entryFor("x1").security()).isEqualTo(io.estuary.lwm2m.bootstrap.BootstrapEntry.Security.X509);
    assertThat(b.entryFor("x1").deviceKeys().certificate()).isEqualTo(dev.certificate());
    assertThat(b.entryFor("r-1").security()).isEqualTo(io.estuary.lwm2m.bootstrap.BootstrapEntry.Security.RPK);
    assertThat(b.entryFor("r-1").deviceKeys()).isNull(); // a fresh pair per bootstrap
    assertThatThrownBy(() -> read("gateway.lwm2m.bootstrap { enable = true, configs = [{ endpoint = x1, security = x509 }] }"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("certfile");
    assertThatThrownBy(() -> read("gateway.lwm2m.bootstrap { enable = true, configs = [{ endpoint_pattern = \"x.*\","
        + " security = x509, certfile = \"" + dev.certFile() + "\", keyfile = \"" + dev.keyFile() + "\" }] }"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("CN");
    // a PKCS#8 key holds no public key: public_key_file is needed
    assertThatThrownBy(() -> read("gateway.lwm2m.bootstrap { enable = true, configs = [{ endpoint = r1, security = rpk,"
        + " keyfile = \"" + dev.keyFile() + "\" }] }"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("public_key_file");
    assertThatThrownBy(() -> read("gateway.lwm2m.bootstrap { enable = true, configs = [{ endpoint = p1, security = psk,"
        + " certfile = \"" + dev.certFile() + "\" }] }"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("certfile");
    assertThatThrownBy(() -> read("gateway.lwm2m.bootstrap { enable = true, configs = [{ endpoint = r1, security = rpk,"
        + " keyfile = \"" + dir.resolve("missing.key") + "\" }] }"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("missing.key");
  }
}
