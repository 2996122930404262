package io.estuary.lwm2m.it;


import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/** A real MQTT 5 client on the test gateway that records everything under {@code lwm2m/#}. */
final class MqttProbe implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();

  record Received(String topic, JsonNode json) {}

  private final Mqtt5BlockingClient client;
  final List<Received> received = new CopyOnWriteArrayList<>();

  MqttProbe(int port) {
    this(port, "probe-" + System.nanoTime(), false);
  }

  /**
   * {@code persistent}: a session that outlives the connection (and a gateway restart on the same store),
   * so that what is published while it reconnects waits for it (QoS 1 messages).
   */
  MqttProbe(int port, String clientId, boolean persistent) {
    client = MqttClient.builder().useMqttVersion5().identifier(clientId)
        .serverHost("127.0.0.1").serverPort(port).buildBlocking();
    // every publish, also those queued for a persistent session before the subscription is repeated
    client.toAsync().publishes(com.hivemq.client.mqtt.MqttGlobalPublishFilter.ALL, p -> {
      try {
        received.add(new Received(p.getTopic().toString(), JSON.readTree(p.getPayloadAsBytes())));
      } catch (java.io.IOException e) {
        received.add(new Received(p.getTopic().toString(), JSON.createObjectNode().put("unparsable", true)));
      }
    });
    client.connectWith().cleanStart(!persistent).sessionExpiryInterval(persistent ? 600 : 0).send();
    client.toAsync().subscribeWith().topicFilter("lwm2m/#").qos(MqttQos.AT_LEAST_ONCE).send().join();
  }

  void command(String endpoint, String json) {
    client.publishWith().topic("lwm2m/" + endpoint + "/dn").payload(json.getBytes(StandardCharsets.UTF_8)).send();
  }

  void commandWithExpiry(String endpoint, String json, long seconds) {
    client.publishWith().topic("lwm2m/" + endpoint + "/dn").payload(json.getBytes(StandardCharsets.UTF_8))
        .messageExpiryInterval(seconds).send();
  }

  /** Waits for the first message on {@code topic} matching {@code p}. */
  JsonNode await(String topic, Predicate<JsonNode> p) {
    return await(topic, p, Duration.ofSeconds(10));
  }

  JsonNode await(String topic, Predicate<JsonNode> p, Duration within) {
    return org.awaitility.Awaitility.await().atMost(within).until(() -> find(topic, p), r -> r != null);
  }

  /** Waits for the response with {@code reqID}. */
  JsonNode response(String endpoint, int reqId) {
    return await("lwm2m/" + endpoint + "/up/resp", j -> j.path("reqID").asInt(-1) == reqId);
  }

  JsonNode find(String topic, Predicate<JsonNode> p) {
    for (Received r : received) {
      if (r.topic().equals(topic) && p.test(r.json())) {
        return r.json();
      }
    }
    return null;
  }

  @Override
  public void close() {
    client.disconnect();
  }
}
