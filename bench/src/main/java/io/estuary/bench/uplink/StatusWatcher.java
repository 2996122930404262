package io.estuary.bench.uplink;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Follows the uplink's retained status JSON on Estuary ({@code $SYS/brokers/+/uplink/<name>/status}). */
final class StatusWatcher implements AutoCloseable {
  private static final Pattern BACKLOG = Pattern.compile("\"backlog\":(\\d+)");

  private final Mqtt5AsyncClient client;
  private volatile String last = "";

  StatusWatcher(int port, String uplink) {
    client = MqttClient.builder().useMqttVersion5().identifier("uplink-bench-status")
        .serverHost("127.0.0.1").serverPort(port).buildAsync();
    client.publishes(MqttGlobalPublishFilter.ALL, p -> last = new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8));
    client.connect().join();
    client.subscribeWith().topicFilter("$SYS/brokers/+/uplink/" + uplink + "/status").qos(MqttQos.AT_MOST_ONCE).send().join();
  }

  boolean connected() {
    return last.contains("\"connected\":true");
  }

  boolean disconnected() {
    return last.contains("\"connected\":false");
  }

  /** The backlog of the last status, -1 before the first. */
  long backlog() {
    Matcher m = BACKLOG.matcher(last);
    return m.find() ? Long.parseLong(m.group(1)) : -1;
  }

  String last() {
    return last;
  }

  @Override
  public void close() {
    client.disconnect().exceptionally(e -> null).join();
  }
}
