package io.estuary.lwm2m.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * RFC 9146 DTLS Connection ID on the LwM2M DTLS listener: a Leshan client behind a {@link UdpNat} keeps
 * its DTLS session when the NAT gives it a new source port, because its records carry the connection id
 * the gateway handed out ({@code dtls_options.connection_id_length}, default 6).
 */
@Timeout(60)
class Lwm2mDtlsConnectionIdIT {
  private static final String PSK = "dtls_options.psk = [{identity = \"dev-cid\", key = \"s3cret\"}]";

  private static Lwm2mHarness gateway(String dtlsOptions) {
    return new Lwm2mHarness(
        "gateway.lwm2m.update_msg_publish_condition = always",
        "gateway.lwm2m.command_timeout = 5s",
        "gateway.lwm2m.listeners.dtls.default { enable = true, bind = \"127.0.0.1:0\", " + dtlsOptions + " }");
  }

  /** A device with CID support behind a NAT, registered over DTLS. */
  private static TestDevice registeredBehind(Lwm2mHarness h, UdpNat nat) {
    TestDevice d = TestDevice.pskWithConnectionId("dev-cid", nat.address(), "dev-cid", "s3cret", 0);
    h.open.add(d);
    d.start();
    h.mqtt.await("lwm2m/dev-cid/up/resp", j -> j.path("msgType").asText().equals("register"));
    await().atMost(Duration.ofSeconds(10)).until(() -> h.factory.adapter.sessionReady("dev-cid"));
    return d;
  }

  private static List<Integer> contentTypes(List<UdpNat.Datagram> datagrams) {
    return datagrams.stream().map(UdpNat.Datagram::contentType).toList();
  }

  @Test
  void a_device_whose_nat_rebinds_keeps_its_dtls_session_and_takes_commands_at_its_new_port() throws Exception {
    try (Lwm2mHarness h = gateway(PSK); UdpNat nat = new UdpNat(h.gw.listener("lwm2m", "dtls:default"))) {
      TestDevice d = registeredBehind(h, nat);
      long handshakes = nat.clientHellos();
      assertThat(handshakes).isPositive();
      int before = nat.outsidePort();
      // the register went out with the gateway's connection id: tls12_cid records
      assertThat(contentTypes(nat.through(before).stream().filter(UdpNat.Datagram::up).toList()))
          .contains(UdpNat.TLS12_CID);

      nat.rebind();
      int after = nat.outsidePort();
      assertThat(after).isNotEqualTo(before);
      d.client.triggerRegistrationUpdate();
      h.mqtt.await("lwm2m/dev-cid/up/update", j -> j.path("msgType").asText().equals("update"));

      // the gateway now sends to the new port: the read reaches the device and its answer is accepted
      h.mqtt.command("dev-cid", "{\"reqID\":1,\"msgType\":\"read\",\"data\":{\"path\":\"/3/0/0\"}}");
      JsonNode r = h.mqtt.response("dev-cid", 1);
      assertThat(r.at("/data/code").asText()).as(r.toString()).isEqualTo("2.05");
      assertThat(r.at("/data/content/0/value").asText()).isEqualTo("Estuary");

      // on the same DTLS session: no handshake since the rebinding, every record from the device has the id
      assertThat(nat.clientHellos()).isEqualTo(handshakes);
      List<UdpNat.Datagram> since = nat.through(after);
      assertThat(contentTypes(since.stream().filter(UdpNat.Datagram::up).toList()))
          .hasSizeGreaterThanOrEqualTo(2) // the update and the read's response
          .containsOnly(UdpNat.TLS12_CID);
      assertThat(since.stream().filter(g -> !g.up()).toList()).as("the gateway's answers and its read").isNotEmpty();
    }
  }

  @Test
  void without_a_gateway_connection_id_the_rebound_device_is_not_heard_on_its_old_session() throws Exception {
    try (Lwm2mHarness h = gateway(PSK + ", dtls_options.connection_id_length = 0");
        UdpNat nat = new UdpNat(h.gw.listener("lwm2m", "dtls:default"))) {
      TestDevice d = registeredBehind(h, nat);
      long handshakes = nat.clientHellos();
      // the gateway handed out no id: the device's records are plain application data, bound to the address
      assertThat(contentTypes(nat.through(nat.outsidePort()).stream().filter(UdpNat.Datagram::up).toList()))
          .doesNotContain(UdpNat.TLS12_CID).contains(UdpNat.APPLICATION_DATA);

      nat.rebind();
      int after = nat.outsidePort();
      d.client.triggerRegistrationUpdate();
      await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3))
          .until(() -> h.mqtt.find("lwm2m/dev-cid/up/update", j -> true) == null);
      assertThat(nat.through(after)).as("the update reached the gateway").anyMatch(UdpNat.Datagram::up);
      assertThat(nat.through(after)).as("and got no answer").noneMatch(g -> !g.up());
      assertThat(nat.clientHellos()).isEqualTo(handshakes);
    }
  }
}
