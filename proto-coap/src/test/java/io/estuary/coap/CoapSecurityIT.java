package io.estuary.coap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.estuary.coap.support.CoapGateway;
import java.time.Duration;
import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.Request;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue #12's CoAP attacks with a real Californium client: a retained read of a topic the reader may not
 * subscribe to, and connectionless observes that try to use another client's live device session. Each
 * is refused with 4.03 (the client records the code) and counted in {@code coap.drops}.
 */
@Timeout(60)
class CoapSecurityIT {
  private static final Duration WAIT = Duration.ofSeconds(5);

  static CoapGateway gateway() {
    return CoapGateway.builder()
        .config("""
            authentication {
              allow_anonymous = true
              users = [{ username = "alice", password = "a-pw" }, { username = "bob", password = "b-pw" }]
            }
            authorization {
              no_match = allow
              rules = [{ permission = deny, who = "all", action = subscribe, topics = ["secret/#"] }]
            }
            """)
        .start();
  }

  static CoapResponse observe(CoapClient c) throws Exception {
    Request r = Request.newGet();
    r.setObserve();
    return c.advanced(r);
  }

  @Test
  void the_cores_client_id_rules_are_answered_with_coap_codes() throws Exception {
    try (CoapGateway h = gateway()) {
      assertThat(h.client("/mqtt/connection?clientid=dev%2B1").post("", 0).getCode()).isEqualTo(ResponseCode.BAD_REQUEST);
      assertThat(h.client("/mqtt/connection?clientid=%24uplink%2Fcloud").post("", 0).getCode()).isEqualTo(ResponseCode.FORBIDDEN);
      assertThat(h.session("dev+1")).isNull();
      assertThat(h.session("$uplink/cloud")).isNull();
    }
  }

  @Test
  void a_retained_read_is_authorized_as_a_subscription() throws Exception {
    try (CoapGateway h = gateway()) {
      h.mqttPublish("secret/plan", "hidden", 1, true, null);
      h.mqttPublish("open/news", "public", 1, true, null);
      await().atMost(WAIT).until(() -> h.client("/ps/open/news?clientid=reader").get().getCode() == ResponseCode.CONTENT);
      double before = h.count("coap.drops");
      CoapResponse denied = h.client("/ps/secret/plan?clientid=reader").get();
      assertThat(denied.getCode()).isEqualTo(ResponseCode.FORBIDDEN);
      assertThat(denied.getResponseText()).doesNotContain("hidden");
      assertThat(h.count("coap.drops")).isGreaterThan(before);
    }
  }

  @Test
  void a_connectionless_observe_cannot_attach_to_another_clients_connection_mode_device() throws Exception {
    try (CoapGateway h = gateway()) {
      CoapResponse created = h.client("/mqtt/connection?clientid=victim&username=alice&password=a-pw").post("", 0);
      assertThat(created.getCode()).isEqualTo(ResponseCode.CREATED);
      CoapResponse thief = observe(h.client("/ps/devices/%23?clientid=victim"));
      assertThat(thief.getCode()).isEqualTo(ResponseCode.FORBIDDEN);
      assertThat(h.subscriptions("victim")).isZero();
      assertThat(h.session("victim").username()).isEqualTo("alice");
    }
  }

  @Test
  void a_connectionless_observe_cannot_join_another_identitys_connectionless_device() throws Exception {
    try (CoapGateway h = gateway()) {
      CoapResponse first = observe(h.client("/ps/alice/in?clientid=shared&username=alice&password=a-pw"));
      assertThat(first.getCode()).isEqualTo(ResponseCode.CONTENT);
      await().atMost(WAIT).until(() -> h.subscriptions("shared") == 1);
      CoapResponse bob = observe(h.client("/ps/alice/%23?clientid=shared&username=bob&password=b-pw"));
      assertThat(bob.getCode()).isEqualTo(ResponseCode.FORBIDDEN);
      CoapResponse anonymous = observe(h.client("/ps/alice/%23?clientid=shared"));
      assertThat(anonymous.getCode()).isEqualTo(ResponseCode.FORBIDDEN);
      CoapResponse unsubscribe = h.client("/ps/alice/in?clientid=shared").advanced(observeCancel());
      assertThat(unsubscribe.getCode()).isEqualTo(ResponseCode.FORBIDDEN);
      assertThat(h.subscriptions("shared")).isEqualTo(1);
      // the owner goes on: a second observe with the same identity joins its own device
      assertThat(observe(h.client("/ps/alice/more?clientid=shared&username=alice&password=a-pw")).getCode())
          .isEqualTo(ResponseCode.CONTENT);
    }
  }

  @Test
  void an_observe_of_a_denied_filter_is_refused_with_forbidden() throws Exception {
    try (CoapGateway h = gateway()) {
      CoapResponse r = observe(h.client("/ps/secret/%23?clientid=snoop"));
      assertThat(r.getCode()).isEqualTo(ResponseCode.FORBIDDEN);
    }
  }

  static Request observeCancel() {
    Request r = Request.newGet();
    r.setObserveCancel();
    return r;
  }
}
