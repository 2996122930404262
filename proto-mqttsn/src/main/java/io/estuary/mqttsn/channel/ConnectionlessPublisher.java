package io.estuary.mqttsn.channel;

import io.estuary.api.ClientInfo;
import io.estuary.api.Message;
import io.estuary.api.topic.Mountpoint;
import io.estuary.mqttsn.MqttSnConfig;
import io.estuary.mqttsn.codec.MqttSnFrame.Publish;
import io.estuary.mqttsn.codec.TopicRef;
import java.net.InetSocketAddress;

/**
 * QoS -1 PUBLISH from a client without a connection (MQTT-SN 1.2 §6.8): only predefined ids and short
 * names can be resolved, and the message goes out as QoS 0 through {@code GatewayContext.publish}.
 * Stateless.
 */
public final class ConnectionlessPublisher {

  /** The client id QoS -1 publishers get for ACL checks and logs. */
  public static final String CLIENT_ID = "mqttsn-qos3";

  private ConnectionlessPublisher() {}

  /** The message to route, or null when the topic cannot be resolved without a connection. */
  public static Message message(MqttSnConfig config, Publish p) {
    String topic = null;
    if (p.topic() instanceof TopicRef.Predefined pre) {
      topic = config.predefinedTopic(pre.id());
    } else if (p.topic() instanceof TopicRef.Short s) {
      topic = s.name();
    }
    if (topic == null) {
      return null;
    }
    return Message.of(Mountpoint.of(config.mountpoint(), CLIENT_ID).mountTopic(topic), p.data(), 0, p.retain());
  }

  public static ClientInfo publisher(MqttSnConfig config, String listener, InetSocketAddress peer) {
    return new ClientInfo(CLIENT_ID, CLIENT_ID, MqttSnChannel.PROTOCOL, listener, peer, config.mountpoint());
  }
}
