package io.estuary.coap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.estuary.coap.support.CoapGateway;
import io.estuary.coap.support.RawCoapPeer;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.CoAP.Type;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.coap.Message;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.coap.Token;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Overload protection of the CoAP gateway (issue #13), each cap and rate seen by a real client: the refused side
 * gets 5.03 with a Max-Age (or 4.00 for a topic over its limits; nothing at all for a datagram over its source's
 * rate) and the gateway's counter moves by exactly the refusals.
 */
@Timeout(60)
class CoapLimitsIT {
  private static final Duration WAIT = Duration.ofSeconds(5);

  private static CoapResponse connect(CoapGateway h, String clientId) throws Exception {
    return h.client("/mqtt/connection?clientid=" + clientId).post("", MediaTypeRegistry.TEXT_PLAIN);
  }

  @Test
  void a_device_over_max_connections_gets_5_03_with_max_age_until_one_leaves() throws Exception {
    try (CoapGateway h = CoapGateway.start("listeners.udp.default.max_connections = 2")) {
      CoapResponse a = connect(h, "c1");
      assertThat(connect(h, "c2").getCode()).isEqualTo(ResponseCode.CREATED);
      CoapResponse refused = connect(h, "c3");
      assertThat(refused.getCode()).isEqualTo(ResponseCode.SERVICE_UNAVAILABLE);
      assertThat(refused.getOptions().getMaxAge()).isEqualTo(30L);
      assertThat(h.count("coap.connections.refused")).isEqualTo(1.0);
      // a device posting again replaces its own session: not refused
      assertThat(connect(h, "c2").getCode()).isEqualTo(ResponseCode.CREATED);

      CoapResponse bye = h.client("/mqtt/connection?clientid=c1&token=" + a.getResponseText()).delete();
      assertThat(bye.getCode()).isEqualTo(ResponseCode.DELETED);
      await().atMost(WAIT).until(() -> connect(h, "c3").getCode() == ResponseCode.CREATED);
      assertThat(h.count("coap.connections.refused")).isEqualTo(1.0);
    }
  }

  @Test
  void a_device_over_max_conn_rate_gets_5_03_with_max_age_1() throws Exception {
    try (CoapGateway h = CoapGateway.start("listeners.udp.default.max_conn_rate = \"2/m\"")) {
      assertThat(connect(h, "r1").getCode()).isEqualTo(ResponseCode.CREATED);
      assertThat(connect(h, "r2").getCode()).isEqualTo(ResponseCode.CREATED);
      CoapResponse refused = connect(h, "r3");
      assertThat(refused.getCode()).isEqualTo(ResponseCode.SERVICE_UNAVAILABLE);
      assertThat(refused.getOptions().getMaxAge()).isEqualTo(1L);
      assertThat(h.count("coap.connections.rate_limited")).isEqualTo(1.0);
      assertThat(h.count("coap.connections.refused")).isEqualTo(0.0);
    }
  }

  @Test
  void a_topic_over_max_topic_length_or_max_topic_levels_gets_4_00() throws Exception {
    try (CoapGateway h = CoapGateway.start("max_topic_length = 10", "max_topic_levels = 3")) {
      assertThat(h.client("/ps/a/b/c?clientid=t1").post("x", 0).getCode()).isEqualTo(ResponseCode.CHANGED);
      assertThat(h.client("/ps/aaaa/bbbbbb?clientid=t1").post("x", 0).getCode()).isEqualTo(ResponseCode.BAD_REQUEST);
      assertThat(h.client("/ps/a/b/c/d?clientid=t1").post("x", 0).getCode()).isEqualTo(ResponseCode.BAD_REQUEST);
      assertThat(h.client("/ps/a/b/c/d?clientid=t1").get().getCode()).isEqualTo(ResponseCode.BAD_REQUEST);
      assertThat(h.count("coap.topics.refused")).isEqualTo(3.0);
    }
  }

  @Test
  void an_observe_over_max_observations_gets_5_03_with_max_age_60() throws Exception {
    try (CoapGateway h = CoapGateway.start("max_observations = 2");
        RawCoapPeer peer = new RawCoapPeer(h.address)) {
      established(peer, peer.observe("ps/o/1", "clientid=obs", (byte) 1));
      established(peer, peer.observe("ps/o/2", "clientid=obs", (byte) 2));
      // observing a filter again replaces its relation: not a new one
      established(peer, peer.observe("ps/o/2", "clientid=obs", (byte) 3));
      Response refused = response(peer, peer.observe("ps/o/3", "clientid=obs", (byte) 4));
      assertThat(refused.getCode()).isEqualTo(ResponseCode.SERVICE_UNAVAILABLE);
      assertThat(refused.getOptions().getMaxAge()).isEqualTo(60L);
      assertThat(h.count("coap.observations.refused")).isEqualTo(1.0);
      assertThat(h.subscriptions("obs")).isEqualTo(2);
    }
  }

  @Test
  void an_observe_over_a_broker_subscription_cap_gets_5_03_not_4_03() throws Exception {
    try (CoapGateway h = CoapGateway.builder().config("mqtt.max_topic_tree_nodes = 3").start();
        RawCoapPeer peer = new RawCoapPeer(h.address)) {
      established(peer, peer.observe("ps/t/1", "clientid=tree", (byte) 1)); // nodes t, 1
      Response refused = response(peer, peer.observe("ps/u/v", "clientid=tree", (byte) 2)); // u, v: 4 > 3
      assertThat(refused.getCode()).as("a cap: try later").isEqualTo(ResponseCode.SERVICE_UNAVAILABLE);
      assertThat(h.subscriptions("tree")).isEqualTo(1);
    }
  }

  @Test
  void publishes_over_messages_rate_or_bytes_rate_get_5_03_with_max_age_1() throws Exception {
    try (CoapGateway h = CoapGateway.start("listeners.udp.default.messages_rate = \"3/m\"",
        "listeners.udp.default.bytes_rate = \"20/m\"")) {
      CoapClient m = h.client("/ps/rate?clientid=p1");
      for (int i = 0; i < 3; i++) {
        assertThat(m.post("x", 0).getCode()).isEqualTo(ResponseCode.CHANGED);
      }
      CoapResponse overMessages = m.post("x", 0);
      assertThat(overMessages.getCode()).isEqualTo(ResponseCode.SERVICE_UNAVAILABLE);
      assertThat(overMessages.getOptions().getMaxAge()).isEqualTo(1L);

      CoapClient b = h.client("/ps/rate?clientid=p2"); // another client has its own buckets
      assertThat(b.post("0123456789abcdef", 0).getCode()).isEqualTo(ResponseCode.CHANGED);
      assertThat(b.post("0123456789", 0).getCode()).isEqualTo(ResponseCode.SERVICE_UNAVAILABLE);
      assertThat(h.count("coap.publishes.rate_limited")).isEqualTo(2.0);
      assertThat(h.count("coap.published")).isEqualTo(4.0);
    }
  }

  @Test
  void datagrams_over_source_rate_are_dropped_unanswered_while_other_sources_are_served() throws Exception {
    try (CoapGateway h = CoapGateway.start("listeners.udp.default.source_datagram_rate = \"5/m\"");
        RawCoapPeer flood = new RawCoapPeer(h.address);
        RawCoapPeer other = new RawCoapPeer(h.address, InetAddress.getByName("127.0.0.2"))) {
      for (int i = 0; i < 10; i++) {
        Request r = Request.newPost();
        r.setType(Type.NON);
        r.getOptions().setUriPath("ps/flood").setUriQuery("clientid=f");
        r.setToken(Token.fromProvider(new byte[] {(byte) i}));
        r.setPayload("x");
        flood.send(r);
      }
      await().atMost(WAIT).until(() -> h.count("coap.datagrams.dropped") == 5.0);
      List<Message> answers = flood.receiveFor(Duration.ofMillis(500));
      assertThat(answers).hasSize(5).allSatisfy(m -> assertThat(((Response) m).getCode()).isEqualTo(ResponseCode.CHANGED));
      assertThat(h.count("coap.published")).isEqualTo(5.0);

      Request r = Request.newPost();
      r.setType(Type.CON);
      r.getOptions().setUriPath("ps/flood").setUriQuery("clientid=g");
      r.setToken(Token.fromProvider(new byte[] {42}));
      other.send(r);
      Response ok = response(other, r.getToken());
      assertThat(ok.getCode()).isEqualTo(ResponseCode.CHANGED);
      assertThat(h.count("coap.datagrams.dropped")).isEqualTo(5.0);
    }
  }

  @Test
  void datagrams_over_the_listener_max_datagram_rate_pause_the_reader_and_stay_unread_whatever_their_source()
      throws Exception {
    try (CoapGateway h = CoapGateway.start("listeners.udp.default.max_datagram_rate = \"5/m\"");
        RawCoapPeer a = new RawCoapPeer(h.address);
        RawCoapPeer b = new RawCoapPeer(h.address, InetAddress.getByName("127.0.0.2"))) {
      // each source far under source_datagram_rate: only the listener-wide budget holds them back
      for (int i = 0; i < 10; i++) {
        Request r = Request.newPost();
        r.setType(Type.NON);
        r.getOptions().setUriPath("ps/budget").setUriQuery("clientid=b" + (i % 2));
        r.setToken(Token.fromProvider(new byte[] {(byte) i}));
        r.setPayload("x");
        (i % 2 == 0 ? a : b).send(r);
      }
      // the 6th datagram read parks the receiver for its 12 s; the 4 after it wait in the socket, unread
      await().atMost(WAIT).until(() -> h.count("coap.listener_paused") == 1.0);
      List<Message> answers = new ArrayList<>(a.receiveFor(Duration.ofMillis(500)));
      answers.addAll(b.receiveFor(Duration.ofMillis(100)));
      assertThat(answers).hasSize(5).allSatisfy(m -> assertThat(((Response) m).getCode()).isEqualTo(ResponseCode.CHANGED));
      assertThat(h.count("coap.published")).isEqualTo(5.0);
      assertThat(h.count("coap.datagrams.admitted")).isEqualTo(5.0);
      assertThat(h.count("coap.listener_paused")).isEqualTo(1.0);
      assertThat(h.count("coap.datagrams.dropped")).isEqualTo(0.0);
      assertThat(h.count("coap.datagrams.shed", "reason", "max_datagram_rate")).isEqualTo(0.0);
      assertThat(h.count("coap.datagrams.shed", "reason", "max_backlog")).isEqualTo(0.0);
    }
  }

  @Test
  void a_silent_observer_gets_max_unanswered_notifications_non_then_one_con_and_its_relation_ends() throws Exception {
    try (CoapGateway h = CoapGateway.start("notify_type = non", "max_unanswered_notifications = 5",
            "californium.ack_timeout = 200ms", "californium.max_retransmit = 1");
        RawCoapPeer peer = new RawCoapPeer(h.address)) {
      Token token = peer.observe("ps/stream", "clientid=silent", (byte) 9);
      established(peer, token);
      proven(h, peer, 1); // the device answered the gateway's ping once (half_open_timeout), then went silent
      await().atMost(WAIT).until(() -> h.totalSubscriptions() == 1);

      for (int i = 0; i < 30; i++) {
        h.mqttPublish("stream", "n" + i, 0);
      }
      List<Response> got = new ArrayList<>();
      while (h.count("coap.notifications.timeouts") == 0) {
        Message m = peer.receive(Duration.ofMillis(100)); // never acknowledged
        if (m instanceof Response r && token.equals(r.getToken())) {
          got.add(r);
        }
        assertThat(got.size()).as("5 NON + 1 CON + 1 retransmission at most").isLessThanOrEqualTo(7);
      }
      await().atMost(WAIT).until(() -> h.totalSubscriptions() == 0);
      got.addAll(peer.receiveFor(Duration.ofMillis(500)).stream()
          .filter(m -> m instanceof Response r && token.equals(r.getToken())).map(m -> (Response) m).toList());
      assertThat(got.stream().filter(r -> r.getType() == Type.NON).count()).isEqualTo(5);
      assertThat(got.stream().filter(r -> r.getType() == Type.CON).map(Response::getPayloadString).distinct().toList())
          .containsExactly("n5");
      assertThat(h.count("coap.notifications.checked")).isGreaterThanOrEqualTo(1.0);
      assertThat(h.count("coap.notifications.timeouts")).isEqualTo(1.0);
    }
  }

  @Test
  void an_observer_that_acknowledges_the_check_gets_its_non_budget_back() throws Exception {
    try (CoapGateway h = CoapGateway.start("notify_type = non", "max_unanswered_notifications = 3");
        RawCoapPeer peer = new RawCoapPeer(h.address)) {
      Token token = peer.observe("ps/live", "clientid=alive", (byte) 5);
      established(peer, token);
      proven(h, peer, 1);
      await().atMost(WAIT).until(() -> h.totalSubscriptions() == 1);
      for (int i = 0; i < 10; i++) {
        h.mqttPublish("live", "n" + i, 0);
      }
      List<Response> got = new ArrayList<>();
      long until = System.nanoTime() + WAIT.toNanos();
      while (got.size() < 10 && System.nanoTime() < until) {
        Message m = peer.receive(Duration.ofMillis(100));
        if (m instanceof Response r && token.equals(r.getToken())) {
          if (r.getType() == Type.CON) {
            peer.ack(r);
          }
          if (got.stream().noneMatch(g -> g.getMID() == r.getMID())) {
            got.add(r);
          }
        }
      }
      // 3 NON, then the check (CON, acknowledged), 3 NON, the next check, ...
      assertThat(got).extracting(Response::getType).containsExactly(Type.NON, Type.NON, Type.NON, Type.CON,
          Type.NON, Type.NON, Type.NON, Type.CON, Type.NON, Type.NON);
      assertThat(h.count("coap.notifications.timeouts")).isEqualTo(0.0);
      assertThat(h.totalSubscriptions()).isEqualTo(1);
    }
  }

  /** Answers the gateway's CoAP ping (what a real endpoint does) and waits until {@code n} devices are proven. */
  private static void proven(CoapGateway h, RawCoapPeer peer, int n) {
    await().atMost(WAIT).until(() -> {
      Message m = peer.receive(Duration.ofMillis(50));
      if (m != null && RawCoapPeer.isPing(m)) {
        peer.reject(m);
      }
      return h.count("coap.half_open.proven") == n;
    });
  }

  private static Response response(RawCoapPeer peer, Token token) {
    long until = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < until) {
      Message m = peer.receive(Duration.ofMillis(200));
      if (m instanceof Response r && token.equals(r.getToken())) {
        if (r.getType() == Type.CON) {
          peer.ack(r);
        }
        return r;
      }
    }
    throw new AssertionError("no response for token " + token);
  }

  private static void established(RawCoapPeer peer, Token token) {
    assertThat(response(peer, token).getCode()).isEqualTo(ResponseCode.CONTENT);
  }
}
