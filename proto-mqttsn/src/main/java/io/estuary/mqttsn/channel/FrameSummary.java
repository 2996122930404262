package io.estuary.mqttsn.channel;

import io.estuary.mqttsn.codec.MqttSnFrame;
import java.util.Locale;

/**
 * One-line summaries of MQTT-SN messages for packet traces ({@code estuary ctl trace start client=ID}): the
 * message type and its fields; payloads (PUBLISH data, will messages) appear as their size only, since
 * {@link io.estuary.api.Payload#toString()} prints nothing else. Messages a forwarder encapsulated are
 * summarised unwrapped, under the client behind the forwarder.
 */
final class FrameSummary {
  private FrameSummary() {}

  /** {@code PUBLISH dup=false qos=1 retain=false topic=Id[id=1] msgId=7 data=Payload[5 bytes]}. */
  static String of(MqttSnFrame f) {
    String s = f.toString(); // records: Type[a=1, b=2]
    int open = s.indexOf('[');
    if (open < 0 || !s.endsWith("]")) {
      return s;
    }
    String type = s.substring(0, open).toUpperCase(Locale.ROOT);
    String fields = s.substring(open + 1, s.length() - 1).replace(", ", " ");
    return fields.isEmpty() ? type : type + ' ' + fields;
  }
}
