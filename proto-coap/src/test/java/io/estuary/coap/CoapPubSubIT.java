package io.estuary.coap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.estuary.coap.support.CoapGateway;
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

/** The CoAP resources against the real broker (TestGateway); the MQTT side is hivemq-mqtt-client. */
@Timeout(60)
class CoapPubSubIT {
  private static final Duration WAIT = Duration.ofSeconds(5);

  @Test
  void connection_post_returns_token_put_is_heartbeat_delete_disconnects() throws Exception {
    try (CoapGateway h = CoapGateway.start("connection_required = true")) {
      CoapResponse created = h.client("/mqtt/connection?clientid=dev1&username=u&password=p").post("", 0);
      assertThat(created.getCode()).isEqualTo(ResponseCode.CREATED);
      String token = created.getResponseText();
      assertThat(token).isNotBlank();
      assertThat(h.session("dev1")).isNotNull();
      assertThat(h.session("dev1").protocol()).isEqualTo("coap");

      assertThat(h.client("/mqtt/connection?clientid=dev1&token=" + token).put("", 0).getCode())
          .isEqualTo(ResponseCode.CHANGED);
      assertThat(h.client("/mqtt/connection?clientid=dev1&token=wrong").put("", 0).getCode())
          .isEqualTo(ResponseCode.UNAUTHORIZED);
      assertThat(h.client("/mqtt/connection?clientid=dev1&token=" + token).delete().getCode())
          .isEqualTo(ResponseCode.DELETED);
      await().atMost(WAIT).until(() -> h.session("dev1") == null);
      assertThat(h.client("/mqtt/connection?clientid=dev1&token=" + token).put("", 0).getCode())
          .isEqualTo(ResponseCode.UNAUTHORIZED);
    }
  }

  @Test
  void session_closes_when_heartbeat_lapses_and_stays_while_heartbeats_arrive() throws Exception {
    try (CoapGateway h = CoapGateway.start("connection_required = true", "heartbeat = 400ms")) {
      String a = h.client("/mqtt/connection?clientid=alive").post("", 0).getResponseText();
      h.client("/mqtt/connection?clientid=silent").post("", 0);
      long until = System.nanoTime() + Duration.ofMillis(1500).toNanos();
      while (System.nanoTime() < until) {
        assertThat(h.client("/mqtt/connection?clientid=alive&token=" + a).put("", 0).getCode())
            .isEqualTo(ResponseCode.CHANGED);
        await().pollDelay(Duration.ofMillis(150)).until(() -> true);
      }
      await().atMost(WAIT).until(() -> h.session("silent") == null);
      assertThat(h.session("alive")).isNotNull();
      assertThat(h.count("coap.heartbeat.timeouts")).isEqualTo(1.0);
    }
  }

  @Test
  void connectionless_publish_carries_qos_retain_expiry_and_content_type() throws Exception {
    try (CoapGateway h = CoapGateway.start()) {
      List<Mqtt5Publish> got = h.mqttSubscribe("room/#");
      CoapResponse r = h.client("/ps/room%2F1/temp?clientid=c1&username=u&password=p&qos=2&retain=true&expiry=60")
          .post("{\"t\":21}", MediaTypeRegistry.APPLICATION_JSON);
      assertThat(r.getCode()).isEqualTo(ResponseCode.CHANGED);
      await().atMost(WAIT).until(() -> got.size() == 1);
      Mqtt5Publish m = got.get(0);
      assertThat(m.getTopic().toString()).isEqualTo("room/1/temp");
      assertThat(m.getQos()).isEqualTo(MqttQos.EXACTLY_ONCE);
      assertThat(m.getMessageExpiryInterval().orElseThrow()).isBetween(55L, 60L);
      assertThat(m.getContentType()).hasValueSatisfying(ct -> assertThat(ct.toString()).isEqualTo("application/json"));
      assertThat(CoapGateway.text(m)).isEqualTo("{\"t\":21}");
      assertThat(h.gw.context("coap").retained("room/1/temp")).isNotNull();
    }
  }

  @Test
  void publish_qos_follows_the_message_type_with_publish_qos_coap() throws Exception {
    try (CoapGateway h = CoapGateway.start()) {
      List<Mqtt5Publish> got = h.mqttSubscribe("q");
      CoapClient con = h.client("/ps/q?clientid=c1");
      assertThat(con.put("a", 0).getCode()).isEqualTo(ResponseCode.CHANGED);
      CoapClient non = h.client("/ps/q?clientid=c1");
      non.useNONs();
      assertThat(non.put("b", 0).getCode()).isEqualTo(ResponseCode.CHANGED);
      await().atMost(WAIT).until(() -> got.size() == 2);
      assertThat(got).extracting(Mqtt5Publish::getQos).containsExactly(MqttQos.AT_LEAST_ONCE, MqttQos.AT_MOST_ONCE);
    }
  }

  @Test
  void connection_mode_publish_needs_clientid_and_token() throws Exception {
    try (CoapGateway h = CoapGateway.start("connection_required = true", "mountpoint = \"coap/\"")) {
      List<Mqtt5Publish> got = h.mqttSubscribe("#");
      assertThat(h.client("/ps/x?clientid=d").put("a", 0).getCode()).isEqualTo(ResponseCode.UNAUTHORIZED);
      String token = h.client("/mqtt/connection?clientid=d").post("", 0).getResponseText();
      assertThat(h.client("/ps/x?clientid=d&token=" + token).put("a", 0).getCode()).isEqualTo(ResponseCode.CHANGED);
      await().atMost(WAIT).until(() -> got.size() == 1);
      assertThat(got).extracting(p -> p.getTopic().toString()).containsExactly("coap/x");
    }
  }

  @Test
  void observe_receives_mqtt_publishes_with_content_format_and_cancel_unsubscribes() throws Exception {
    try (CoapGateway h = CoapGateway.start()) {
      List<CoapResponse> got = new CopyOnWriteArrayList<>();
      CoapObserveRelation rel = h.client("/ps/sensors/+/temp?clientid=obs1").observe(handler(got));
      await().atMost(WAIT).until(() -> got.size() == 1); // the 2.05 that establishes it
      assertThat(h.session("obs1").protocol()).isEqualTo("coap");
      assertThat(h.subscriptions("obs1")).isEqualTo(1);
      h.mqttPublish("sensors/a/temp", "21.5", 0, false, "text/plain;charset=utf-8");
      h.mqttPublish("sensors/b/temp", "22.0", 1);
      h.mqttPublish("sensors/b/hum", "no", 0);
      await().atMost(WAIT).until(() -> got.size() == 3);
      assertThat(got.get(1).getResponseText()).isEqualTo("21.5");
      assertThat(got.get(1).getOptions().getContentFormat()).isEqualTo(MediaTypeRegistry.TEXT_PLAIN);
      assertThat(got.get(2).getResponseText()).isEqualTo("22.0");
      // the QoS 1 notification was acknowledged by the CoAP client, so the broker's inflight window is empty
      await().atMost(WAIT).until(() -> h.session("obs1").inflight() == 0);

      rel.proactiveCancel();
      await().atMost(WAIT).until(() -> h.totalSubscriptions() == 0);
    }
  }

  @Test
  void observe_gets_the_retained_message_first_and_plain_get_reads_it() throws Exception {
    try (CoapGateway h = CoapGateway.start()) {
      h.mqttPublish("cfg/dev", "{}", 1, true, "application/json");
      CoapResponse r = h.client("/ps/cfg/dev?clientid=g").get();
      assertThat(r.getCode()).isEqualTo(ResponseCode.CONTENT);
      assertThat(r.getResponseText()).isEqualTo("{}");
      assertThat(r.getOptions().getContentFormat()).isEqualTo(MediaTypeRegistry.APPLICATION_JSON);
      assertThat(h.client("/ps/cfg/none?clientid=g").get().getCode()).isEqualTo(ResponseCode.NOT_FOUND);

      List<CoapResponse> got = new CopyOnWriteArrayList<>();
      h.client("/ps/cfg/%23?clientid=o").observe(handler(got));
      await().atMost(WAIT).until(() -> got.size() == 2);
      assertThat(got.get(1).getResponseText()).isEqualTo("{}");
    }
  }

  @Test
  void coap_publish_reaches_an_observing_coap_client() throws Exception {
    try (CoapGateway h = CoapGateway.start()) {
      List<CoapResponse> got = new CopyOnWriteArrayList<>();
      h.client("/ps/chat/%23?clientid=reader").observe(handler(got));
      await().atMost(WAIT).until(() -> got.size() == 1);
      assertThat(h.client("/ps/chat/room1?clientid=writer").post("hi", MediaTypeRegistry.TEXT_PLAIN).getCode())
          .isEqualTo(ResponseCode.CHANGED);
      await().atMost(WAIT).until(() -> got.size() == 2);
      assertThat(got.get(1).getResponseText()).isEqualTo("hi");
    }
  }

  @Test
  void block_wise_publish_of_64_KiB_arrives_whole_and_too_large_gets_4_13() throws Exception {
    try (CoapGateway h = CoapGateway.start("max_body_size = 100KiB")) {
      List<Mqtt5Publish> got = h.mqttSubscribe("big");
      byte[] body = new byte[64 * 1024];
      for (int i = 0; i < body.length; i++) {
        body[i] = (byte) ('a' + i % 26);
      }
      CoapResponse r = h.client("/ps/big?clientid=b").post(body, MediaTypeRegistry.APPLICATION_OCTET_STREAM);
      assertThat(r.getCode()).isEqualTo(ResponseCode.CHANGED);
      await().atMost(WAIT).until(() -> got.size() == 1);
      assertThat(got.get(0).getPayloadAsBytes()).isEqualTo(body);

      CoapResponse tooLarge = h.client("/ps/big?clientid=b").post(new byte[120 * 1024], 0);
      assertThat(tooLarge.getCode()).isEqualTo(ResponseCode.REQUEST_ENTITY_TOO_LARGE);
    }
  }

  @Test
  void errors_unknown_path_bad_query_auth_acl_and_wrong_method() throws Exception {
    try (CoapGateway h = CoapGateway.builder()
        .config("""
            authentication { allow_anonymous = false, users = [{ username = u, password = p }] }
            authorization.rules = [
              { permission = deny, who = all, action = publish, topics = ["denied/#"] }
              { permission = deny, who = all, action = subscribe, topics = ["forbidden/#"] }
            ]
            """)
        .start()) {
      String ok = "clientid=x&username=u&password=p";
      assertThat(h.client("/nothing/here").get().getCode()).isEqualTo(ResponseCode.NOT_FOUND);
      assertThat(h.client("/ps/t?qos=7&" + ok).put("x", 0).getCode()).isEqualTo(ResponseCode.BAD_REQUEST);
      assertThat(h.client("/ps/t/%23?" + ok).put("x", 0).getCode()).isEqualTo(ResponseCode.BAD_REQUEST);
      assertThat(h.client("/ps?" + ok).put("x", 0).getCode()).isEqualTo(ResponseCode.BAD_REQUEST);
      assertThat(h.client("/ps/t?" + ok).delete().getCode()).isEqualTo(ResponseCode.METHOD_NOT_ALLOWED);
      assertThat(h.client("/ps/t?" + ok).put("x", 0).getCode()).isEqualTo(ResponseCode.CHANGED);
      assertThat(h.client("/ps/denied/a?" + ok).put("x", 0).getCode()).isEqualTo(ResponseCode.FORBIDDEN);
      assertThat(h.client("/ps/t?clientid=x&username=u&password=wrong").put("x", 0).getCode())
          .isEqualTo(ResponseCode.UNAUTHORIZED);
      assertThat(h.client("/ps/t?clientid=x").put("x", 0).getCode()).isEqualTo(ResponseCode.FORBIDDEN);
      assertThat(h.client("/mqtt/connection?clientid=x&username=u&password=wrong").post("", 0).getCode())
          .isEqualTo(ResponseCode.UNAUTHORIZED);
      Request observe = Request.newGet();
      observe.setObserve();
      assertThat(h.client("/ps/forbidden/t?" + ok).advanced(observe).getCode()).isEqualTo(ResponseCode.FORBIDDEN);
      // 4.00 ×3, 4.03 ACL publish, 4.01 ×2, 4.03 anonymous, 4.03 ACL subscribe (4.04 and 4.05 are Californium's own)
      assertThat(h.count("coap.drops")).isEqualTo(8.0);
    }
  }

  @Test
  void does_not_write_a_californium_properties_file() throws Exception {
    try (CoapGateway h = CoapGateway.start()) {
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
}
