package io.estuary.core.session;

import static io.estuary.core.session.BrokerFixture.clean;
import static io.estuary.core.session.BrokerFixture.persistent;
import static org.assertj.core.api.Assertions.assertThat;

import io.estuary.api.CloseReason;
import io.estuary.api.Delivery;
import io.estuary.api.Message;
import io.estuary.api.MessageProperties;
import io.estuary.api.Payload;
import io.estuary.api.PublishOutcome;
import io.estuary.api.QueuePolicy;
import io.estuary.api.SessionOptions;
import io.estuary.core.session.BrokerFixture.Device;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Broker → device: the queue, its caps and overflow policies, the inflight window. */
class OutboundDeliveryTest {
  private BrokerFixture f = new BrokerFixture();

  @AfterEach
  void close() {
    f.close();
  }

  private Device offlineSubscriber(String id, SessionOptions.Builder options) {
    Device sub = f.open(id, options);
    sub.subscribe("t/#", 1);
    sub.close(CloseReason.NORMAL);
    return sub;
  }

  @Test
  void a_qos1_delivery_stays_inflight_until_acknowledged() {
    Device sub = f.open("sub", clean()).subscribe("t/#", 1);
    Device pub = f.open("pub", clean());
    f.publish(pub, "t/a", "one", 1);
    Delivery d = sub.sink.delivered.get(0);
    assertThat(d.message().qos()).isEqualTo(1);
    assertThat(f.broker.sessionView("sub").inflight()).isEqualTo(1);
    sub.acknowledge(d);
    assertThat(f.broker.sessionView("sub").inflight()).isZero();
  }

  @Test
  void the_inflight_window_holds_back_qos1_deliveries_beyond_receive_maximum() {
    Device sub = f.open("sub", clean().receiveMaximum(2)).subscribe("t/#", 1);
    Device pub = f.open("pub", clean());
    for (int i = 0; i < 5; i++) {
      f.publish(pub, "t/a", "m" + i, 1);
    }
    assertThat(sub.sink.payloads()).containsExactly("m0", "m1");
    assertThat(sub.session.queued()).isEqualTo(3);
    sub.acknowledge(sub.sink.delivered.get(0));
    assertThat(sub.sink.payloads()).containsExactly("m0", "m1", "m2");
  }

  @Test
  void an_unacknowledged_qos1_delivery_is_resent_as_a_duplicate_when_the_session_resumes() {
    Device sub = f.open("sub", persistent()).subscribe("t/#", 1);
    Device pub = f.open("pub", clean());
    f.publish(pub, "t/a", "one", 1);
    Delivery first = sub.sink.delivered.get(0);
    sub.close(CloseReason.TRANSPORT_ERROR);
    Device again = f.open("sub", persistent());
    assertThat(again.session.sessionPresent()).isTrue();
    assertThat(again.sink.delivered).singleElement().satisfies(d -> {
      assertThat(d.duplicate()).isTrue();
      assertThat(d.id()).isEqualTo(first.id());
      assertThat(d.message().payload().asUtf8()).isEqualTo("one");
    });
  }

  @Test
  void queue_over_max_messages_drops_the_oldest_and_counts_queue_full() {
    f.close();
    f = new BrokerFixture("mqtt.max_mqueue_len = 3");
    offlineSubscriber("sub", persistent());
    Device pub = f.open("pub", clean());
    for (int i = 0; i < 5; i++) {
      f.publish(pub, "t/a", "m" + i, 1);
    }
    assertThat(f.dropped("queue_full")).isEqualTo(2);
    Device sub = f.open("sub", persistent());
    assertThat(sub.sink.payloads()).containsExactly("m2", "m3", "m4");
  }

  @Test
  void drop_newest_overflow_keeps_the_queue_and_counts_the_new_message() {
    offlineSubscriber("sub", persistent().queue(QueuePolicy.BROKER_DEFAULT.withMaxMessages(2).withOverflow(QueuePolicy.Overflow.DROP_NEWEST)));
    Device pub = f.open("pub", clean());
    for (int i = 0; i < 4; i++) {
      f.publish(pub, "t/a", "m" + i, 1);
    }
    assertThat(f.dropped("queue_full")).isEqualTo(2);
    Device sub = f.open("sub", persistent().queue(QueuePolicy.BROKER_DEFAULT.withMaxMessages(2).withOverflow(QueuePolicy.Overflow.DROP_NEWEST)));
    assertThat(sub.sink.payloads()).containsExactly("m0", "m1");
  }

  @Test
  void the_byte_cap_counts_payload_and_topic_of_each_queued_message() {
    // "t/a" + "12345" = 8 bytes a message: a 20-byte cap holds two
    offlineSubscriber("sub", persistent().queue(QueuePolicy.BROKER_DEFAULT.withMaxBytes(20)));
    Device pub = f.open("pub", clean());
    for (int i = 0; i < 3; i++) {
      f.publish(pub, "t/a", "1234" + i, 1);
    }
    assertThat(f.dropped("queue_full")).isEqualTo(1);
    Device sub = f.open("sub", persistent().queue(QueuePolicy.BROKER_DEFAULT.withMaxBytes(20)));
    assertThat(sub.sink.payloads()).containsExactly("12341", "12342");
  }

  @Test
  void backpressure_completes_the_publishers_stage_only_once_the_queue_has_room() {
    SessionOptions.Builder opts = persistent().receiveMaximum(1)
        .queue(new QueuePolicy(1, 0, Duration.ZERO, QueuePolicy.Overflow.BACKPRESSURE));
    Device sub = f.open("sub", opts).subscribe("t/#", 1);
    Device pub = f.open("pub", clean());
    f.publish(pub, "t/a", "m0", 1); // inflight
    f.publish(pub, "t/a", "m1", 1); // queued, fills the cap
    CompletableFuture<PublishOutcome> held = pub.session.publish(BrokerFixture.message("t/a", "m2", 1)).toCompletableFuture();
    f.settle();
    assertThat(held).isNotDone();
    assertThat(f.dropped("queue_full")).isZero();
    sub.acknowledge(sub.sink.delivered.get(0)); // m1 goes out, m2 is admitted
    assertThat(held).isCompletedWithValueMatching(PublishOutcome::accepted);
  }

  @Test
  void qos0_to_an_offline_session_is_dropped_and_counted_unless_qos0_is_queued() {
    f.close();
    f = new BrokerFixture("mqtt.mqueue_store_qos0 = false");
    offlineSubscriber("sub", persistent());
    Device pub = f.open("pub", clean());
    f.publish(pub, "t/a", "zero", 0);
    f.publish(pub, "t/a", "one", 1);
    assertThat(f.dropped("qos0_offline")).isEqualTo(1);
    Device sub = f.open("sub", persistent());
    assertThat(sub.sink.payloads()).containsExactly("one");
  }

  @Test
  void qos0_to_an_offline_session_is_queued_by_default() {
    offlineSubscriber("sub", persistent());
    Device pub = f.open("pub", clean());
    f.publish(pub, "t/a", "zero", 0);
    assertThat(f.open("sub", persistent()).sink.payloads()).containsExactly("zero");
  }

  @Test
  void an_expired_message_is_not_delivered() {
    offlineSubscriber("sub", persistent());
    Device pub = f.open("pub", clean());
    Message shortLived = Message.of("t/a", Payload.utf8("short"), 1, false)
        .withProperties(MessageProperties.NONE.withMessageExpiryInterval(10L));
    pub.session.publish(shortLived);
    f.publish(pub, "t/a", "lasting", 1);
    f.advance(Duration.ofSeconds(11));
    Device sub = f.open("sub", persistent());
    assertThat(sub.sink.payloads()).containsExactly("lasting");
    assertThat(f.dropped("expired")).isEqualTo(1);
  }

  @Test
  void a_delivered_message_carries_its_remaining_expiry_interval() {
    offlineSubscriber("sub", persistent());
    Device pub = f.open("pub", clean());
    pub.session.publish(Message.of("t/a", Payload.utf8("x"), 1, false)
        .withProperties(MessageProperties.NONE.withMessageExpiryInterval(60L)));
    f.advance(Duration.ofSeconds(20));
    Device sub = f.open("sub", persistent());
    assertThat(sub.sink.delivered.get(0).message().properties().messageExpiryInterval()).isEqualTo(40L);
  }

  @Test
  void a_message_older_than_the_queue_age_cap_is_dropped_even_from_an_idle_queue() {
    offlineSubscriber("sub", persistent().queue(QueuePolicy.BROKER_DEFAULT.withMaxAge(Duration.ofSeconds(30))));
    Device pub = f.open("pub", clean());
    f.publish(pub, "t/a", "old", 1);
    f.advance(Duration.ofSeconds(31)); // no new traffic: the age timer purges it
    assertThat(f.broker.sessionView("sub").queued()).isZero();
    assertThat(f.dropped("queue_age")).isEqualTo(1);
  }

  @Test
  void a_delivery_larger_than_the_devices_max_packet_size_is_dropped_as_if_delivered() {
    Device sub = f.open("sub", clean().maxPacketSize(64)).subscribe("t/#", 1);
    Device pub = f.open("pub", clean());
    f.publish(pub, "t/a", "x".repeat(100), 1);
    f.publish(pub, "t/a", "small", 1);
    assertThat(sub.sink.payloads()).containsExactly("small");
    assertThat(f.dropped("too_large")).isEqualTo(1);
  }

  @Test
  void a_qos2_delivery_after_received_is_resent_as_release_pending_when_the_session_resumes() {
    Device sub = f.open("sub", persistent()).subscribe("t/#", 2);
    Device pub = f.open("pub", clean());
    f.publish(pub, "t/a", "two", 2);
    Delivery d = sub.sink.delivered.get(0);
    sub.session.received(d.id());
    sub.close(CloseReason.TRANSPORT_ERROR);
    Device again = f.open("sub", persistent());
    assertThat(again.sink.delivered).singleElement().satisfies(r -> {
      assertThat(r.releasePending()).isTrue();
      assertThat(r.id()).isEqualTo(d.id());
    });
    again.acknowledge(again.sink.delivered.get(0));
    assertThat(f.broker.sessionView("sub").inflight()).isZero();
  }
}
