package io.estuary.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.estuary.testkit.RawMqttClient;
import io.estuary.testkit.TestGateway;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * MQTT 5.0 statements checked with Eclipse Paho's Java MQTT 5 client (docs/mqtt.md, section "Conformance"), with
 * the raw client where a will must be left by an abnormal close. Each test names the statement ids it covers.
 */
@Timeout(60)
class MqttConformancePahoIT {
  static final long WAIT_MS = 5000;
  static TestGateway gw;
  final List<MqttAsyncClient> clients = new ArrayList<>();

  @BeforeAll
  static void start() {
    gw = TestGateway.builder().start();
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  @AfterEach
  void closeClients() {
    for (MqttAsyncClient c : clients) {
      try {
        if (c.isConnected()) {
          c.disconnect().waitForCompletion(WAIT_MS);
        }
        c.close(true);
      } catch (MqttException ignored) {
        // already gone
      }
    }
  }

  /** What one Paho client saw: messages in arrival order and the DISCONNECT the server sent. */
  static final class Inbox implements MqttCallback {
    record Got(String topic, MqttMessage message) {}

    final BlockingQueue<Got> messages = new LinkedBlockingQueue<>();
    volatile MqttDisconnectResponse disconnected;

    Got next() throws InterruptedException {
      Got g = messages.poll(WAIT_MS, TimeUnit.MILLISECONDS);
      assertThat(g).as("a message within %d ms", WAIT_MS).isNotNull();
      return g;
    }

    @Override
    public void disconnected(MqttDisconnectResponse r) {
      disconnected = r;
    }

    @Override
    public void mqttErrorOccurred(MqttException e) {}

    @Override
    public void messageArrived(String topic, MqttMessage m) {
      messages.add(new Got(topic, m));
    }

    @Override
    public void deliveryComplete(IMqttToken t) {}

    @Override
    public void connectComplete(boolean reconnect, String uri) {}

    @Override
    public void authPacketArrived(int reasonCode, org.eclipse.paho.mqttv5.common.packet.MqttProperties p) {}
  }

  MqttAsyncClient client(String id, Inbox inbox) throws MqttException {
    MqttAsyncClient c = new MqttAsyncClient("tcp://127.0.0.1:" + gw.mqttPort(), id, new MemoryPersistence());
    c.setCallback(inbox);
    clients.add(c);
    return c;
  }

  static IMqttToken connect(MqttAsyncClient c, boolean cleanStart, long sessionExpiry) throws MqttException {
    MqttConnectionOptions o = new MqttConnectionOptions();
    o.setCleanStart(cleanStart);
    o.setSessionExpiryInterval(sessionExpiry);
    IMqttToken t = c.connect(o);
    t.waitForCompletion(WAIT_MS);
    return t;
  }

  MqttAsyncClient connected(String id, Inbox inbox) throws MqttException {
    MqttAsyncClient c = client(id, inbox);
    connect(c, true, 0);
    return c;
  }

  static int[] subscribe(MqttAsyncClient c, MqttSubscription s, Integer subscriptionId) throws MqttException {
    var props = new org.eclipse.paho.mqttv5.common.packet.MqttProperties();
    if (subscriptionId != null) {
      props.setSubscriptionIdentifier(subscriptionId);
    }
    IMqttToken t = c.subscribe(new MqttSubscription[] {s}, null, null, props);
    t.waitForCompletion(WAIT_MS);
    return t.getReasonCodes();
  }

  static void publish(MqttAsyncClient c, String topic, String payload, int qos, boolean retain) throws MqttException {
    MqttMessage m = new MqttMessage(payload.getBytes(StandardCharsets.UTF_8), qos, retain, null);
    c.publish(topic, m).waitForCompletion(WAIT_MS);
  }

  static String text(Inbox.Got g) {
    return new String(g.message().getPayload(), StandardCharsets.UTF_8);
  }

  // ---- §3.1 / §3.2 CONNECT and CONNACK -------------------------------------------------------------------------

  @Test
  void session_present_follows_clean_start_and_the_stored_session() throws Exception {
    // MQTT-3.1.2-4, MQTT-3.1.2-5, MQTT-3.1.2-6, MQTT-3.2.2-2, MQTT-3.2.2-3
    MqttAsyncClient c = client("paho-sp", new Inbox());
    assertThat(connect(c, false, 300).getSessionPresent()).as("clean start 0, no session yet").isFalse();
    c.disconnect().waitForCompletion(WAIT_MS);
    assertThat(connect(c, false, 300).getSessionPresent()).as("clean start 0, session stored").isTrue();
    c.disconnect().waitForCompletion(WAIT_MS);
    assertThat(connect(c, true, 300).getSessionPresent()).as("clean start 1").isFalse();
    c.disconnect().waitForCompletion(WAIT_MS);
    assertThat(connect(c, false, 0).getSessionPresent()).as("the clean start discarded nothing it then kept").isTrue();
  }

  @Test
  void an_empty_client_id_is_assigned_one_and_a_23_character_id_is_accepted() throws Exception {
    // MQTT-3.1.3-5, MQTT-3.1.3-6, MQTT-3.1.3-7
    MqttAsyncClient anonymous = client("", new Inbox());
    IMqttToken t = connect(anonymous, true, 0);
    assertThat(t.getResponseProperties().getAssignedClientIdentifier()).isNotBlank();
    MqttAsyncClient longest = client("abcdefghijklmnopqrstuvW", new Inbox());
    assertThat(connect(longest, true, 0).isComplete()).isTrue();
    assertThat(longest.isConnected()).isTrue();
  }

  @Test
  void the_connection_taken_over_is_told_0x8e() throws Exception { // MQTT-3.1.4-3
    Inbox old = new Inbox();
    MqttAsyncClient first = connected("paho-twin", old);
    connected("paho-twin", new Inbox());
    await().atMost(Duration.ofSeconds(5)).until(() -> old.disconnected != null);
    assertThat(old.disconnected.getReturnCode()).isEqualTo(0x8E);
    assertThat(first.isConnected()).isFalse();
  }

  @Test
  void a_will_keeps_its_retain_flag_and_its_user_properties_in_order() throws Exception {
    // MQTT-3.1.2-7, MQTT-3.1.2-8, MQTT-3.1.2-14, MQTT-3.1.2-15, MQTT-3.1.3-10
    Inbox live = new Inbox();
    MqttAsyncClient watcher = connected("paho-will-watch", live);
    subscribe(watcher, new MqttSubscription("pwill/#", 1), null);
    MqttProperties willProps = new MqttProperties();
    MqttProperties.UserProperties ups = new MqttProperties.UserProperties();
    ups.add("k", "1");
    ups.add("a", "2");
    ups.add("k", "3");
    willProps.add(ups);
    for (boolean retain : new boolean[] {true, false}) {
      try (RawMqttClient dying = new RawMqttClient(gw.mqttPort())) {
        dying.send(MqttMessageBuilders.connect().clientId("dying-" + retain).protocolVersion(MqttVersion.MQTT_5)
            .cleanSession(true).willFlag(true).willQoS(MqttQoS.AT_LEAST_ONCE).willRetain(retain)
            .willTopic("pwill/" + retain).willMessage("gone".getBytes()).willProperties(willProps).build());
        assertThat(dying.await(io.netty.handler.codec.mqtt.MqttMessageType.CONNACK, Duration.ofSeconds(5))).isNotNull();
      } // closed without DISCONNECT
      Inbox.Got g = live.next();
      assertThat(g.topic()).isEqualTo("pwill/" + retain);
      assertThat(g.message().getProperties().getUserProperties())
          .extracting(UserProperty::getKey, UserProperty::getValue)
          .containsExactly(org.assertj.core.groups.Tuple.tuple("k", "1"), org.assertj.core.groups.Tuple.tuple("a", "2"),
              org.assertj.core.groups.Tuple.tuple("k", "3"));
    }
    Inbox late = new Inbox();
    MqttAsyncClient latecomer = connected("paho-will-late", late);
    subscribe(latecomer, new MqttSubscription("pwill/#", 1), null);
    Inbox.Got retained = late.next();
    assertThat(retained.topic()).as("only the will with Will Retain 1 was kept").isEqualTo("pwill/true");
    assertThat(retained.message().isRetained()).isTrue();
    assertThat(late.messages.poll(500, TimeUnit.MILLISECONDS)).isNull();
    publish(latecomer, "pwill/true", "", 0, true);
  }

  // ---- §3.3 PUBLISH retain rules, §3.8 SUBSCRIBE options --------------------------------------------------------

  @Test
  void a_publish_without_retain_neither_replaces_nor_removes_the_retained_message() throws Exception { // MQTT-3.3.1-8
    MqttAsyncClient pub = connected("paho-r0-pub", new Inbox());
    publish(pub, "pr0/t", "kept", 1, true);
    publish(pub, "pr0/t", "passing", 1, false);
    Inbox in = new Inbox();
    MqttAsyncClient sub = connected("paho-r0-sub", in);
    subscribe(sub, new MqttSubscription("pr0/t", 1), null);
    Inbox.Got g = in.next();
    assertThat(text(g)).isEqualTo("kept");
    assertThat(g.message().isRetained()).isTrue();
    publish(pub, "pr0/t", "", 1, true);
  }

  @Test
  void retain_handling_0_1_2_and_retain_as_published_0_1() throws Exception {
    // MQTT-3.3.1-9, -10, -11, -12, -13, MQTT-3.8.4-3, MQTT-3.8.4-4
    MqttAsyncClient pub = connected("paho-rh-pub", new Inbox());
    publish(pub, "prh/t", "stored", 1, true);
    Inbox in = new Inbox();
    MqttAsyncClient sub = connected("paho-rh-sub", in);

    MqttSubscription rh0 = new MqttSubscription("prh/t", 1);
    rh0.setRetainHandling(0);
    subscribe(sub, rh0, null);
    assertThat(text(in.next())).isEqualTo("stored");
    subscribe(sub, rh0, null); // the same filter again: replaced, retained sent again
    assertThat(text(in.next())).isEqualTo("stored");

    MqttSubscription rh1 = new MqttSubscription("prh/t", 1);
    rh1.setRetainHandling(1);
    subscribe(sub, rh1, null); // exists already: nothing sent
    MqttSubscription rh1New = new MqttSubscription("prh/+", 1);
    rh1New.setRetainHandling(1);
    rh1New.setRetainAsPublished(true);
    subscribe(sub, rh1New, null); // new: sent once
    Inbox.Got once = in.next();
    assertThat(text(once)).isEqualTo("stored");
    assertThat(once.message().isRetained()).as("retained messages sent on subscribe keep RETAIN 1").isTrue();
    MqttSubscription rh2 = new MqttSubscription("prh/#", 1);
    rh2.setRetainHandling(2);
    subscribe(sub, rh2, null); // never sent
    assertThat(in.messages.poll(500, TimeUnit.MILLISECONDS)).isNull();

    // a live retained publish: RETAIN 0 with retain as published 0 (sub, prh/t), 1 with retain as published 1 (sub2)
    sub.unsubscribe(new String[] {"prh/#", "prh/+"}).waitForCompletion(WAIT_MS);
    Inbox in2 = new Inbox();
    MqttAsyncClient sub2 = connected("paho-rh-sub2", in2);
    MqttSubscription rap1 = new MqttSubscription("prh/t", 1);
    rap1.setRetainHandling(2);
    rap1.setRetainAsPublished(true);
    subscribe(sub2, rap1, null);
    publish(pub, "prh/t", "live", 1, true);
    Inbox.Got a = in.next();
    assertThat(text(a)).isEqualTo("live");
    assertThat(a.message().isRetained()).as("retain as published 0").isFalse();
    Inbox.Got b = in2.next();
    assertThat(text(b)).isEqualTo("live");
    assertThat(b.message().isRetained()).as("retain as published 1").isTrue();
    publish(pub, "prh/t", "", 1, true);
  }

  @Test
  void no_local_keeps_a_clients_own_messages_from_it() throws Exception { // MQTT-3.8.3-3
    Inbox in = new Inbox();
    MqttAsyncClient c = connected("paho-nl", in);
    MqttSubscription own = new MqttSubscription("pnl/own", 1);
    own.setNoLocal(true);
    subscribe(c, own, null);
    subscribe(c, new MqttSubscription("pnl/mark", 1), null);
    publish(c, "pnl/own", "mine", 1, false);
    publish(c, "pnl/mark", "mark", 1, false);
    assertThat(in.next().topic()).as("the own message on pnl/own never arrives").isEqualTo("pnl/mark");
    MqttAsyncClient other = connected("paho-nl-other", new Inbox());
    publish(other, "pnl/own", "theirs", 1, false);
    assertThat(text(in.next())).isEqualTo("theirs");
  }

  @Test
  void overlapping_subscriptions_get_the_highest_qos_and_every_subscription_identifier() throws Exception {
    // MQTT-3.3.4-2, MQTT-3.3.4-3, MQTT-3.3.4-4, MQTT-3.3.4-5
    Inbox in = new Inbox();
    MqttAsyncClient c = connected("paho-overlap", in);
    subscribe(c, new MqttSubscription("pov/+", 0), 7);
    subscribe(c, new MqttSubscription("pov/#", 1), 9);
    MqttAsyncClient pub = connected("paho-overlap-pub", new Inbox());
    publish(pub, "pov/x", "both", 1, false);
    Inbox.Got first = in.next();
    Inbox.Got second = in.messages.poll(500, TimeUnit.MILLISECONDS);
    if (second == null) { // one copy: the highest QoS, both identifiers
      assertThat(first.message().getQos()).isEqualTo(1);
      assertThat(first.message().getProperties().getSubscriptionIdentifiers()).containsExactlyInAnyOrder(7, 9);
    } else { // one copy per subscription, each with its own identifier
      assertThat(List.of(first.message().getProperties().getSubscriptionIdentifiers(),
          second.message().getProperties().getSubscriptionIdentifiers())).containsExactlyInAnyOrder(List.of(7), List.of(9));
    }
  }

  @Test
  void a_message_is_delivered_at_the_lower_of_its_qos_and_the_granted_qos() throws Exception { // MQTT-3.8.4-8
    Inbox in = new Inbox();
    MqttAsyncClient c = connected("paho-minqos", in);
    assertThat(subscribe(c, new MqttSubscription("pmq/0", 0), null)).containsExactly(0);
    assertThat(subscribe(c, new MqttSubscription("pmq/1", 1), null)).containsExactly(1);
    MqttAsyncClient pub = connected("paho-minqos-pub", new Inbox());
    publish(pub, "pmq/0", "a", 2, false);
    assertThat(in.next().message().getQos()).isZero();
    publish(pub, "pmq/1", "b", 2, false);
    assertThat(in.next().message().getQos()).isEqualTo(1);
    publish(pub, "pmq/1", "c", 0, false);
    assertThat(in.next().message().getQos()).isZero();
  }

  // ---- §3.10 / §3.11 UNSUBSCRIBE -------------------------------------------------------------------------------

  @Test
  void unsuback_has_one_code_per_filter_in_order_and_0x11_where_no_subscription_existed() throws Exception {
    // MQTT-3.10.4-1, -4, -5, -6, MQTT-3.11.3-1, MQTT-3.11.3-2
    Inbox in = new Inbox();
    MqttAsyncClient c = connected("paho-unsub", in);
    subscribe(c, new MqttSubscription("pun/a", 1), null);
    IMqttToken t = c.unsubscribe(new String[] {"pun/none", "pun/a", "pun/+"}, null, null,
        new org.eclipse.paho.mqttv5.common.packet.MqttProperties());
    t.waitForCompletion(WAIT_MS);
    int[] codes = t.getReasonCodes();
    assertThat(codes).hasSize(3);
    assertThat(codes[1]).as("the existing subscription is deleted").isZero();
    assertThat(codes[0]).as("0x11 no subscription existed").isEqualTo(0x11);
    assertThat(codes[2]).as("pun/+ is not pun/a: 0x11").isEqualTo(0x11);
    MqttAsyncClient pub = connected("paho-unsub-pub", new Inbox());
    publish(pub, "pun/a", "after", 1, false);
    assertThat(in.messages.poll(700, TimeUnit.MILLISECONDS)).as("nothing after the unsubscribe").isNull();
  }

  // ---- §1.5.4 strings, §4.7.3 topic matching -------------------------------------------------------------------

  @Test
  void topics_are_matched_without_normalisation_and_a_leading_bom_is_kept() throws Exception {
    // MQTT-4.7.3-4, MQTT-1.5.4-3
    String nfc = Normalizer.normalize("pnorm/caf\u00e9", Normalizer.Form.NFC);
    String nfd = Normalizer.normalize(nfc, Normalizer.Form.NFD);
    Inbox in = new Inbox();
    MqttAsyncClient c = connected("paho-norm", in);
    subscribe(c, new MqttSubscription(nfc, 1), null);
    subscribe(c, new MqttSubscription("\uFEFFpbom/#", 1), null);
    MqttAsyncClient pub = connected("paho-norm-pub", new Inbox());
    publish(pub, nfd, "nfd", 1, false);
    publish(pub, "PNORM/caf\u00e9", "upper", 1, false);
    publish(pub, "pbom/x", "nobom", 1, false);
    publish(pub, "\uFEFFpbom/x", "bom", 1, false);
    publish(pub, nfc, "nfc", 1, false);
    Inbox.Got bom = in.next();
    assertThat(text(bom)).isEqualTo("bom");
    assertThat(bom.topic()).isEqualTo("\uFEFFpbom/x");
    assertThat(text(in.next())).as("only the exact spelling matches").isEqualTo("nfc");
  }
}
