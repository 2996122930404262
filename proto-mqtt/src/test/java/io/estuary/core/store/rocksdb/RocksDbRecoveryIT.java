package io.estuary.core.store.rocksdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.estuary.api.Message;
import io.estuary.api.Payload;
import io.estuary.core.config.PersistenceConfig;
import io.estuary.core.store.SessionRecord;
import io.estuary.core.store.StoredMessage;
import io.estuary.testkit.QosClient;
import io.estuary.testkit.QosClient.Received;
import io.estuary.testkit.MutableClock;
import io.estuary.testkit.TestGateway;
import io.netty.handler.codec.mqtt.MqttMessageType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Gateway restarts on a RocksDB store that is closed and reopened in between: what comes back. */
@Timeout(60)
class RocksDbRecoveryIT {
  static final String CONF = "mqtt.max_mqueue_len = 10000";
  @TempDir Path dir;
  final MutableClock clock = new MutableClock();

  /** One gateway run on a freshly opened store; both closed at the end. */
  void run(PersistenceConfig.Sync sync, Consumer<TestGateway> body) {
    try (RocksDbStore store = RocksDbStore.open(PersistenceConfig.at(dir).withSync(sync));
        TestGateway gw = TestGateway.builder().config(CONF).store(store).clock(clock).start()) {
      body.accept(gw);
    }
  }

  void run(Consumer<TestGateway> body) {
    run(PersistenceConfig.Sync.INTERVAL, body);
  }

  interface Io {
    void run() throws Exception;
  }

  static void io(Io io) {
    try {
      io.run();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void offline_queues_and_retained_messages_survive_a_restart_in_order() {
    run(gw -> io(() -> {
      try (QosClient sub = QosClient.connect(gw.mqttPort(), "sub-q", false)) {
        sub.subscribe("q/#", 2);
      }
      try (QosClient pub = QosClient.connect(gw.mqttPort(), "pub-q", true)) {
        for (int i = 0; i < 50; i++) {
          pub.publishQos1("q/one", "a" + i, i + 1);
          pub.publishQos2("q/two", "b" + i, i + 1, false, true);
        }
        pub.raw().send(QosClient.publish("r/kept", "kept", 1, 999, true));
        assertThat(pub.raw().await(MqttMessageType.PUBACK, Duration.ofSeconds(5))).isNotNull();
      }
      await().until(() -> gw.broker().sessionView("sub-q").queued() == 100);
    }));
    run(gw -> io(() -> {
      try (QosClient sub = QosClient.connect(gw.mqttPort(), "sub-q", false)) {
        List<Received> got = sub.receive(100, Duration.ofSeconds(10), true);
        assertThat(sub.receiveFor(Duration.ofMillis(300), true)).as("nothing beyond the 100 queued").isEmpty();
        assertThat(got.stream().filter(r -> r.topic().equals("q/one")).map(Received::payload))
            .containsExactlyElementsOf(java.util.stream.IntStream.range(0, 50).mapToObj(i -> "a" + i).toList());
        assertThat(got.stream().filter(r -> r.topic().equals("q/two")).map(Received::payload))
            .containsExactlyElementsOf(java.util.stream.IntStream.range(0, 50).mapToObj(i -> "b" + i).toList());
        assertThat(got.stream().filter(r -> r.topic().equals("q/two")).allMatch(r -> r.qos() == 2)).isTrue();
      }
      assertThat(gw.broker().retainedCount()).isEqualTo(1);
    }));
  }

  @Test
  void unacknowledged_deliveries_are_sent_again_with_dup_after_a_restart() {
    run(gw -> io(() -> {
      try (QosClient sub = QosClient.connect(gw.mqttPort(), "sub-dup", false)) {
        sub.subscribe("d/#", 2);
        try (QosClient pub = QosClient.connect(gw.mqttPort(), "pub-dup", true)) {
          pub.publishQos1("d/1", "one", 1);
          pub.publishQos2("d/2", "two", 2, false, true);
        }
        List<Received> first = sub.receive(2, Duration.ofSeconds(10), false); // received, never acknowledged
        assertThat(first).extracting(Received::payload).containsExactly("one", "two");
        assertThat(first).noneMatch(Received::dup);
      }
    }));
    run(gw -> io(() -> {
      try (QosClient sub = QosClient.connect(gw.mqttPort(), "sub-dup", false)) {
        List<Received> again = sub.receive(2, Duration.ofSeconds(10), true);
        assertThat(again).extracting(Received::payload).containsExactly("one", "two");
        assertThat(again).allMatch(Received::dup);
        await().until(() -> gw.broker().sessionView("sub-dup").inflight() == 0);
      }
    }));
    run(gw -> io(() -> {
      try (QosClient sub = QosClient.connect(gw.mqttPort(), "sub-dup", false)) {
        assertThat(sub.receiveFor(Duration.ofMillis(500), true)).as("acknowledged deliveries are deleted").isEmpty();
      }
    }));
  }

  @Test
  void a_qos2_publish_cut_off_between_its_copies_and_its_commit_is_routed_once_when_re_sent() {
    run(gw -> io(() -> {
      try (QosClient sub = QosClient.connect(gw.mqttPort(), "sub-cut", false)) {
        sub.subscribe("cut/#", 2);
      }
      QosClient.connect(gw.mqttPort(), "pub-cut", false).close();
    }));
    // the state a kill -9 leaves between the two: the routing marker and a copy, no commit, no PUBREC sent
    try (RocksDbStore store = RocksDbStore.open(PersistenceConfig.at(dir))) {
      store.markRouting("pub-cut", 7, 4242);
      store.saveMessage("sub-cut", new StoredMessage(1, Message.of("cut/x", Payload.utf8("once"), 2, false), List.of(), 0, false, 4242));
      store.sync().toCompletableFuture().join();
    }
    run(gw -> io(() -> {
      try (QosClient pub = QosClient.connect(gw.mqttPort(), "pub-cut", false)) {
        pub.publishQos2("cut/x", "once", 7, true, true); // the publisher re-sends: routed, not taken for a duplicate
      }
      try (QosClient sub = QosClient.connect(gw.mqttPort(), "sub-cut", false)) {
        assertThat(sub.receive(1, Duration.ofSeconds(10), true)).extracting(Received::payload).containsExactly("once");
        assertThat(sub.receiveFor(Duration.ofMillis(500), true)).as("routed once").isEmpty();
      }
    }));
  }

  @Test
  void qos2_from_a_persistent_publisher_reaches_an_online_subscriber_once_durable_in_order() {
    run(PersistenceConfig.Sync.ALWAYS, gw -> io(() -> {
      try (QosClient sub = QosClient.connect(gw.mqttPort(), "sub-on", false)) {
        sub.subscribe("on/#", 2);
        try (QosClient pub = QosClient.connect(gw.mqttPort(), "pub-on", false)) {
          for (int i = 1; i <= 50; i++) {
            pub.publishQos2("on/x", "m" + i, i, false, true);
          }
        }
        List<Received> got = sub.receive(50, Duration.ofSeconds(10), true);
        assertThat(got).extracting(Received::payload).containsExactlyElementsOf(
            java.util.stream.IntStream.rangeClosed(1, 50).mapToObj(i -> "m" + i).toList());
        assertThat(got).allMatch(r -> r.qos() == 2 && !r.dup());
      }
    }));
  }

  @Test
  void a_qos2_packet_id_awaiting_release_survives_so_a_resent_publish_is_not_routed_twice() {
    run(gw -> io(() -> {
      try (QosClient sub = QosClient.connect(gw.mqttPort(), "sub-rel", false)) {
        sub.subscribe("rel/#", 2);
      }
      try (QosClient pub = QosClient.connect(gw.mqttPort(), "pub-rel", false)) {
        pub.publishQos2("rel/x", "once", 42, false, false); // PUBREC came, the PUBREL never left
      }
    }));
    run(gw -> io(() -> {
      try (QosClient pub = QosClient.connect(gw.mqttPort(), "pub-rel", false)) {
        pub.publishQos2("rel/x", "once", 42, true, true);
      }
      try (QosClient sub = QosClient.connect(gw.mqttPort(), "sub-rel", false)) {
        assertThat(sub.receive(1, Duration.ofSeconds(10), true)).extracting(Received::payload).containsExactly("once");
        assertThat(sub.receiveFor(Duration.ofMillis(500), true)).as("not routed twice").isEmpty();
      }
    }));
  }

  @Test
  void session_expiry_continues_from_the_stored_deadline() {
    run(gw -> io(() -> {
      for (String id : List.of("exp-short", "exp-long")) {
        QosClient c = QosClient.connect(gw.mqttPort(), id, false);
        c.subscribe("e/#", 1);
        c.close();
        await().until(() -> !gw.broker().sessionView(id).state().equals("connected"));
      }
    }));
    clock.advance(Duration.ofHours(2).plusSeconds(1)); // past mqtt.max_session_expiry (the v3.1.1 expiry)
    run(gw -> await().until(() -> gw.broker().sessionView("exp-short") == null && gw.broker().sessionCount() == 0));
  }

  @Test
  void a_session_connected_when_the_process_died_expires_from_the_last_alive_mark_not_from_the_restart() {
    run(gw -> io(() -> {
      QosClient c = QosClient.connect(gw.mqttPort(), "crash-x", false); // v3.1.1: expiry = max_session_expiry (2h)
      c.subscribe("x/#", 1);
      c.close();
      await().until(() -> !gw.broker().sessionView("crash-x").state().equals("connected"));
    }));
    // the record as a kill -9 leaves it for a connected client: no disconnect time
    try (RocksDbStore store = RocksDbStore.open(PersistenceConfig.at(dir))) {
      List<SessionRecord> records = new java.util.ArrayList<>();
      store.forEachSession(records::add);
      SessionRecord r = records.get(0);
      store.saveSession(new SessionRecord(r.clientId(), r.protocol(), r.username(), r.expiryIntervalSeconds(), 0,
          r.subscriptions(), r.will(), r.willDelaySeconds()));
      store.sync().toCompletableFuture().join();
    }
    clock.advance(Duration.ofHours(2).plusSeconds(30)); // the gateway stays down longer than the expiry
    run(gw -> await().until(() -> gw.broker().sessionView("crash-x") == null));
  }

  @Test
  void a_session_within_its_expiry_comes_back_with_its_subscriptions() {
    run(gw -> io(() -> {
      QosClient c = QosClient.connect(gw.mqttPort(), "exp-within", false);
      c.subscribe("w/#", 1);
      c.close();
    }));
    clock.advance(Duration.ofHours(1));
    run(gw -> io(() -> {
      assertThat(gw.broker().sessionView("exp-within")).isNotNull();
      try (QosClient pub = QosClient.connect(gw.mqttPort(), "pub-w", true)) {
        pub.publishQos1("w/1", "still here", 1);
      }
      try (QosClient c = QosClient.connect(gw.mqttPort(), "exp-within", false)) {
        assertThat(c.receive(1, Duration.ofSeconds(10), true)).extracting(Received::payload).containsExactly("still here");
      }
    }));
  }

  @Test
  void with_sync_always_an_acknowledged_publish_is_already_in_the_store() {
    run(PersistenceConfig.Sync.ALWAYS, gw -> io(() -> {
      try (QosClient sub = QosClient.connect(gw.mqttPort(), "sub-always", false)) {
        sub.subscribe("s/#", 1);
      }
      try (QosClient pub = QosClient.connect(gw.mqttPort(), "pub-always", true)) {
        for (int i = 1; i <= 20; i++) {
          pub.publishQos1("s/x", "m" + i, i);
          // the PUBACK was written after the store's barrier: the message is readable from RocksDB now
          assertThat(gw.gateway().store().loadMessages("sub-always")).hasSize(i);
        }
      }
    }));
  }
}
