package io.estuary.mqttsn.transport;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.estuary.api.Payload;
import io.estuary.testkit.TestGateway;
import io.estuary.testkit.TestStore;
import io.estuary.mqttsn.MqttSnAdapterFactory;
import io.estuary.mqttsn.codec.MqttSnFrame.*;
import io.estuary.mqttsn.codec.ReturnCode;
import io.estuary.mqttsn.codec.TopicRef;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Topic ids of a {@code clean_session = false} client survive a gateway restart: they are written to
 * the store's {@code mqttsn-topic-ids} space (off the event loop) and read back before the CONNACK;
 * ids stored there by the previous version (the same namespace and keys) load the same way.
 */
@Timeout(60)
class MqttSnTopicIdPersistenceIT {

  static TestGateway gateway(TestStore store) {
    return TestGateway.builder()
        .config("gateway.mqttsn.listeners.udp.default.bind = \"127.0.0.1:0\"")
        .adapter(new MqttSnAdapterFactory())
        .store(store)
        .start();
  }

  @Test
  void a_persistent_client_keeps_its_topic_ids_across_a_gateway_restart() {
    TestStore store = TestStore.inMemory(); // in memory: nothing to close
    int id;
    try (TestGateway gw = gateway(store);
        MqttSnTestClient c = new MqttSnTestClient(gw.listener("mqttsn", "udp:default"))) {
      c.send(new Connect(false, false, 60, "sn-keeps-ids"));
      assertThat(c.expect(Connack.class).returnCode()).isEqualTo(ReturnCode.ACCEPTED);
      c.send(new Register(0, 1, "kept/topic"));
      Regack ack = c.expect(Regack.class);
      assertThat(ack.returnCode()).isEqualTo(ReturnCode.ACCEPTED);
      id = ack.topicId();
      await().atMost(Duration.ofSeconds(5)).until(() ->
          !gw.storedKeyValues("mqttsn-topic-ids").scan("12:sn-keeps-ids:").isEmpty());
    }
    // an id as the previous version stored it (namespace and key format unchanged): it must still load
    store.storedKeyValues("mqttsn-topic-ids").put("12:sn-keeps-ids:77", "written/before".getBytes(UTF_8));
    try (TestGateway gw = gateway(store);
        MqttSnTestClient c = new MqttSnTestClient(gw.listener("mqttsn", "udp:default"))) {
      c.send(new Connect(false, false, 60, "sn-keeps-ids"));
      assertThat(c.expect(Connack.class).returnCode()).isEqualTo(ReturnCode.ACCEPTED);
      c.send(new Publish(false, 1, false, new TopicRef.Id(id), 2, Payload.utf8("after restart")));
      assertThat(c.expect(Puback.class)).isEqualTo(new Puback(id, 2, ReturnCode.ACCEPTED));
      c.send(new Publish(false, 1, false, new TopicRef.Id(77), 3, Payload.utf8("old id")));
      assertThat(c.expect(Puback.class)).isEqualTo(new Puback(77, 3, ReturnCode.ACCEPTED));
      assertThat(gw.session("sn-keeps-ids").attributes())
          .containsEntry("topic_ids", java.util.Map.of("kept/topic", id, "written/before", 77));
    }
  }

  @Test
  void stored_topic_ids_of_an_expired_session_are_deleted_but_a_connected_clients_stay() {
    TestStore store = TestStore.inMemory();
    try (TestGateway gw = TestGateway.builder()
            .config("""
                gateway.mqttsn.listeners.udp.default.bind = "127.0.0.1:0"
                gateway.mqttsn.session_expiry_interval = 1s
                # sn-stays connects without keepalive: its stored expiry (CONNACK + 1 s) passes while it is connected
                gateway.mqttsn.min_keepalive = 0s
                """)
            .adapter(new MqttSnAdapterFactory())
            .store(store)
            .start();
        MqttSnTestClient gone = new MqttSnTestClient(gw.listener("mqttsn", "udp:default"));
        MqttSnTestClient stays = new MqttSnTestClient(gw.listener("mqttsn", "udp:default"))) {
      for (MqttSnTestClient c : java.util.List.of(gone, stays)) {
        String id = c == gone ? "sn-gone" : "sn-stays";
        c.send(new Connect(false, false, c == gone ? 60 : 0, id));
        assertThat(c.expect(Connack.class).returnCode()).isEqualTo(ReturnCode.ACCEPTED);
        c.send(new Register(0, 1, "kept/" + id));
        assertThat(c.expect(Regack.class).returnCode()).isEqualTo(ReturnCode.ACCEPTED);
      }
      await().atMost(Duration.ofSeconds(5)).until(() ->
          !gw.storedKeyValues("mqttsn-topic-ids").scan("7:sn-gone:").isEmpty()
              && !gw.storedKeyValues("mqttsn-topic-ids").scan("8:sn-stays:").isEmpty());
      gone.send(Disconnect.plain());
      gone.expect(Disconnect.class);
      // the broker expires the session 1 s later; the sweep (every session_expiry_interval) deletes its ids
      await().atMost(Duration.ofSeconds(15)).until(() ->
          gw.storedKeyValues("mqttsn-topic-ids").scan("7:sn-gone:").isEmpty()
              && gw.storedKeyValues("mqttsn-topic-ids-expiry").scan("sn-gone").isEmpty());
      assertThat(gw.storedKeyValues("mqttsn-topic-ids").scan("8:sn-stays:")).as("connected: kept").isNotEmpty();
      stays.send(new PingReq(""));
      stays.expect(PingResp.class);
    }
  }
}
