package io.estuary.coap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.estuary.coap.support.CoapGateway;
import io.estuary.coap.support.RawCoapPeer;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.californium.core.CoapHandler;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.CoAP.Type;
import org.eclipse.californium.core.coap.Message;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.coap.Token;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Spoofed observers go (issue #13): a connectionless device opened by an observe is unproven until its address
 * answers the CoAP ping the gateway sends (or acknowledges a CON notification); an address that never answers is
 * closed at {@code half_open_timeout}, one that answers keeps its relation.
 */
@Timeout(60)
class CoapHalfOpenIT {
  private static final Duration WAIT = Duration.ofSeconds(10);

  @Test
  void an_observer_whose_address_never_answers_the_ping_is_closed_at_half_open_timeout_and_counted() throws Exception {
    try (CoapGateway h = CoapGateway.start("half_open_timeout = 1s");
        RawCoapPeer spoofed = new RawCoapPeer(h.address)) {
      Token token = spoofed.observe("ps/quiet", "clientid=spoof", (byte) 7);
      List<Message> seen = new ArrayList<>();
      long start = System.nanoTime();
      // the 2.05 that establishes the relation, then the gateway's ping, which this address never answers
      await().atMost(WAIT).until(() -> {
        Message m = spoofed.receive(Duration.ofMillis(100));
        if (m != null) {
          seen.add(m);
        }
        return seen.stream().anyMatch(RawCoapPeer::isPing)
            && seen.stream().anyMatch(x -> x instanceof Response r && token.equals(r.getToken()));
      });
      assertThat(h.totalSubscriptions()).isEqualTo(1);
      await().atMost(WAIT).until(() -> h.count("coap.half_open.timeouts") == 1.0);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(900));
      await().atMost(WAIT).until(() -> h.totalSubscriptions() == 0 && h.session("spoof") == null);

      // nothing more reaches the address: no final notification, no stream (only ping retransmissions may be late)
      h.mqttPublish("quiet", "after", 0);
      List<Message> after = spoofed.receiveFor(Duration.ofMillis(700));
      assertThat(after).allSatisfy(m -> assertThat(RawCoapPeer.isPing(m)).as("only late ping copies: %s", m).isTrue());
      assertThat(h.count("coap.half_open.proven")).isEqualTo(0.0);
    }
  }

  @Test
  void an_observer_that_answers_the_ping_is_proven_and_kept_past_half_open_timeout() throws Exception {
    try (CoapGateway h = CoapGateway.start("half_open_timeout = 1s", "notify_type = non");
        RawCoapPeer peer = new RawCoapPeer(h.address)) {
      Token token = peer.observe("ps/quiet2", "clientid=real", (byte) 8);
      boolean[] established = {false};
      await().atMost(WAIT).until(() -> {
        Message m = peer.receive(Duration.ofMillis(100));
        if (m != null && RawCoapPeer.isPing(m)) {
          peer.reject(m); // what every CoAP endpoint answers to an empty CON
        }
        if (m instanceof Response r && token.equals(r.getToken())) {
          established[0] = true;
        }
        return established[0] && h.count("coap.half_open.proven") == 1.0;
      });
      // well past the timeout the relation is still there, and proven it gets NON notifications again
      List<Message> quiet = peer.receiveFor(Duration.ofMillis(2000));
      assertThat(quiet).noneMatch(m -> m instanceof Response);
      assertThat(h.count("coap.half_open.timeouts")).isEqualTo(0.0);
      assertThat(h.totalSubscriptions()).isEqualTo(1);
      h.mqttPublish("quiet2", "news", 0);
      Response n = notification(peer, token);
      assertThat(n.getPayloadString()).isEqualTo("news");
      assertThat(n.getType()).isEqualTo(Type.NON);
    }
  }

  @Test
  void while_unproven_notifications_go_con_and_an_acknowledged_one_proves_the_observer() throws Exception {
    try (CoapGateway h = CoapGateway.start("half_open_timeout = 2s", "notify_type = non");
        RawCoapPeer peer = new RawCoapPeer(h.address)) {
      Token token = peer.observe("ps/busy", "clientid=acker", (byte) 9);
      assertThat(notification(peer, token).getCode()).isEqualTo(ResponseCode.CONTENT); // the establishing 2.05
      await().atMost(WAIT).until(() -> h.totalSubscriptions() == 1);
      h.mqttPublish("busy", "first", 0);
      Response first = notification(peer, token); // the ping is ignored here: only the ACK can prove the address
      assertThat(first.getType()).isEqualTo(Type.CON);
      peer.ack(first);
      await().atMost(WAIT).until(() -> h.count("coap.half_open.proven") == 1.0);
      h.mqttPublish("busy", "second", 0);
      Response second = notification(peer, token);
      assertThat(second.getPayloadString()).isEqualTo("second");
      assertThat(second.getType()).isEqualTo(Type.NON);
      peer.receiveFor(Duration.ofMillis(2500));
      assertThat(h.count("coap.half_open.timeouts")).isEqualTo(0.0);
      assertThat(h.totalSubscriptions()).isEqualTo(1);
    }
  }

  @Test
  void a_californium_client_observing_a_quiet_topic_is_proven_by_its_own_endpoint_and_keeps_getting_notifications()
      throws Exception {
    try (CoapGateway h = CoapGateway.start("half_open_timeout = 1s")) {
      List<CoapResponse> got = new CopyOnWriteArrayList<>();
      h.client("/ps/idle/topic?clientid=cf1").observe(new CoapHandler() {
        @Override
        public void onLoad(CoapResponse r) {
          got.add(r);
        }

        @Override
        public void onError() {
        }
      });
      await().atMost(WAIT).until(() -> got.size() == 1 && h.count("coap.half_open.proven") == 1.0);
      await().pollDelay(Duration.ofMillis(1500)).atMost(WAIT).until(() -> true); // past the timeout
      assertThat(h.count("coap.half_open.timeouts")).isEqualTo(0.0);
      h.mqttPublish("idle/topic", "late", 1);
      await().atMost(WAIT).until(() -> got.size() == 2);
      assertThat(got.get(1).getResponseText()).isEqualTo("late");
    }
  }

  @Test
  void an_observe_past_max_half_open_gets_503_and_a_proven_observer_gives_its_place_back() throws Exception {
    try (CoapGateway h = CoapGateway.start("half_open_timeout = 10s", "max_half_open = 2");
        RawCoapPeer a = new RawCoapPeer(h.address, InetAddress.getByAddress(new byte[] {127, 0, 8, 1}));
        RawCoapPeer b = new RawCoapPeer(h.address, InetAddress.getByAddress(new byte[] {127, 0, 8, 2}));
        RawCoapPeer c = new RawCoapPeer(h.address, InetAddress.getByAddress(new byte[] {127, 0, 8, 3}))) {
      Token ta = a.observe("ps/ho/a", "clientid=ho-a", (byte) 1);
      assertThat(answer(a, ta).getCode()).isNotEqualTo(ResponseCode.SERVICE_UNAVAILABLE);
      Token tb = b.observe("ps/ho/b", "clientid=ho-b", (byte) 2);
      assertThat(answer(b, tb).getCode()).isNotEqualTo(ResponseCode.SERVICE_UNAVAILABLE);
      // two unproven observers hold both places: the third address is refused with the protocol's code
      Token tc = c.observe("ps/ho/c", "clientid=ho-c", (byte) 3);
      assertThat(answer(c, tc).getCode()).isEqualTo(ResponseCode.SERVICE_UNAVAILABLE);
      assertThat(h.count("coap.half_open.refused")).isEqualTo(1.0);
      assertThat(h.totalSubscriptions()).isEqualTo(2);
      assertThat(h.scrape("estuary_coap_half_open")).isEqualTo(2.0);
      // a answers its ping: proven, it gives its place back and c's next observe opens
      await().atMost(WAIT).until(() -> {
        Message m = a.receive(Duration.ofMillis(100));
        if (m != null && RawCoapPeer.isPing(m)) {
          a.reject(m);
        }
        return h.count("coap.half_open.proven") == 1.0;
      });
      Token tc2 = c.observe("ps/ho/c", "clientid=ho-c", (byte) 4);
      assertThat(answer(c, tc2).getCode()).isNotEqualTo(ResponseCode.SERVICE_UNAVAILABLE);
      assertThat(h.count("coap.half_open.refused")).isEqualTo(1.0);
      await().atMost(WAIT).until(() -> h.totalSubscriptions() == 3);
    }
  }

  /** The first response to the request with {@code token} (pings in between are left unanswered). */
  private static Response answer(RawCoapPeer peer, Token token) {
    Response[] found = {null};
    await().atMost(WAIT).until(() -> {
      Message m = peer.receive(Duration.ofMillis(100));
      if (m instanceof Response r && token.equals(r.getToken())) {
        found[0] = r;
      }
      return found[0] != null;
    });
    return found[0];
  }

  private static Response notification(RawCoapPeer peer, Token token) {
    long until = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < until) {
      Message m = peer.receive(Duration.ofMillis(200));
      if (m instanceof Response r && token.equals(r.getToken())) {
        return r;
      }
    }
    throw new AssertionError("no notification for token " + token);
  }
}
