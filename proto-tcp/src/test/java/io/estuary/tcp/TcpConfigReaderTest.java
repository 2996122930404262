package io.estuary.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.estuary.tcp.TcpConfig.IdentitySource;
import io.estuary.tcp.codec.Framing;
import io.estuary.testkit.TestConfigs;
import java.nio.ByteOrder;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** gateway.tcp as the gateway binds it: reference.conf defaults, named listeners, and errors naming the key. */
class TcpConfigReaderTest {
  private static TcpConfig read(String hocon) {
    return TcpConfigReader.read(TestConfigs.adapterConfig("gateway.tcp", hocon));
  }

  @Test
  void defaults_are_emqx_framing_on_8090_and_tls_on_8091_with_emqx_topics() {
    TcpConfig c = read("");
    assertThat(c.upTopic()).isEqualTo("tcp/%c/up");
    assertThat(c.dnTopic()).isEqualTo("tcp/%c/dn");
    assertThat(c.idleTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.listeners()).extracting(TcpConfig.Listener::id).containsExactly("tcp:default", "ssl:default");
    assertThat(c.listeners().get(0).bind().getPort()).isEqualTo(8090);
    assertThat(c.listeners().get(1).bind().getPort()).isEqualTo(8091);
    assertThat(c.listeners()).allMatch(l -> l.framing() == null && !l.proxyProtocol());
    assertThat(c.listeners().get(1).tls().selfSigned()).isTrue();
  }

  @Test
  void a_named_listener_takes_the_documented_defaults_for_what_it_leaves_out() {
    TcpConfig c = read("""
        gateway.tcp.listeners.tcp.dev { bind = 9000, framing { type = length_field }, identity { from = hello_regex, regex = "id=(\\\\w+)" } }
        """);
    TcpConfig.Listener l = c.listeners().stream().filter(x -> x.name().equals("dev")).findFirst().orElseThrow();
    assertThat(l.framing()).isEqualTo(new Framing.LengthField(0, 2, ByteOrder.BIG_ENDIAN, 0, 2, 65535));
    assertThat(l.identity().source()).isEqualTo(IdentitySource.HELLO_REGEX);
    assertThat(l.identity().regex().pattern()).isEqualTo("id=(\\w+)");
    assertThat(l.maxConnections()).isEqualTo(1_024_000);
    assertThat(l.proxyProtocolTimeout()).isEqualTo(Duration.ofSeconds(3));
  }

  @Test
  void delimiters_take_strings_with_escapes_and_hex() {
    TcpConfig c = read("""
        gateway.tcp.listeners.tcp.default.framing { type = delimiter, delimiters = ["\\r\\n", "hex:7e"] }
        """);
    Framing.Delimiter d = (Framing.Delimiter) c.listeners().get(0).framing();
    assertThat(d.delimiters()).containsExactly(new byte[] {13, 10}, new byte[] {0x7e});
  }

  @Test
  void errors_name_the_key_and_what_was_expected() {
    assertThatThrownBy(() -> read("gateway.tcp.up_qos = 3")).hasMessageContaining("gateway.tcp.up_qos");
    assertThatThrownBy(() -> read("gateway.tcp.max_packet_size = 70000")).hasMessageContaining("max_packet_size");
    assertThatThrownBy(() -> read("gateway.tcp.up_topic = \"a/#\"")).hasMessageContaining("up_topic");
    assertThatThrownBy(() -> read("gateway.tcp.listeners.udp.x.bind = 1")).hasMessageContaining("tcp or ssl");
    assertThatThrownBy(() -> read("gateway.tcp.listeners.tcp.default.framing.type = slip"))
        .hasMessageContaining("framing.type");
    assertThatThrownBy(() -> read("gateway.tcp.listeners.tcp.default.framing { type = length_field, length_field.size = 5 }"))
        .hasMessageContaining("length_field.size");
    assertThatThrownBy(() -> read("gateway.tcp.listeners.tcp.default.framing { type = length_field, length_field { size = 2, strip = 1 } }"))
        .hasMessageContaining("strip");
    assertThatThrownBy(() -> read("gateway.tcp.listeners.tcp.default { framing.type = line, identity.from = certificate_cn }"))
        .hasMessageContaining("identity.from");
    assertThatThrownBy(() -> read("gateway.tcp.listeners.tcp.default { framing.type = line, identity { from = hello_regex, regex = \"(\" } }"))
        .hasMessageContaining("regex");
    assertThatThrownBy(() -> read("gateway.tcp.listeners.tcp.default.framing { type = delimiter, delimiters = [\"hex:7\"] }"))
        .hasMessageContaining("delimiters");
  }
}
