package io.estuary.mqtt.codec;

/**
 * One line for a packet in a client trace ({@code estuary ctl trace}), in the manner of {@code vmq-admin trace
 * client}: the packet type and its header fields; payloads as their size, passwords never. Stateless.
 */
public final class FrameSummary {
  private FrameSummary() {}

  public static String of(MqttFrame f) {
    if (f instanceof MqttFrame.Connect c) {
      return "CONNECT(v" + c.version() + ", c: \"" + c.clientId() + "\", u: " + (c.username() == null ? "-" : "\"" + c.username() + "\"")
          + ", p: " + (c.password() == null ? "-" : "******") + ", cs: " + c.cleanStart() + ", ka: " + c.keepAliveSeconds()
          + (c.will() == null ? "" : ", lwt: \"" + c.will().topic() + "\" q" + c.will().qos() + " " + c.will().payload().length + " bytes")
          + (c.sessionExpiry() == null ? "" : ", sei: " + c.sessionExpiry()) + ")";
    }
    if (f instanceof MqttFrame.Publish p) {
      return "PUBLISH(d" + (p.duplicate() ? 1 : 0) + ", q" + p.qos() + ", r" + (p.retain() ? 1 : 0) + ", m" + p.packetId()
          + ", \"" + p.topic() + "\"" + (p.topicAlias() == null ? "" : ", alias " + p.topicAlias()) + ") with payload of "
          + p.payload().size() + " bytes";
    }
    if (f instanceof MqttFrame.ConnAck a) {
      return "CONNACK(sp: " + (a.sessionPresent() ? 1 : 0) + ", rc: " + a.reasonCode()
          + (a.properties() != null && a.properties().assignedClientId() != null
              ? ", assigned \"" + a.properties().assignedClientId() + "\"" : "") + ")";
    }
    String s = f.toString(); // acks, (UN)SUBSCRIBE, PING, DISCONNECT: records of ints, filters and codes only
    int paren = s.indexOf('[');
    String name = f.getClass().getSimpleName().toUpperCase(java.util.Locale.ROOT);
    return paren < 0 ? name : name + "(" + s.substring(paren + 1, s.length() - 1) + ")";
  }
}
