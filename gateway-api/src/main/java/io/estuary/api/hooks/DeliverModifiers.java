package io.estuary.api.hooks;

import io.estuary.api.Message;
import io.estuary.api.Payload;

/** What {@code on_deliver} may change (VerneMQ: topic and payload). Null fields change nothing. */
public record DeliverModifiers(String topic, Payload payload) {

  public Message apply(Message m) {
    Message out = topic != null && !topic.equals(m.topic()) ? m.withTopic(topic) : m;
    if (payload != null) {
      out = new Message(out.topic(), payload, out.qos(), out.retain(), out.properties(), out.createdAtMillis(),
          out.publisher());
    }
    return out;
  }
}
