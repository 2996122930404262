package io.estuary.uplink;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

/** hivemq-mqtt-client helpers for the ITs: a subscriber that records what it gets, a publisher. */
final class Clients {
  private Clients() {}

  /** A connected MQTT 5 client that records every message it receives. */
  static final class Recorder implements AutoCloseable {
    final Mqtt5BlockingClient client;
    final List<Mqtt5Publish> received = new CopyOnWriteArrayList<>();

    Recorder(Mqtt5BlockingClient client) {
      this.client = client;
      client.toAsync().publishes(MqttGlobalPublishFilter.ALL, received::add);
    }

    Recorder subscribe(String filter, int qos) {
      client.subscribeWith().topicFilter(filter).qos(MqttQos.fromCode(qos)).send();
      return this;
    }

    List<String> payloads(String topicPrefix) {
      return received.stream().filter(p -> p.getTopic().toString().startsWith(topicPrefix))
          .map(p -> new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8)).collect(Collectors.toList());
    }

    List<String> topics() {
      return received.stream().map(p -> p.getTopic().toString()).collect(Collectors.toList());
    }

    long count(String topic) {
      return received.stream().filter(p -> p.getTopic().toString().equals(topic)).count();
    }

    void publish(String topic, String payload, int qos) {
      client.publishWith().topic(topic).qos(MqttQos.fromCode(qos)).payload(payload.getBytes(StandardCharsets.UTF_8)).send();
    }

    @Override
    public void close() {
      try {
        client.disconnect();
      } catch (RuntimeException ignored) {
        // already gone with its broker
      }
    }
  }

  static Recorder connect(int port) {
    Mqtt5BlockingClient c = MqttClient.builder().useMqttVersion5().identifier("it-" + UUID.randomUUID())
        .serverHost("127.0.0.1").serverPort(port).buildBlocking();
    c.connect();
    return new Recorder(c);
  }

  /** A persistent-session client that reconnects by itself (survives a broker restart with persistence). */
  static Recorder connectPersistent(int port, String clientId) {
    Mqtt5BlockingClient c = MqttClient.builder().useMqttVersion5().identifier(clientId)
        .serverHost("127.0.0.1").serverPort(port)
        .automaticReconnect().initialDelay(100, java.util.concurrent.TimeUnit.MILLISECONDS)
        .maxDelay(500, java.util.concurrent.TimeUnit.MILLISECONDS).applyAutomaticReconnect()
        .buildBlocking();
    c.connectWith().cleanStart(false).sessionExpiryInterval(600).send();
    return new Recorder(c);
  }
}
