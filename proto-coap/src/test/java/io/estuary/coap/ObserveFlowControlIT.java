package io.estuary.coap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.estuary.coap.support.CoapGateway;
import io.estuary.coap.support.RawCoapPeer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.CoAP.Type;
import org.eclipse.californium.core.coap.Message;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.coap.Token;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Observers that stop acknowledging, seen from a raw UDP socket: a CON notification that times out
 * ends its relation (RFC 7641 §4.5) and its MQTT subscription; a client whose notifications are all in
 * flight has further deliveries dropped and counted.
 */
@Timeout(60)
class ObserveFlowControlIT {
  private static final Duration WAIT = Duration.ofSeconds(5);

  @Test
  void con_notification_that_is_never_acknowledged_cancels_the_relation_and_is_counted() throws Exception {
    try (CoapGateway h = CoapGateway.start("notify_type = con", "californium.ack_timeout = 200ms",
            "californium.max_retransmit = 1");
        RawCoapPeer peer = new RawCoapPeer(h.address)) {
      Token token = peer.observe("ps/alarm", "clientid=raw1", (byte) 7);
      Response established = established(peer, token);
      assertThat(established.getOptions().hasObserve()).isTrue();
      await().atMost(WAIT).until(() -> h.totalSubscriptions() == 1);

      h.mqttPublish("alarm", "fire", 0);
      List<Response> copies = new ArrayList<>();
      while (h.count("coap.notifications.timeouts") == 0) {
        Message m = peer.receive(Duration.ofMillis(100)); // never acknowledged
        if (m instanceof Response r && token.equals(r.getToken())) {
          copies.add(r);
        }
        assertThat(copies.size()).as("original + 1 retransmission at most").isLessThanOrEqualTo(2);
      }
      assertThat(copies).isNotEmpty().allSatisfy(r -> {
        assertThat(r.getType()).isEqualTo(Type.CON);
        assertThat(r.getPayloadString()).isEqualTo("fire");
      });
      await().atMost(WAIT).until(() -> h.totalSubscriptions() == 0);

      // the relation is gone: a later publish is neither notified nor queued
      h.mqttPublish("alarm", "again", 0);
      assertThat(peer.receiveFor(Duration.ofMillis(700))).extracting(Message::getPayloadString).doesNotContain("again");
      assertThat(h.count("coap.notifications.timeouts")).isEqualTo(1.0);
    }
  }

  @Test
  void deliveries_beyond_max_pending_notifications_are_dropped_and_counted() throws Exception {
    try (CoapGateway h = CoapGateway.start("notify_type = con", "max_pending_notifications = 3",
            "californium.ack_timeout = 10s");
        RawCoapPeer peer = new RawCoapPeer(h.address)) {
      // two relations of one client on overlapping filters: each message is two notifications
      Token all = peer.observe("ps/d/%23", "clientid=raw2", (byte) 1);
      established(peer, all);
      Token one = peer.observe("ps/d/+", "clientid=raw2", (byte) 2);
      established(peer, one);
      await().atMost(WAIT).until(() -> h.totalSubscriptions() == 2);

      // m1 fills two of the three slots and is never acknowledged; m2..m4 need two slots each
      for (int i = 1; i <= 4; i++) {
        h.mqttPublish("d/x", "m" + i, 0);
      }
      await().atMost(WAIT).until(() -> h.count("coap.notifications.dropped") == 3.0);
      // m1 once per relation, then nothing else
      List<String> seen = new ArrayList<>();
      long until = System.nanoTime() + WAIT.toNanos();
      // notifications only: the CoAP ping that proves the observer's address (an empty CON) may come at any time
      while (seen.stream().filter("m1"::equals).count() < 2 && System.nanoTime() < until) {
        Message m = peer.receive(Duration.ofMillis(100));
        if (m instanceof Response) {
          seen.add(new String(m.getPayload(), StandardCharsets.UTF_8));
        }
      }
      peer.receiveFor(Duration.ofMillis(300)).stream().filter(Response.class::isInstance)
          .forEach(m -> seen.add(new String(m.getPayload(), StandardCharsets.UTF_8)));
      assertThat(seen).containsExactly("m1", "m1");
      assertThat(h.count("coap.notifications.dropped")).isEqualTo(3.0);
    }
  }

  /** The 2.05 that establishes a relation (piggybacked on the ACK, or a CON that gets acknowledged). */
  private static Response established(RawCoapPeer peer, Token token) {
    long until = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < until) {
      Message m = peer.receive(Duration.ofMillis(200));
      if (m instanceof Response r && token.equals(r.getToken())) {
        assertThat(r.getCode()).isEqualTo(ResponseCode.CONTENT);
        if (r.getType() == Type.CON) {
          peer.ack(r);
        }
        return r;
      }
    }
    throw new AssertionError("no 2.05 for the observe request");
  }
}
