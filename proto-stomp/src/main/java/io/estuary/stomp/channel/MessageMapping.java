package io.estuary.stomp.channel;

import io.estuary.api.Message;
import io.estuary.api.MessageProperties;
import io.estuary.api.UserProperty;
import io.estuary.stomp.codec.Command;
import io.estuary.stomp.codec.StompFrame;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * SEND → MQTT message and MQTT message → MESSAGE: {@code content-type} ↔ the MQTT 5 content type, every
 * other application header ↔ an MQTT 5 user property (in order, repeats kept).
 */
final class MessageMapping {
  /** SEND headers that are STOMP's own, not the application's. */
  private static final Set<String> SEND_RESERVED = Set.of("destination", "content-length", "content-type", "receipt",
      "transaction");
  /** MESSAGE headers the gateway sets; user properties of these names are not copied. */
  private static final Set<String> MESSAGE_RESERVED = Set.of("destination", "message-id", "subscription", "ack",
      "content-length", "content-type", "redelivered");

  private MessageMapping() {}

  static Message fromSend(StompFrame f, String mountedTopic, int qos, long nowMillis) {
    List<UserProperty> props = new ArrayList<>(0);
    for (StompFrame.Header h : f.headers()) {
      if (!SEND_RESERVED.contains(h.name())) {
        props.add(new UserProperty(h.name(), h.value()));
      }
    }
    String type = f.header("content-type");
    MessageProperties p = type == null && props.isEmpty() ? MessageProperties.NONE
        : new MessageProperties(null, null, type, null, null, props);
    return new Message(mountedTopic, f.body(), qos, false, p, nowMillis);
  }

  static StompFrame toMessage(Message m, String destination, String subscription, String messageId, String ack,
      boolean redelivered) {
    StompFrame.Builder b = StompFrame.builder(Command.MESSAGE)
        .header("destination", destination)
        .header("message-id", messageId)
        .header("subscription", subscription)
        .header("ack", ack)
        .header("redelivered", redelivered ? "true" : null)
        .header("content-type", m.properties().contentType());
    for (UserProperty u : m.properties().userProperties()) {
      if (!MESSAGE_RESERVED.contains(u.name())) {
        b.header(u.name(), u.value());
      }
    }
    return b.body(m.payload()).build();
  }
}
