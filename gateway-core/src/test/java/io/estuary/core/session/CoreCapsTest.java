package io.estuary.core.session;

import static io.estuary.core.session.BrokerFixture.clean;
import static io.estuary.core.session.BrokerFixture.persistent;
import static org.assertj.core.api.Assertions.assertThat;

import io.estuary.api.BrokerSession;
import io.estuary.api.ClientInfo;
import io.estuary.api.Message;
import io.estuary.api.Payload;
import io.estuary.api.PublishOutcome;
import io.estuary.api.SessionRefusedException;
import io.estuary.api.Subscription;
import io.estuary.api.SubscribeOutcome;
import io.estuary.api.TopicFilter;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** The core's caps (issue #13) without sockets: what every adapter's publish, subscribe and open meets. */
class CoreCapsTest {

  private static SessionRefusedException.Reason refusal(BrokerFixture.Device d) {
    try {
      d.opened.toCompletableFuture().join();
      return null;
    } catch (CompletionException e) {
      return ((SessionRefusedException) e.getCause()).reason();
    }
  }

  @Test
  void a_new_session_beyond_max_sessions_is_refused_but_an_adapters_own_session_and_a_resume_are_not() {
    try (BrokerFixture fx = new BrokerFixture("mqtt.max_sessions = 1")) {
      fx.open("a", persistent());
      BrokerFixture.Device b = fx.connect("b", clean().build());
      fx.settle();
      assertThat(refusal(b)).isEqualTo(SessionRefusedException.Reason.QUOTA_EXCEEDED);
      assertThat(fx.count("sessions.refused", "reason", "quota_exceeded")).isEqualTo(1);

      RecordingSink sink = new RecordingSink();
      CompletableFuture<BrokerSession> own = fx.broker.openSession(ClientInfo.of("$test/gw", null, "test", null),
          clean().build(), sink, "test").toCompletableFuture();
      while (sink.executor.runAll()) {
        // run the sink's executor until the session opened
      }
      assertThat(own.join()).as("an adapter's own $-session takes no slot").isNotNull();

      BrokerFixture.Device resumed = fx.connect("a", persistent().build());
      fx.settle();
      assertThat(refusal(resumed)).isNull();
      assertThat(fx.broker.sessionCount()).isEqualTo(2);
      assertThat(fx.count("sessions.refused", "reason", "quota_exceeded")).isEqualTo(1);
    }
  }

  @Test
  void stored_sessions_beyond_a_lowered_max_sessions_are_restored_and_new_ones_wait_until_one_leaves() {
    BrokerFixture fx = new BrokerFixture("");
    fx.open("a", persistent()).close(io.estuary.api.CloseReason.NORMAL);
    fx.open("b", persistent()).close(io.estuary.api.CloseReason.NORMAL);
    try (BrokerFixture next = fx.restart("mqtt.max_sessions = 1")) {
      assertThat(next.broker.sessionCount()).isEqualTo(2);
      BrokerFixture.Device c = next.connect("c", clean().build());
      next.settle();
      assertThat(refusal(c)).isEqualTo(SessionRefusedException.Reason.QUOTA_EXCEEDED);
      next.broker.kick("a", true);
      next.settle();
      next.broker.kick("b", true);
      next.settle();
      BrokerFixture.Device again = next.connect("c", clean().build());
      next.settle();
      assertThat(refusal(again)).isNull();
    }
  }

  @Test
  void a_too_deep_or_too_long_topic_is_refused_by_the_core_for_publish_and_subscribe_and_counted() {
    try (BrokerFixture fx = new BrokerFixture("mqtt.max_topic_levels = 2\nmqtt.max_topic_length = 8")) {
      BrokerFixture.Device d = fx.open("d", clean());
      assertThat(fx.publish(d, "a/b/c", "x", 1).status()).isEqualTo(PublishOutcome.Status.TOPIC_NAME_INVALID);
      assertThat(fx.publish(d, "a/bcdefgh", "x", 1).status()).isEqualTo(PublishOutcome.Status.TOPIC_NAME_INVALID);
      assertThat(fx.publish(d, "a/bcdefg", "x", 1).accepted()).isTrue();
      assertThat(fx.broker.publish(null, Message.of("x/y/z", Payload.utf8("x"), 0, false)).toCompletableFuture().join()
          .status()).as("a sessionless publish too").isEqualTo(PublishOutcome.Status.TOPIC_NAME_INVALID);
      CompletableFuture<List<SubscribeOutcome>> sub = d.session.subscribe(List.of(Subscription.of("a/+/#", 0),
          Subscription.of("$share/g/abcdefghi", 0), Subscription.of("$share/g/abcdefgh", 0))).toCompletableFuture();
      fx.settle();
      assertThat(sub.join()).extracting(SubscribeOutcome::failure).containsExactly(
          SubscribeOutcome.Failure.TOPIC_FILTER_INVALID, SubscribeOutcome.Failure.TOPIC_FILTER_INVALID, null);
      assertThat(fx.count("topics.refused", "action", "publish", "reason", "too_deep")).isEqualTo(2);
      assertThat(fx.count("topics.refused", "action", "publish", "reason", "too_long")).isEqualTo(1);
      assertThat(fx.count("topics.refused", "action", "subscribe", "reason", "too_deep")).isEqualTo(1);
      assertThat(fx.count("topics.refused", "action", "subscribe", "reason", "too_long")).isEqualTo(1);
    }
  }

  @Test
  void a_shared_group_s_round_robin_position_goes_with_its_last_member() {
    try (BrokerFixture fx = new BrokerFixture("")) {
      BrokerFixture.Device a = fx.open("a", clean());
      BrokerFixture.Device b = fx.open("b", clean());
      List<Subscription> groups = new java.util.ArrayList<>();
      List<TopicFilter> filters = new java.util.ArrayList<>();
      for (int i = 0; i < 50; i++) {
        groups.add(Subscription.of("$share/g" + i + "/t", 0));
        filters.add(new TopicFilter("$share/g" + i + "/t"));
      }
      a.session.subscribe(groups);
      b.session.subscribe(List.of(Subscription.of("$share/g0/t", 0)));
      fx.settle();
      fx.broker.publish(null, Message.of("t", Payload.utf8("x"), 0, false)).toCompletableFuture().join();
      assertThat(fx.broker.router.sharedCursors()).as("a position per group a publish went to").isEqualTo(50);
      a.session.unsubscribe(filters);
      fx.settle();
      assertThat(fx.broker.router.sharedCursors()).as("only g0 keeps a member (b), and its position").isEqualTo(1);
      b.session.close(io.estuary.api.CloseReason.NORMAL); // a clean session's end unsubscribes too
      fx.settle();
      assertThat(fx.broker.router.sharedCursors()).isZero();
    }
  }

  @Test
  void a_subscription_that_would_take_the_topic_tree_over_max_topic_tree_nodes_is_refused_quota_exceeded() {
    try (BrokerFixture fx = new BrokerFixture("mqtt.max_topic_tree_nodes = 5")) {
      BrokerFixture.Device a = fx.open("a", clean());
      BrokerFixture.Device b = fx.open("b", clean());
      CompletableFuture<List<SubscribeOutcome>> first = a.session.subscribe(List.of(Subscription.of("a/b/c", 0),
          Subscription.of("a/b/d", 0), Subscription.of("x/y", 0))).toCompletableFuture();
      fx.settle();
      assertThat(first.join()).as("3 nodes, 1 more, then 2 more would make 6").extracting(SubscribeOutcome::failure)
          .containsExactly(null, null, SubscribeOutcome.Failure.QUOTA_EXCEEDED);
      assertThat(fx.broker.router.trie.nodes()).isEqualTo(4);
      CompletableFuture<List<SubscribeOutcome>> second = b.session.subscribe(List.of(Subscription.of("a/b/c", 1),
          Subscription.of("a/e", 0), Subscription.of("a/f", 0))).toCompletableFuture();
      fx.settle();
      assertThat(second.join()).as("another client's a/b/c needs no node, a/e the fifth, a/f a sixth")
          .extracting(SubscribeOutcome::failure).containsExactly(null, null, SubscribeOutcome.Failure.QUOTA_EXCEEDED);
      assertThat(fx.count("subscriptions.refused", "reason", "topic_tree_full")).isEqualTo(2);
      a.session.unsubscribe(List.of(new TopicFilter("a/b/d"))); // frees one node
      fx.settle();
      assertThat(fx.broker.router.trie.nodes()).isEqualTo(4);
      CompletableFuture<List<SubscribeOutcome>> third = b.session.subscribe(List.of(Subscription.of("a/f", 0)))
          .toCompletableFuture();
      fx.settle();
      assertThat(third.join()).extracting(SubscribeOutcome::failure).containsExactly((SubscribeOutcome.Failure) null);
      a.session.close(io.estuary.api.CloseReason.NORMAL);
      b.session.close(io.estuary.api.CloseReason.NORMAL);
      fx.settle();
      assertThat(fx.broker.router.trie.nodes()).as("every node goes with the last subscription under it").isZero();
    }
  }

  @Test
  void the_same_subscription_again_writes_no_new_session_record_a_changed_one_does() {
    try (BrokerFixture fx = new BrokerFixture("")) {
      BrokerFixture.Device p = fx.open("p", persistent());
      java.util.function.Supplier<io.estuary.core.store.SessionRecord> record = () -> {
        List<io.estuary.core.store.SessionRecord> r = new java.util.ArrayList<>();
        fx.store.forEachSession(x -> {
          if (x.clientId().equals("p")) {
            r.add(x);
          }
        });
        return r.isEmpty() ? null : r.get(0);
      };
      p.session.subscribe(List.of(Subscription.of("p/1", 0)));
      fx.settle();
      var first = record.get();
      assertThat(first.subscriptions()).hasSize(1);
      p.session.subscribe(List.of(Subscription.of("p/1", 0))); // a client repeating its SUBSCRIBE in a loop
      fx.settle();
      assertThat(record.get()).as("not written again").isSameAs(first);
      p.session.subscribe(List.of(Subscription.of("p/1", 1)));
      fx.settle();
      assertThat(record.get()).isNotSameAs(first);
      assertThat(record.get().subscriptions().get(0).qos()).isEqualTo(1);
    }
  }

  @Test
  void utf8_length_counts_bytes_not_chars() {
    assertThat(CoreLimits.utf8Length("abc")).isEqualTo(3);
    assertThat(CoreLimits.utf8Length("é")).isEqualTo(2);
    assertThat(CoreLimits.utf8Length("€")).isEqualTo(3);
    assertThat(CoreLimits.utf8Length("\uD83D\uDE00")).isEqualTo(4);
  }
}
