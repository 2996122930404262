package io.estuary.coap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.estuary.coap.support.CoapHarness;
import io.estuary.core.api.AuthResult;
import io.estuary.core.api.CloseReason;
import io.estuary.core.api.Message;
import io.estuary.core.api.MessageProperties;
import io.estuary.core.api.Payload;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.CoapHandler;
import org.eclipse.californium.core.CoapObserveRelation;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.coap.Request;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class CoapPubSubIT {

  @Test
  void connection_post_returns_token_put_is_heartbeat_delete_disconnects() throws Exception {
    try (CoapHarness h = new CoapHarness("connection_required = true")) {
      CoapResponse created = h.client("/mqtt/connection?clientid=dev1&username=u&password=p").post("", 0);
      assertThat(created.getCode()).isEqualTo(ResponseCode.CREATED);
      String token = created.getResponseText();
      assertThat(token).isNotBlank();
      assertThat(h.broker.session("dev1")).isNotNull();
      assertThat(h.broker.session("dev1").client.protocol()).isEqualTo("coap");

      assertThat(h.client("/mqtt/connection?clientid=dev1&token=" + token).put("", 0).getCode())
          .isEqualTo(ResponseCode.CHANGED);
      assertThat(h.client("/mqtt/connection?clientid=dev1&token=wrong").put("", 0).getCode())
          .isEqualTo(ResponseCode.UNAUTHORIZED);
      assertThat(h.client("/mqtt/connection?clientid=dev1&token=" + token).delete().getCode())
          .isEqualTo(ResponseCode.DELETED);
      assertThat(h.broker.closes).containsExactly(CloseReason.NORMAL);
      assertThat(h.client("/mqtt/connection?clientid=dev1&token=" + token).put("", 0).getCode())
          .isEqualTo(ResponseCode.UNAUTHORIZED);
    }
  }

  @Test
  void session_closes_when_heartbeat_lapses_and_stays_while_heartbeats_arrive() throws Exception {
    try (CoapHarness h = new CoapHarness("connection_required = true", "heartbeat = 400ms")) {
      String a = h.client("/mqtt/connection?clientid=alive").post("", 0).getResponseText();
      h.client("/mqtt/connection?clientid=silent").post("", 0);
      long until = System.nanoTime() + Duration.ofMillis(1500).toNanos();
      while (System.nanoTime() < until) {
        assertThat(h.client("/mqtt/connection?clientid=alive&token=" + a).put("", 0).getCode())
            .isEqualTo(ResponseCode.CHANGED);
        await().pollDelay(Duration.ofMillis(150)).until(() -> true);
      }
      await().atMost(Duration.ofSeconds(5)).until(() -> h.broker.session("silent") == null);
      assertThat(h.broker.closes).containsExactly(CloseReason.KEEPALIVE_TIMEOUT);
      assertThat(h.broker.session("alive")).isNotNull();
      assertThat(h.broker.count("coap.heartbeat.timeouts")).isEqualTo(1.0);
    }
  }

  @Test
  void connectionless_publish_carries_qos_retain_expiry_and_content_type() throws Exception {
    try (CoapHarness h = new CoapHarness()) {
      CoapResponse r = h.client("/ps/room%2F1/temp?clientid=c1&username=u&password=p&qos=2&retain=true&expiry=60")
          .post("{\"t\":21}", MediaTypeRegistry.APPLICATION_JSON);
      assertThat(r.getCode()).isEqualTo(ResponseCode.CHANGED);
      Message m = h.broker.published.get(0);
      assertThat(m.topic()).isEqualTo("room/1/temp");
      assertThat(m.qos()).isEqualTo(2);
      assertThat(m.retain()).isTrue();
      assertThat(m.properties().messageExpiryInterval()).isEqualTo(60L);
      assertThat(m.properties().contentType()).isEqualTo("application/json");
      assertThat(m.payload().asUtf8()).isEqualTo("{\"t\":21}");
      assertThat(h.broker.publishers.get(0).clientId()).isEqualTo("c1");
    }
  }

  @Test
  void publish_qos_follows_the_message_type_with_publish_qos_coap() throws Exception {
    try (CoapHarness h = new CoapHarness()) {
      CoapClient con = h.client("/ps/q?clientid=c1");
      con.put("a", 0);
      CoapClient non = h.client("/ps/q?clientid=c1");
      non.useNONs();
      assertThat(non.put("b", 0).getCode()).isEqualTo(ResponseCode.CHANGED);
      assertThat(h.broker.published).extracting(Message::qos).containsExactly(1, 0);
    }
  }

  @Test
  void connection_mode_publish_needs_clientid_and_token() throws Exception {
    try (CoapHarness h = new CoapHarness("connection_required = true", "mountpoint = \"coap/\"")) {
      assertThat(h.client("/ps/x?clientid=d").put("a", 0).getCode()).isEqualTo(ResponseCode.UNAUTHORIZED);
      String token = h.client("/mqtt/connection?clientid=d").post("", 0).getResponseText();
      assertThat(h.client("/ps/x?clientid=d&token=" + token).put("a", 0).getCode()).isEqualTo(ResponseCode.CHANGED);
      assertThat(h.broker.published).extracting(Message::topic).containsExactly("coap/x");
    }
  }

  @Test
  void observe_receives_mqtt_publishes_with_content_format_and_cancel_unsubscribes() throws Exception {
    try (CoapHarness h = new CoapHarness()) {
      List<CoapResponse> got = new CopyOnWriteArrayList<>();
      CoapClient c = h.client("/ps/sensors/+/temp?clientid=obs1");
      CoapObserveRelation rel = c.observe(handler(got));
      await().atMost(Duration.ofSeconds(5)).until(() -> h.broker.session("obs1") != null
          && h.broker.session("obs1").subscriptions.containsKey("sensors/+/temp"));
      await().atMost(Duration.ofSeconds(5)).until(() -> got.size() == 1); // the 2.05 that establishes it
      h.broker.publishFromMqtt(new Message("sensors/a/temp", Payload.utf8("21.5"), 0, false,
          MessageProperties.NONE.withContentType("text/plain;charset=utf-8"), 0));
      h.broker.publishFromMqtt(Message.of("sensors/b/temp", Payload.utf8("22.0"), 1, false));
      h.broker.publishFromMqtt(Message.of("sensors/b/hum", Payload.utf8("no"), 0, false));
      await().atMost(Duration.ofSeconds(5)).until(() -> got.size() == 3);
      assertThat(got.get(1).getResponseText()).isEqualTo("21.5");
      assertThat(got.get(1).getOptions().getContentFormat()).isEqualTo(MediaTypeRegistry.TEXT_PLAIN);
      assertThat(got.get(2).getResponseText()).isEqualTo("22.0");
      await().atMost(Duration.ofSeconds(5)).until(() -> !h.broker.session("obs1").acknowledged.isEmpty());

      rel.proactiveCancel();
      await().atMost(Duration.ofSeconds(5)).until(() -> h.broker.session("obs1").subscriptions.isEmpty());
    }
  }

  @Test
  void observe_gets_the_retained_message_first_and_plain_get_reads_it() throws Exception {
    try (CoapHarness h = new CoapHarness()) {
      h.broker.publishFromMqtt(new Message("cfg/dev", Payload.utf8("{}"), 1, true,
          MessageProperties.NONE.withContentType("application/json"), 0));
      CoapResponse r = h.client("/ps/cfg/dev?clientid=g").get();
      assertThat(r.getCode()).isEqualTo(ResponseCode.CONTENT);
      assertThat(r.getResponseText()).isEqualTo("{}");
      assertThat(r.getOptions().getContentFormat()).isEqualTo(MediaTypeRegistry.APPLICATION_JSON);
      assertThat(h.client("/ps/cfg/none?clientid=g").get().getCode()).isEqualTo(ResponseCode.NOT_FOUND);

      List<CoapResponse> got = new CopyOnWriteArrayList<>();
      h.client("/ps/cfg/%23?clientid=o").observe(handler(got));
      await().atMost(Duration.ofSeconds(5)).until(() -> got.size() == 2);
      assertThat(got.get(1).getResponseText()).isEqualTo("{}");
    }
  }

  @Test
  void coap_publish_reaches_an_observing_coap_client() throws Exception {
    try (CoapHarness h = new CoapHarness()) {
      List<CoapResponse> got = new CopyOnWriteArrayList<>();
      h.client("/ps/chat/%23?clientid=reader").observe(handler(got));
      await().atMost(Duration.ofSeconds(5)).until(() -> got.size() == 1);
      assertThat(h.client("/ps/chat/room1?clientid=writer").post("hi", MediaTypeRegistry.TEXT_PLAIN).getCode())
          .isEqualTo(ResponseCode.CHANGED);
      await().atMost(Duration.ofSeconds(5)).until(() -> got.size() == 2);
      assertThat(got.get(1).getResponseText()).isEqualTo("hi");
    }
  }

  @Test
  void block_wise_publish_of_64_KiB_arrives_whole_and_too_large_gets_4_13() throws Exception {
    try (CoapHarness h = new CoapHarness("max_body_size = 100KiB")) {
      byte[] body = new byte[64 * 1024];
      for (int i = 0; i < body.length; i++) {
        body[i] = (byte) ('a' + i % 26);
      }
      CoapResponse r = h.client("/ps/big?clientid=b").post(body, MediaTypeRegistry.APPLICATION_OCTET_STREAM);
      assertThat(r.getCode()).isEqualTo(ResponseCode.CHANGED);
      assertThat(h.broker.published.get(0).payload().toByteArray()).isEqualTo(body);

      CoapResponse tooLarge = h.client("/ps/big?clientid=b").post(new byte[120 * 1024], 0);
      assertThat(tooLarge.getCode()).isEqualTo(ResponseCode.REQUEST_ENTITY_TOO_LARGE);
    }
  }

  @Test
  void errors_unknown_path_bad_query_auth_and_wrong_method() throws Exception {
    try (CoapHarness h = new CoapHarness()) {
      assertThat(h.client("/nothing/here").get().getCode()).isEqualTo(ResponseCode.NOT_FOUND);
      assertThat(h.client("/ps/t?qos=7").put("x", 0).getCode()).isEqualTo(ResponseCode.BAD_REQUEST);
      assertThat(h.client("/ps/t/%23?clientid=x").put("x", 0).getCode()).isEqualTo(ResponseCode.BAD_REQUEST);
      assertThat(h.client("/ps?clientid=x").put("x", 0).getCode()).isEqualTo(ResponseCode.BAD_REQUEST);
      assertThat(h.client("/ps/t?clientid=x").delete().getCode()).isEqualTo(ResponseCode.METHOD_NOT_ALLOWED);
      assertThat(h.client("/ps/denied?clientid=x").put("x", 0).getCode()).isEqualTo(ResponseCode.FORBIDDEN);
      h.broker.authenticator = c -> "bad".equals(c.username()) ? AuthResult.badCredentials("no")
          : AuthResult.notAuthorized("banned");
      assertThat(h.client("/ps/t?clientid=x&username=bad").put("x", 0).getCode()).isEqualTo(ResponseCode.UNAUTHORIZED);
      assertThat(h.client("/ps/t?clientid=x&username=other").put("x", 0).getCode()).isEqualTo(ResponseCode.FORBIDDEN);
      assertThat(h.client("/mqtt/connection?clientid=x&username=bad").post("", 0).getCode())
          .isEqualTo(ResponseCode.UNAUTHORIZED);
      assertThat(h.broker.count("coap.drops")).isGreaterThanOrEqualTo(7.0);
    }
  }

  @Test
  void does_not_write_a_californium_properties_file() throws Exception {
    try (CoapHarness h = new CoapHarness()) {
      h.client("/ps/t?clientid=x").put("x", 0);
    }
    assertThat(new java.io.File("Californium3.properties")).doesNotExist();
  }

  static CoapHandler handler(List<CoapResponse> got) {
    return new CoapHandler() {
      @Override
      public void onLoad(CoapResponse response) {
        got.add(response);
      }

      @Override
      public void onError() {}
    };
  }

  static String text(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  static Request unused() {
    return null;
  }
}
