package io.estuary.coap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.estuary.coap.support.CoapGateway;
import io.estuary.coap.support.RawCoapPeer;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.CoAP.Type;
import org.eclipse.californium.core.coap.Message;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.coap.Token;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Message ids for the gateway's own messages (NON responses, pings, notifications) with a bounded table of peers
 * ({@code californium.max_active_peers}, issue #13): past the bound a new peer takes the place of one not seen lately,
 * so devices new to the gateway after a flood of addresses are still answered and pinged. Californium's own table
 * refused every new peer for {@code max_peer_inactivity} (10 minutes) once full.
 */
@Timeout(60)
class CoapMessageIdsIT {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final int PEERS = 3;

  @Test
  void peers_past_max_active_peers_still_get_their_non_responses_and_the_table_stays_at_the_bound() throws Exception {
    try (CoapGateway h = CoapGateway.start("californium.max_active_peers = " + PEERS)) {
      List<RawCoapPeer> peers = new ArrayList<>();
      try {
        for (int i = 1; i <= 8; i++) {
          RawCoapPeer p = new RawCoapPeer(h.address, InetAddress.getByAddress(new byte[] {127, 0, 6, (byte) i}));
          peers.add(p);
          Response got = nonGet(p, (byte) i);
          assertThat(got.getType()).as("peer %d", i).isEqualTo(Type.NON);
          assertThat(got.getCode()).isEqualTo(ResponseCode.NOT_FOUND);
        }
      } finally {
        peers.forEach(RawCoapPeer::close);
      }
      assertThat(h.scrape("estuary_coap_mid_peers")).isEqualTo(PEERS);
      assertThat(h.scrape("estuary_coap_mid_peers_evicted_total")).isEqualTo(8 - PEERS);
    }
  }

  @Test
  void an_observer_new_after_the_table_filled_is_pinged_and_proven() throws Exception {
    try (CoapGateway h = CoapGateway.start("californium.max_active_peers = " + PEERS, "half_open_timeout = 5s")) {
      List<RawCoapPeer> peers = new ArrayList<>();
      try {
        for (int i = 1; i <= PEERS; i++) { // the table full of peers that were just sent a message id
          RawCoapPeer p = new RawCoapPeer(h.address, InetAddress.getByAddress(new byte[] {127, 0, 7, (byte) i}));
          peers.add(p);
          nonGet(p, (byte) i);
        }
      } finally {
        peers.forEach(RawCoapPeer::close);
      }
      try (RawCoapPeer device = new RawCoapPeer(h.address, InetAddress.getByAddress(new byte[] {127, 0, 7, 100}))) {
        Token token = device.observe("ps/mids", "clientid=late", (byte) 9);
        boolean[] pinged = {false};
        await().atMost(WAIT).until(() -> {
          Message m = device.receive(Duration.ofMillis(100));
          if (m != null && RawCoapPeer.isPing(m)) {
            pinged[0] = true;
            device.reject(m); // what every CoAP endpoint answers to an empty CON
          }
          return pinged[0] && h.count("coap.half_open.proven") == 1.0;
        });
        assertThat(h.count("coap.half_open.timeouts")).isEqualTo(0.0);
        assertThat(token).isNotNull();
      }
      assertThat(h.scrape("estuary_coap_mid_peers")).isEqualTo(PEERS);
    }
  }

  /** A NON GET of a path that does not exist (answered NON 4.04, which needs a message id for the peer). */
  private static Response nonGet(RawCoapPeer peer, byte tokenByte) {
    Request r = Request.newGet();
    r.setType(Type.NON);
    r.getOptions().setUriPath("nothing/here");
    r.setToken(Token.fromProvider(new byte[] {tokenByte}));
    peer.send(r);
    return response(peer, r.getToken());
  }

  private static Response response(RawCoapPeer peer, Token token) {
    Response[] found = {null};
    await().atMost(WAIT).until(() -> {
      Message m = peer.receive(Duration.ofMillis(100));
      if (m instanceof Response r && r.getToken().equals(token)) {
        found[0] = r;
      }
      return found[0] != null;
    });
    return found[0];
  }
}
