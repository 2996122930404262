package io.estuary.coap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.estuary.coap.support.CoapGateway;
import io.estuary.testkit.TestStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Connection-mode tokens kept in the durable store across gateway restarts. */
@Timeout(60)
class CoapRestartIT {
  private static final Duration WAIT = Duration.ofSeconds(5);
  @TempDir Path dir;

  interface Run {
    void run(CoapGateway h) throws Exception;
  }

  void run(Run body) throws Exception {
    try (CoapGateway h = CoapGateway.builder().coap("connection_required = true", "heartbeat = 30s").persistence(dir).start()) {
      body.run(h);
    }
  }

  @Test
  void a_token_survives_a_restart_until_the_device_deletes_its_connection() throws Exception {
    String[] token = new String[1];
    run(h -> {
      token[0] = h.client("/mqtt/connection?clientid=dev-r&username=alice&password=p").post("", 0).getResponseText();
      assertThat(token[0]).isNotBlank();
    });
    run(h -> {
      assertThat(h.session("dev-r")).as("restored at start, before any request").isNotNull();
      assertThat(h.session("dev-r").username()).isEqualTo("alice");
      List<Mqtt5Publish> got = h.mqttSubscribe("r/#");
      assertThat(h.client("/ps/r/1?clientid=dev-r&token=" + token[0]).post("after restart", 0).getCode())
          .isEqualTo(ResponseCode.CHANGED);
      await().atMost(WAIT).until(() -> got.size() == 1);
      assertThat(CoapGateway.text(got.get(0))).isEqualTo("after restart");
      assertThat(h.client("/mqtt/connection?clientid=dev-r&token=wrong").put("", 0).getCode())
          .isEqualTo(ResponseCode.UNAUTHORIZED);
      assertThat(h.client("/mqtt/connection?clientid=dev-r&token=" + token[0]).put("", 0).getCode())
          .isEqualTo(ResponseCode.CHANGED);
      assertThat(h.client("/mqtt/connection?clientid=dev-r&token=" + token[0]).delete().getCode())
          .isEqualTo(ResponseCode.DELETED);
      await().atMost(WAIT).until(() -> h.session("dev-r") == null);
    });
    run(h -> {
      assertThat(h.session("dev-r")).as("DELETE forgot the token").isNull();
      assertThat(h.client("/mqtt/connection?clientid=dev-r&token=" + token[0]).put("", 0).getCode())
          .isEqualTo(ResponseCode.UNAUTHORIZED);
    });
  }

  @Test
  void a_new_post_replaces_the_stored_token_and_a_lapsed_heartbeat_forgets_it() throws Exception {
    String[] tokens = new String[2];
    run(h -> {
      tokens[0] = h.client("/mqtt/connection?clientid=dev-n").post("", 0).getResponseText();
      tokens[1] = h.client("/mqtt/connection?clientid=dev-n").post("", 0).getResponseText();
      assertThat(tokens[1]).isNotEqualTo(tokens[0]);
    });
    run(h -> {
      assertThat(h.client("/mqtt/connection?clientid=dev-n&token=" + tokens[0]).put("", 0).getCode())
          .isEqualTo(ResponseCode.UNAUTHORIZED);
      assertThat(h.client("/mqtt/connection?clientid=dev-n&token=" + tokens[1]).put("", 0).getCode())
          .isEqualTo(ResponseCode.CHANGED);
    });
    try (CoapGateway h = CoapGateway.builder().coap("connection_required = true", "heartbeat = 300ms").persistence(dir).start()) {
      await().atMost(WAIT).until(() -> h.session("dev-n") == null); // restored, then its heartbeat lapsed
    }
    run(h -> assertThat(h.session("dev-n")).isNull());
  }

  @Test
  void a_token_stored_by_the_previous_version_is_restored() throws Exception {
    // what 0.1 wrote: namespace coap-connections, key = client id, StoredConnection format 1
    try (TestStore store = TestStore.rocksDb(dir)) {
      store.storedKeyValues("coap-connections").put("dev-old",
          new StoredConnection("0123456789abcdef", "bob", "udp:default").encode());
    }
    run(h -> {
      assertThat(h.session("dev-old")).as("restored at start").isNotNull();
      assertThat(h.session("dev-old").username()).isEqualTo("bob");
      assertThat(h.client("/mqtt/connection?clientid=dev-old&token=0123456789abcdef").put("", 0).getCode())
          .isEqualTo(ResponseCode.CHANGED);
    });
  }
}
