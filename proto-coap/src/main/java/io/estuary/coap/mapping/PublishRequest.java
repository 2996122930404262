package io.estuary.coap.mapping;

import io.estuary.api.Message;
import io.estuary.api.MessageProperties;
import io.estuary.api.Payload;
import java.util.List;

/** Builds the MQTT message for {@code POST|PUT /ps/{topic}} from the request's parts. */
public final class PublishRequest {
  private PublishRequest() {}

  /**
   * @param levels the Uri-Path options after "ps"
   * @param contentFormat the request's Content-Format, or -1
   * @param confirmable whether the request was CON (for {@link QosPolicy#COAP})
   */
  public static Parsed<Message> toMessage(List<String> levels, RequestQuery query, byte[] payload, int contentFormat,
      boolean confirmable, QosPolicy policy, String mountpoint, long nowMillis) {
    Parsed<String> topic = TopicPath.topicName(levels, mountpoint);
    if (!(topic instanceof Parsed.Ok<String> t)) {
      return topic.castRejected();
    }
    int qos = query.qos() != null ? query.qos() : policy.qos(confirmable);
    MessageProperties props = MessageProperties.NONE
        .withContentType(ContentFormats.toContentType(contentFormat))
        .withMessageExpiryInterval(query.expiry());
    return Parsed.ok(new Message(t.value(), Payload.copyOf(payload), qos, query.retain(), props, nowMillis));
  }
}
