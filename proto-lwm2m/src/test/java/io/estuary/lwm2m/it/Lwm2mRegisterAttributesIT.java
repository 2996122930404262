package io.estuary.lwm2m.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.estuary.cf.CfSettings;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A register's extra query attributes (beyond ep, lt, lwm2m, b, sms, Q) reach the {@code register} event, as
 * EMQX passes them on. Leshan 2.0.0-M18 no longer keeps them on the registration; the gateway's register
 * authorizer keeps them as the registration's custom data.
 */
@Timeout(60)
class Lwm2mRegisterAttributesIT {
  @Test
  void an_extra_register_attribute_is_in_the_register_event() throws Exception {
    try (Lwm2mHarness h = new Lwm2mHarness()) {
      InetSocketAddress lwm2m = h.gw.listener("lwm2m", "udp:default");
      CoapClient c = new CoapClient("coap://127.0.0.1:" + lwm2m.getPort()
          + "/rd?ep=attr-dev&lt=300&lwm2m=1.1&imei=356938035643809");
      c.setEndpoint(new CoapEndpoint.Builder().setConfiguration(CfSettings.DEFAULTS.toConfiguration()).build());
      try {
        assertThat(c.post("</1/0>,</3/0>", MediaTypeRegistry.APPLICATION_LINK_FORMAT).getCode())
            .isEqualTo(ResponseCode.CREATED);
      } finally {
        c.shutdown();
      }
      JsonNode reg = h.mqtt.await("lwm2m/attr-dev/up/resp", j -> j.path("msgType").asText().equals("register"),
          Duration.ofSeconds(15));
      assertThat(reg.at("/data/imei").asText()).isEqualTo("356938035643809");
      assertThat(reg.at("/data/lt").asLong()).isEqualTo(300);
    }
  }
}
