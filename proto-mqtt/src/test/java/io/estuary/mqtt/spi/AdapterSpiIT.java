package io.estuary.mqtt.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import io.estuary.api.CloseReason;
import io.estuary.api.Delivery;
import io.estuary.api.Message;
import io.estuary.api.Payload;
import io.estuary.api.PublishOutcome;
import io.estuary.api.SessionOptions;
import io.estuary.api.Subscription;
import io.estuary.testkit.TestGateway;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A test-only adapter on the SPI: its devices are sessions like MQTT clients. */
@Timeout(60)
class AdapterSpiIT {
  static TestGateway gw;
  static LoopbackAdapter adapter;

  @BeforeAll
  static void start() {
    gw = TestGateway.builder().adapter(new LoopbackAdapter.Factory()).config("""
        gateway.loopback { enable = true, greeting = "hi" }
        authorization.rules = [{ permission = deny, who = "protocol:loopback", action = publish, topics = ["forbidden/#"] }]
        """).start();
    adapter = LoopbackAdapter.last;
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  static Mqtt5BlockingClient mqtt(String id) {
    var c = Mqtt5Client.builder().identifier(id).serverHost("127.0.0.1").serverPort(gw.mqttPort()).buildBlocking();
    c.connect();
    return c;
  }

  static SessionOptions persistent() {
    return SessionOptions.builder().cleanStart(false).sessionExpiry(Duration.ofMinutes(5)).receiveMaximum(10).build();
  }

  @Test
  void adapter_gets_its_config_block() {
    assertThat(adapter.config.path()).isEqualTo("gateway.loopback");
    assertThat(adapter.config.getString("greeting")).isEqualTo("hi");
  }

  @Test
  void device_and_mqtt_client_exchange_messages_both_ways_with_qos1_acks() throws Exception {
    var mqtt = mqtt("spi-mqtt");
    try (var dev = adapter.new Device().open("spi-dev", null, persistent()); var p = mqtt.publishes(MqttGlobalPublishFilter.ALL)) {
      dev.session.subscribe(List.of(Subscription.of("to-dev/#", 1))).toCompletableFuture().get(5, TimeUnit.SECONDS);
      mqtt.publishWith().topic("to-dev/a").qos(MqttQos.AT_LEAST_ONCE).payload("down".getBytes()).send();
      Delivery d = dev.next();
      assertThat(d.message().payload().asUtf8()).isEqualTo("down");
      assertThat(d.message().qos()).isEqualTo(1);
      // the listing mirror is written after the drain hands the batch to the sink: wait for it, do not race it
      await().atMost(Duration.ofSeconds(5)).until(() -> gw.broker().sessionView("spi-dev").inflight() == 1);
      dev.session.acknowledge(d.id());
      await().until(() -> gw.broker().sessionView("spi-dev").inflight() == 0);

      mqtt.subscribeWith().topicFilter("from-dev/#").qos(MqttQos.AT_LEAST_ONCE).send();
      PublishOutcome o = dev.session.publish(Message.of("from-dev/b", Payload.utf8("up"), 1, false)).toCompletableFuture().get();
      assertThat(o.status()).isEqualTo(PublishOutcome.Status.OK);
      assertThat(new String(p.receive(5, TimeUnit.SECONDS).orElseThrow().getPayloadAsBytes())).isEqualTo("up");
      assertThat(gw.broker().sessionView("spi-dev").protocol()).isEqualTo("loopback");
      assertThat(dev.wrongThread).isFalse();
      dev.session.unsubscribe(List.of(new io.estuary.api.TopicFilter("to-dev/#"))).toCompletableFuture().get(5, TimeUnit.SECONDS);
      assertThat(gw.broker().sessionView("spi-dev").subscriptions()).isZero();
      dev.session.close(CloseReason.NORMAL);
    }
    mqtt.disconnect();
  }

  @Test
  void sleeping_device_gets_queued_messages_in_order_on_wake() throws Exception {
    var mqtt = mqtt("spi-sleep-pub");
    try (var dev = adapter.new Device().open("spi-sleeper", null, persistent())) {
      dev.session.subscribe(List.of(Subscription.of("sleepy", 1))).toCompletableFuture().get(5, TimeUnit.SECONDS);
      dev.session.sleep();
      for (int i = 0; i < 5; i++) {
        mqtt.publishWith().topic("sleepy").qos(MqttQos.AT_LEAST_ONCE).payload(("z" + i).getBytes()).send();
      }
      await().until(() -> gw.broker().sessionView("spi-sleeper").queued() == 5);
      assertThat(gw.broker().sessionView("spi-sleeper").state()).isEqualTo("asleep");
      assertThat(dev.deliveries).isEmpty();
      var flushed = dev.session.wake().toCompletableFuture();
      for (int i = 0; i < 5; i++) {
        Delivery d = dev.next();
        assertThat(d.message().payload().asUtf8()).isEqualTo("z" + i);
        assertThat(flushed).isNotDone();
        dev.session.acknowledge(d.id());
      }
      flushed.get(5, TimeUnit.SECONDS);
      dev.session.close(CloseReason.NORMAL);
    }
    mqtt.disconnect();
  }

  @Test
  void second_device_with_same_id_takes_over() throws Exception {
    try (var first = adapter.new Device().open("spi-twin", null, persistent());
         var second = adapter.new Device().open("spi-twin", null, persistent())) {
      assertThat(first.closed.get(5, TimeUnit.SECONDS)).isEqualTo(CloseReason.TAKEN_OVER);
      assertThat(second.session.sessionPresent()).isTrue();
      // the stale handle is ignored
      assertThat(first.session.publish(Message.of("x", Payload.EMPTY, 0, false)).toCompletableFuture().get().status())
          .isEqualTo(PublishOutcome.Status.SESSION_CLOSED);
      second.session.close(CloseReason.NORMAL);
    }
  }

  @Test
  void will_goes_out_on_abnormal_close_and_acl_applies() throws Exception {
    var mqtt = mqtt("spi-will-watch");
    try (var p = mqtt.publishes(MqttGlobalPublishFilter.ALL)) {
      mqtt.subscribeWith().topicFilter("spi/will").send();
      Message will = Message.of("spi/will", Payload.utf8("bye"), 0, false);
      var dev = adapter.new Device().open("spi-willer", null, SessionOptions.builder().will(will).build());
      PublishOutcome denied = dev.session.publish(Message.of("forbidden/x", Payload.EMPTY, 1, false)).toCompletableFuture().get();
      assertThat(denied.status()).isEqualTo(PublishOutcome.Status.NOT_AUTHORIZED);
      dev.session.close(CloseReason.TRANSPORT_ERROR);
      assertThat(new String(p.receive(5, TimeUnit.SECONDS).orElseThrow().getPayloadAsBytes())).isEqualTo("bye");
      dev.close();
    }
    mqtt.disconnect();
  }
}
