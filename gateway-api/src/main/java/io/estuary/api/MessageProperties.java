package io.estuary.api;

import java.util.List;

/**
 * The MQTT 5 publish properties that travel with a message untouched (MQTT 5 §3.3.2.3). Adapters of
 * other protocols fill what they can (CoAP content-format becomes {@code contentType}). Null means
 * absent.
 */
public record MessageProperties(
    Integer payloadFormatIndicator,
    Long messageExpiryInterval,
    String contentType,
    String responseTopic,
    Payload correlationData,
    List<UserProperty> userProperties) {

  public static final MessageProperties NONE = new MessageProperties(null, null, null, null, null, List.of());

  public MessageProperties {
    userProperties = userProperties == null ? List.of() : List.copyOf(userProperties);
    if (messageExpiryInterval != null && messageExpiryInterval < 0) {
      throw new IllegalArgumentException("messageExpiryInterval < 0");
    }
  }

  public MessageProperties withMessageExpiryInterval(Long seconds) {
    return new MessageProperties(payloadFormatIndicator, seconds, contentType, responseTopic, correlationData, userProperties);
  }

  public MessageProperties withContentType(String type) {
    return new MessageProperties(payloadFormatIndicator, messageExpiryInterval, type, responseTopic, correlationData, userProperties);
  }

  public MessageProperties withUserProperties(List<UserProperty> props) {
    return new MessageProperties(payloadFormatIndicator, messageExpiryInterval, contentType, responseTopic, correlationData, props);
  }

  public boolean isEmpty() {
    return this.equals(NONE);
  }
}
