package io.estuary.coap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
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
 * Duplicate detection with a hard entry cap (issue #13, {@code californium.max_dedup_entries}): a retransmitted CON
 * within the cap is answered from the store and acted on once; requests from many sources past the cap evict the
 * oldest entries, counted, and the store stays at the cap — an evicted request's retransmission is processed again.
 */
@Timeout(60)
class CoapDedupIT {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final int CAP = 50;

  @Test
  void a_retransmitted_con_post_within_the_cap_gets_the_same_response_and_is_published_once() throws Exception {
    try (CoapGateway h = CoapGateway.start("californium.max_dedup_entries = " + CAP);
        RawCoapPeer device = new RawCoapPeer(h.address)) {
      List<Mqtt5Publish> got = h.mqttSubscribe("dedup/#");
      Request post = post("ps/dedup/once", "clientid=dev", "once", (byte) 1);
      device.send(post);
      Response first = response(device, post);
      device.resend(post);
      Response again = response(device, post);
      assertThat(first.getCode()).isEqualTo(ResponseCode.CHANGED);
      assertThat(again.getMID()).isEqualTo(first.getMID()).isEqualTo(post.getMID());
      assertThat(again.getType()).isEqualTo(Type.ACK);
      assertThat(again.getCode()).isEqualTo(first.getCode());
      // a later publish arrives after anything the retransmission could have published
      Request marker = post("ps/dedup/marker", "clientid=dev", "marker", (byte) 2);
      device.send(marker);
      response(device, marker);
      await().atMost(WAIT).until(() -> texts(got).contains("marker"));
      assertThat(texts(got)).containsExactly("once", "marker");
      assertThat(h.scrape("estuary_coap_dedup_evicted_total")).isEqualTo(0.0);
    }
  }

  @Test
  void requests_from_many_sources_past_the_cap_keep_the_store_at_the_cap_and_count_each_eviction() throws Exception {
    try (CoapGateway h = CoapGateway.start("californium.max_dedup_entries = " + CAP);
        RawCoapPeer device = new RawCoapPeer(h.address)) {
      List<Mqtt5Publish> got = h.mqttSubscribe("dedup/#");
      Request old = post("ps/dedup/old", "clientid=dev", "old", (byte) 1);
      device.send(old);
      response(device, old);
      // 40 sources × 3 NON requests (to a path that does not exist: answered 4.04, still remembered)
      int sources = 40;
      int each = 3;
      List<RawCoapPeer> peers = new ArrayList<>();
      try {
        for (int i = 0; i < sources; i++) {
          RawCoapPeer p = new RawCoapPeer(h.address, InetAddress.getByAddress(new byte[] {127, 0, 3, (byte) (i + 1)}));
          peers.add(p);
          for (int k = 0; k < each; k++) {
            Request r = Request.newGet();
            r.setType(Type.NON);
            r.getOptions().setUriPath("nothing/here");
            r.setToken(Token.fromProvider(new byte[] {(byte) i, (byte) k}));
            p.send(r);
          }
        }
        int total = 1 + sources * each;
        await().atMost(WAIT).until(() -> h.scrape("estuary_coap_dedup_evicted_total") == total - CAP);
        assertThat(h.scrape("estuary_coap_dedup_entries")).isEqualTo(CAP);
      } finally {
        peers.forEach(RawCoapPeer::close);
      }
      // the first POST was evicted: its retransmission is taken as a new request and published again (documented)
      device.resend(old);
      assertThat(response(device, old).getCode()).isEqualTo(ResponseCode.CHANGED);
      await().atMost(WAIT).until(() -> texts(got).size() == 2);
      assertThat(texts(got)).containsExactly("old", "old");
      assertThat(h.scrape("estuary_coap_dedup_entries")).isEqualTo(CAP);
    }
  }

  private static Request post(String path, String query, String payload, byte token) {
    Request r = Request.newPost();
    r.setType(Type.CON);
    r.getOptions().setUriPath(path).setUriQuery(query);
    r.setToken(Token.fromProvider(new byte[] {token}));
    r.setPayload(payload);
    return r;
  }

  private static Response response(RawCoapPeer peer, Request to) {
    Response[] found = {null};
    await().atMost(WAIT).until(() -> {
      Message m = peer.receive(Duration.ofMillis(100));
      if (m instanceof Response r && r.getToken().equals(to.getToken())) {
        found[0] = r;
      }
      return found[0] != null;
    });
    return found[0];
  }

  private static List<String> texts(List<Mqtt5Publish> got) {
    return got.stream().map(CoapGateway::text).toList();
  }


}
