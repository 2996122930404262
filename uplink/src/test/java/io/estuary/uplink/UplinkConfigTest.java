package io.estuary.uplink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.estuary.api.QueuePolicy;
import io.estuary.testkit.TestConfigs;
import io.estuary.uplink.client.LinkOptions;
import io.estuary.uplink.mapping.ForwardRule;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class UplinkConfigTest {
  static List<UplinkConfig> parse(String hocon) {
    return UplinkConfig.parseAll(TestConfigs.adapterConfig("uplink", hocon), "n1");
  }

  @Test
  void the_uplink_password_is_never_printed() {
    UplinkConfig c = parse("uplink.cloud { enable = true, server = \"h:1\", username = u, password = \"uplink-pass-789\" }").get(0);
    assertThat(c.toString()).contains("username=u").doesNotContain("uplink-pass-789");
    assertThat(c.linkOptions().toString()).doesNotContain("uplink-pass-789");
  }

  @Test
  void the_shipped_example_is_disabled() {
    assertThat(parse("")).isEmpty();
  }

  @Test
  void reference_conf_defaults_equal_the_defaults_of_any_other_name() {
    List<UplinkConfig> both = parse("""
        uplink.cloud { enable = true, server = "h:1" }
        uplink.edge { server = "h:1" }
        """);
    UplinkConfig cloud = both.get(0);
    UplinkConfig edge = both.get(1);
    assertThat(cloud.name()).isEqualTo("cloud");
    assertThat(edge.name()).isEqualTo("edge");
    assertThat(new UplinkConfig("x", cloud.host(), cloud.port(), cloud.protoVer(), cloud.clientId(), cloud.cleanStart(),
        cloud.sessionExpiry(), cloud.keepalive(), cloud.username(), cloud.password(), cloud.ssl(), cloud.forwards(),
        cloud.subscriptions(), cloud.maxInflight(), cloud.maxMessages(), cloud.maxBytes(), cloud.maxAge(), cloud.overflow(), cloud.reconnect(), cloud.catchupRate(), cloud.statusInterval()).toString()
        .replace("uplink.cloud.ssl", "P"))
        .isEqualTo(new UplinkConfig("x", edge.host(), edge.port(), edge.protoVer(), edge.clientId(), edge.cleanStart(),
            edge.sessionExpiry(), edge.keepalive(), edge.username(), edge.password(), edge.ssl(), edge.forwards(),
            edge.subscriptions(), edge.maxInflight(), edge.maxMessages(), edge.maxBytes(), edge.maxAge(), edge.overflow(), edge.reconnect(), edge.catchupRate(), edge.statusInterval()).toString()
            .replace("uplink.edge.ssl", "P"));
    assertThat(edge.clientId()).isEqualTo("estuary-n1");
    assertThat(edge.protoVer()).isEqualTo(LinkOptions.MqttVersion.V5);
    assertThat(edge.sessionExpiry()).isEqualTo(Duration.ofHours(2));
    assertThat(edge.maxMessages()).isEqualTo(1_000_000);
    assertThat(edge.overflow()).isEqualTo(QueuePolicy.Overflow.DROP_OLDEST);
    assertThat(edge.maxBytes()).isEqualTo(256L * 1024 * 1024);
    assertThat(edge.maxAge()).isZero();
    assertThat(edge.statusInterval()).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void binds_the_full_example() {
    UplinkConfig c = parse("""
        uplink.cloud {
          enable = true
          server = "broker.example.com:8883"
          proto_ver = v4
          clientid = "gw-${node}"
          ssl { enable = true, verify_hostname = false }
          forwards = [{ filter = "devices/#", exclude = ["devices/x/#"], remote_topic = "site1/${topic}", qos = "${qos}", retain = clear }]
          subscriptions = [{ remote_filter = "site1/cmd/#", local_topic = "${topic}", qos = 2 }]
          buffer { max_messages = 10, max_bytes = 64KiB, max_age = 30m, overflow = drop_newest }
          reconnect { min = 2s, max = 10s }
          catchup_rate = 50
        }
        """).get(0);
    assertThat(c.host()).isEqualTo("broker.example.com");
    assertThat(c.port()).isEqualTo(8883);
    assertThat(c.protoVer()).isEqualTo(LinkOptions.MqttVersion.V4);
    assertThat(c.clientId()).isEqualTo("gw-n1");
    assertThat(c.ssl().enable()).isTrue();
    assertThat(c.ssl().verifyHostname()).isFalse();
    ForwardRule f = c.forwards().get(0);
    assertThat(f.qos()).isNull();
    assertThat(f.retain()).isEqualTo(ForwardRule.RetainMode.CLEAR);
    assertThat(f.exclude()).containsExactly("devices/x/#");
    assertThat(c.subscriptions().get(0).qos()).isEqualTo(2);
    assertThat(c.maxMessages()).isEqualTo(10);
    assertThat(c.overflow()).isEqualTo(QueuePolicy.Overflow.DROP_NEWEST);
    assertThat(c.maxBytes()).isEqualTo(64 * 1024);
    assertThat(c.maxAge()).isEqualTo(Duration.ofMinutes(30));
    assertThat(parse("uplink.a { server = \"h\", buffer.overflow = backpressure }").get(0).overflow())
        .isEqualTo(QueuePolicy.Overflow.BACKPRESSURE);
    assertThat(parse("uplink.a { server = \"h\", forwards = [{ filter = \"a/#\", remote_topic = \"x/${clientid}/${topic}\" }] }")
        .get(0).forwards().get(0).remoteTopic().render("a/b", "n", "dev1")).isEqualTo("x/dev1/a/b");
    assertThat(c.reconnect().min()).isEqualTo(Duration.ofSeconds(2));
    assertThat(c.catchupRate()).isEqualTo(50);
  }

  @Test
  void server_without_port_takes_the_mqtt_default_and_ipv6_is_bracketed() {
    assertThat(parse("uplink.a.server = \"h\"").get(0).port()).isEqualTo(1883);
    assertThat(parse("uplink.a { server = \"h\", ssl.enable = true }").get(0).port()).isEqualTo(8883);
    UplinkConfig v6 = parse("uplink.a.server = \"[::1]:1999\"").get(0);
    assertThat(v6.host()).isEqualTo("::1");
    assertThat(v6.port()).isEqualTo(1999);
  }

  @Test
  void invalid_values_name_the_key() {
    assertThatThrownBy(() -> parse("uplink.a { server = \"h:99999\" }")).hasMessageContaining("uplink.a.server");
    assertThatThrownBy(() -> parse("uplink.a { server = \"h\", proto_ver = v3 }")).hasMessageContaining("uplink.a.proto_ver");
    assertThatThrownBy(() -> parse("uplink.a { server = \"h\", forwards = [{ filter = \"a/#\", remote_topic = \"x/${client}\" }] }"))
        .hasMessageContaining("uplink.a.forwards[0].remote_topic").hasMessageContaining("${client}");
    assertThatThrownBy(() -> parse("uplink.a { server = \"h\", subscriptions = [{ remote_filter = \"a/#\", local_topic = \"x/${clientid}\" }] }"))
        .hasMessageContaining("uplink.a.subscriptions[0].local_topic").hasMessageContaining("${clientid}");
    assertThatThrownBy(() -> parse("uplink.a { server = \"h\", buffer.max_bytes = -1 }")).hasMessageContaining("uplink.a.buffer.max_bytes");
    assertThatThrownBy(() -> parse("uplink.a { server = \"h\", buffer.max_age = -1s }")).hasMessageContaining("uplink.a.buffer.max_age");
    assertThatThrownBy(() -> parse("uplink.a { server = \"h\", forwards = [{ filter = \"a/#/b\" }] }"))
        .hasMessageContaining("uplink.a.forwards[0].filter");
    assertThatThrownBy(() -> parse("uplink.a { server = \"h\", buffer.overflow = drop_all }")).hasMessageContaining("uplink.a.buffer.overflow");
    assertThatThrownBy(() -> parse("uplink.a { server = \"h\", ssl { certfile = \"c.pem\" } }")).hasMessageContaining("uplink.a.ssl");
    assertThatThrownBy(() -> parse("uplink.a { }")).hasMessageContaining("uplink.a.server");
    assertThatThrownBy(() -> parse("uplink.a { server = \"h\", status_interval = 1ms }")).hasMessageContaining("uplink.a.status_interval");
  }
}
