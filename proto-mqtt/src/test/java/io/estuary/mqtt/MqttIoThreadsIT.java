package io.estuary.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.estuary.testkit.TestGateway;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code mqtt.io_threads}: the listeners' connections share that many event loops, and delivery keeps its order. */
@Timeout(60)
class MqttIoThreadsIT {
  /** Netty's DefaultThreadFactory names: prefix-poolId-threadId; the accept loop is estuary-mqtt-accept-… */
  private static final Pattern LOOP = Pattern.compile("estuary-mqtt-(\\d+)-\\d+");

  @Test
  void one_io_thread_serves_every_connection_and_each_publishers_qos1_order_holds() throws Exception {
    try (TestGateway gw = TestGateway.builder().config("mqtt.io_threads = 1").start()) {
      Mqtt5BlockingClient sub = client(gw, "io-sub");
      List<Mqtt5BlockingClient> pubs = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        pubs.add(client(gw, "io-pub-" + i));
      }
      try (var publishes = sub.publishes(MqttGlobalPublishFilter.ALL)) {
        sub.subscribeWith().topicFilter("io/+").qos(MqttQos.AT_LEAST_ONCE).send();
        int perPublisher = 200;
        for (int n = 0; n < perPublisher; n++) {
          for (int i = 0; i < pubs.size(); i++) {
            pubs.get(i).publishWith().topic("io/" + i).qos(MqttQos.AT_LEAST_ONCE)
                .payload(ByteBuffer.allocate(4).putInt(0, n)).send();
          }
        }
        Map<String, List<Integer>> got = new HashMap<>();
        for (int k = 0; k < perPublisher * pubs.size(); k++) {
          Optional<Mqtt5Publish> m = publishes.receive(10, TimeUnit.SECONDS);
          assertThat(m).as("message %d of %d", k, perPublisher * pubs.size()).isPresent();
          got.computeIfAbsent(m.get().getTopic().toString(), t -> new ArrayList<>()).add(ByteBuffer.wrap(m.get().getPayloadAsBytes()).getInt());
        }
        List<Integer> inOrder = new ArrayList<>();
        for (int n = 0; n < perPublisher; n++) {
          inOrder.add(n);
        }
        assertThat(got).hasSize(pubs.size()).allSatisfy((topic, seqs) -> assertThat(seqs).as(topic).isEqualTo(inOrder));
      } finally {
        sub.disconnect();
        pubs.forEach(Mqtt5BlockingClient::disconnect);
      }
      // the newest pool of MQTT event loops is this gateway's (started last): four connections, one loop
      Map<Integer, Integer> loopsPerPool = new HashMap<>();
      for (Thread t : Thread.getAllStackTraces().keySet()) {
        Matcher m = LOOP.matcher(t.getName());
        if (m.matches() && t.isAlive()) {
          loopsPerPool.merge(Integer.parseInt(m.group(1)), 1, Integer::sum);
        }
      }
      int newest = loopsPerPool.keySet().stream().mapToInt(Integer::intValue).max().orElseThrow();
      assertThat(loopsPerPool.get(newest)).isEqualTo(1);
    }
  }

  private static Mqtt5BlockingClient client(TestGateway gw, String id) {
    Mqtt5BlockingClient c = Mqtt5Client.builder().identifier(id).serverHost("127.0.0.1").serverPort(gw.mqttPort()).buildBlocking();
    c.connect();
    return c;
  }
}
