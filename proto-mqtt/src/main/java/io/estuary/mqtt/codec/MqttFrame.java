package io.estuary.mqtt.codec;

import io.estuary.api.MessageProperties;
import io.estuary.api.Payload;
import java.util.List;
import java.util.Objects;

/**
 * One MQTT control packet as the connection state machine sees it: plain values, no Netty, one shape
 * for MQTT 3.1, 3.1.1 and 5 (properties are absent/empty before 5). The channel makes every version
 * decision (which reason code, whether properties go out); {@link NettyFrames} only translates.
 */
public sealed interface MqttFrame {

  /**
   * MQTT 5 §3.1. {@code password} and {@code will} may be null; the Integer properties and {@code authMethod}
   * (the Authentication Method, MQTT 5 §3.1.2.11.9) are null when absent.
   */
  record Connect(int version, String clientId, boolean cleanStart, int keepAliveSeconds, String username, byte[] password,
      Will will, Integer sessionExpiry, Integer receiveMaximum, Integer maximumPacketSize, Integer topicAliasMaximum,
      String authMethod) implements MqttFrame {
    public Connect {
      clientId = clientId == null ? "" : clientId;
    }

    /** A CONNECT without an Authentication Method. */
    public Connect(int version, String clientId, boolean cleanStart, int keepAliveSeconds, String username, byte[] password,
        Will will, Integer sessionExpiry, Integer receiveMaximum, Integer maximumPacketSize, Integer topicAliasMaximum) {
      this(version, clientId, cleanStart, keepAliveSeconds, username, password, will, sessionExpiry, receiveMaximum,
          maximumPacketSize, topicAliasMaximum, null);
    }
  }

  /** The will of a CONNECT; {@code delaySeconds} null when absent. */
  record Will(String topic, byte[] payload, int qos, boolean retain, MessageProperties properties, Integer delaySeconds) {
    public Will {
      payload = payload == null ? new byte[0] : payload;
      properties = properties == null ? MessageProperties.NONE : properties;
    }
  }

  /** MQTT 5 §3.2: {@code reasonCode} is the 3.1.1 return code or the 5 reason code; {@code properties} null before 5. */
  record ConnAck(int reasonCode, boolean sessionPresent, ServerProperties properties) implements MqttFrame {}

  /** The CONNACK properties of an accepted MQTT 5 connection; {@code maximumQos} null = 2 (not sent). */
  record ServerProperties(String assignedClientId, int receiveMaximum, int topicAliasMaximum, int maximumPacketSize,
      Integer maximumQos, boolean retainAvailable, boolean wildcardSubscription, boolean subscriptionIdentifiers,
      boolean sharedSubscription) {}

  /**
   * MQTT 5 §3.3, both directions. {@code packetId} is ignored at QoS 0; {@code topicAlias} null when
   * absent; {@code subscriptionIds} only outbound.
   */
  record Publish(String topic, int packetId, int qos, boolean retain, boolean duplicate, Payload payload,
      MessageProperties properties, Integer topicAlias, List<Integer> subscriptionIds) implements MqttFrame {
    public Publish {
      Objects.requireNonNull(topic, "topic");
      Objects.requireNonNull(payload, "payload");
      properties = properties == null ? MessageProperties.NONE : properties;
      subscriptionIds = subscriptionIds == null ? List.of() : subscriptionIds;
    }
  }

  /** QoS 1 acknowledgement; {@code reasonCode} 0 = success (sent without reason before 5). */
  record PubAck(int packetId, int reasonCode) implements MqttFrame {}

  /** QoS 2, step 1. */
  record PubRec(int packetId, int reasonCode) implements MqttFrame {}

  /** QoS 2, step 2. */
  record PubRel(int packetId, int reasonCode) implements MqttFrame {}

  /** QoS 2, step 3. */
  record PubComp(int packetId, int reasonCode) implements MqttFrame {}

  /** MQTT 5 §3.8; {@code subscriptionId} null when absent. */
  record Subscribe(int packetId, Integer subscriptionId, List<TopicRequest> topics) implements MqttFrame {
    public Subscribe {
      topics = List.copyOf(topics);
    }
  }

  /** One topic filter of a SUBSCRIBE with its options (the MQTT 5 ones are false/0 before 5). */
  record TopicRequest(String filter, int qos, boolean noLocal, boolean retainAsPublished, int retainHandling) {}

  /** One granted QoS or failure reason code per requested filter. */
  record SubAck(int packetId, List<Integer> reasonCodes) implements MqttFrame {
    public SubAck {
      reasonCodes = List.copyOf(reasonCodes);
    }
  }

  record Unsubscribe(int packetId, List<String> filters) implements MqttFrame {
    public Unsubscribe {
      filters = List.copyOf(filters);
    }
  }

  /** {@code reasonCodes} empty before MQTT 5 (the packet has no payload then). */
  record UnsubAck(int packetId, List<Integer> reasonCodes) implements MqttFrame {
    public UnsubAck {
      reasonCodes = List.copyOf(reasonCodes);
    }
  }

  record PingReq() implements MqttFrame {}

  record PingResp() implements MqttFrame {}

  /** {@code reasonCode} 0 before MQTT 5. */
  record Disconnect(int reasonCode) implements MqttFrame {}

  /** A well-formed packet a client must not send (CONNACK, SUBACK, AUTH, ...). */
  record Unexpected(String type) implements MqttFrame {}
}
