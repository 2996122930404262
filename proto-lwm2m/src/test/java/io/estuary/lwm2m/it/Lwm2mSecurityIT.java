package io.estuary.lwm2m.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue #12's LwM2M attacks with a real Leshan client: endpoint names that widen ACL placeholders or
 * name reserved sessions, and registrations the authenticator refuses. Each gets 4.03 (the client's
 * registration-failure callback records FORBIDDEN) before any session is opened or touched.
 */
@Timeout(90)
class Lwm2mSecurityIT {

  private static TestDevice device(Lwm2mHarness h, String ep) {
    InetSocketAddress lwm2m = h.gw.listener("lwm2m", "udp:default");
    TestDevice d = new TestDevice(ep, lwm2m, 300, false);
    h.open.add(d);
    return d.start();
  }

  @Test
  void an_endpoint_named_plus_is_refused_with_forbidden() throws Exception {
    try (Lwm2mHarness h = new Lwm2mHarness()) {
      h.neverRegisters(device(h, "+"), "FORBIDDEN");
      assertThat(h.gw.session("+")).isNull();
    }
  }

  @Test
  void endpoints_with_a_wildcard_slash_or_control_character_are_refused_with_forbidden() throws Exception {
    try (Lwm2mHarness h = new Lwm2mHarness()) {
      TestDevice hash = device(h, "dev#1");
      TestDevice slash = device(h, "site/dev");
      TestDevice bell = device(h, "dev\u0007bell");
      h.neverRegisters(hash, "FORBIDDEN");
      h.neverRegisters(slash, "FORBIDDEN");
      h.neverRegisters(bell, "FORBIDDEN");
    }
  }

  @Test
  void an_endpoint_named_like_the_uplinks_session_is_refused_and_opens_nothing() throws Exception {
    try (Lwm2mHarness h = new Lwm2mHarness()) {
      h.neverRegisters(device(h, "$uplink/cloud"), "FORBIDDEN");
      assertThat(h.gw.session("$uplink/cloud")).isNull();
    }
  }

  @Test
  void a_registration_the_authenticator_refuses_gets_forbidden() throws Exception {
    // the endpoint name is the username here, and gw-site1 is a superuser with a password: no password, no entry
    try (Lwm2mHarness h = new Lwm2mHarness(
        "authentication.users = [{ username = gw-site1, password = site-secret, superuser = true }]",
        "authentication.passwordless_protocols = [lwm2m]",
        "gateway.lwm2m.username_from = endpoint")) {
      h.neverRegisters(device(h, "gw-site1"), "FORBIDDEN");
      assertThat(h.gw.session("gw-site1")).isNull();
    }
  }

  @Test
  void a_registration_whose_endpoint_is_a_known_passwordless_user_is_admitted_with_that_username() throws Exception {
    try (Lwm2mHarness h = new Lwm2mHarness(
        "authentication { users = [{ username = dev-known }], passwordless_protocols = [lwm2m] }",
        "gateway.lwm2m.username_from = endpoint")) {
      device(h, "dev-known");
      h.mqtt.await("lwm2m/dev-known/up/resp", j -> j.path("msgType").asText().equals("register"));
      assertThat(h.gw.session("dev-known").username()).isEqualTo("dev-known");
    }
  }
  @Test
  void a_registration_id_is_16_random_alphanumerics_and_only_the_right_one_deregisters() throws Exception {
    try (Lwm2mHarness h = new Lwm2mHarness()) {
      InetSocketAddress lwm2m = h.gw.listener("lwm2m", "udp:default");
      org.eclipse.californium.core.CoapResponse a = Lwm2mLimitsIT.register(lwm2m, "rid-a", "</1/0>,</3/0>");
      org.eclipse.californium.core.CoapResponse b = Lwm2mLimitsIT.register(lwm2m, "rid-b", "</1/0>,</3/0>");
      String locationA = a.getOptions().getLocationPathString();
      String locationB = b.getOptions().getLocationPathString();
      assertThat(locationA).matches("rd/[0-9A-Za-z]{16}");
      assertThat(locationB).matches("rd/[0-9A-Za-z]{16}").isNotEqualTo(locationA);
      org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(15))
          .until(() -> h.factory.adapter.sessionReady("rid-a"));
      // a forged de-registration must name the id: a guess is 4.04, the device stays
      org.eclipse.californium.core.CoapClient guess =
          new org.eclipse.californium.core.CoapClient("coap://127.0.0.1:" + lwm2m.getPort() + "/rd/" + "A".repeat(16));
      // an endpoint of our own: Californium's default one would read and write Californium3.properties
      guess.setEndpoint(new org.eclipse.californium.core.network.CoapEndpoint.Builder()
          .setConfiguration(io.estuary.cf.CfSettings.DEFAULTS.toConfiguration()).build());
      try {
        assertThat(guess.delete().getCode())
            .isEqualTo(org.eclipse.californium.core.coap.CoAP.ResponseCode.NOT_FOUND);
      } finally {
        guess.shutdown();
      }
      assertThat(h.factory.adapter.sessionReady("rid-a")).isTrue();
    }
  }
}
