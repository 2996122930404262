package io.estuary.mqtt.channel;

import io.estuary.api.topic.Mountpoint;
import io.estuary.api.topic.Topics;
import io.estuary.api.Message;
import io.estuary.api.Payload;
import io.estuary.api.SessionOptions;
import io.estuary.mqtt.MqttListenerLimits;
import io.estuary.mqtt.codec.MqttFrame.Connect;
import io.estuary.mqtt.codec.MqttFrame.Will;
import java.time.Duration;
import java.util.UUID;

/** CONNECT validation (MQTT 3.1.1 §3.1, MQTT 5 §3.1): the session to ask the broker for, or the refusal. Pure. */
final class ConnectCheck {
  private ConnectCheck() {}

  sealed interface Result {}

  /** Refused with CONNACK return code {@code v3Code} (3.1/3.1.1) or reason code {@code v5Code} (5). */
  record Refused(int v3Code, int v5Code) implements Result {}

  /** What to open; {@code clientTopicAliasMax} = the client's Topic Alias Maximum (0 = none). */
  record Accepted(String clientId, boolean assignedId, SessionOptions options, Duration keepAlive, int clientTopicAliasMax)
      implements Result {}

  static Result check(Connect c, MqttListenerLimits limits, String mountpoint) {
    int version = c.version();
    boolean v5 = version == 5;
    String id = c.clientId();
    boolean assigned = false;
    if (id.isEmpty()) {
      // MQTT 3.1.1 §3.1.3-7/8: empty id only with clean session; MQTT 5 always assigns
      if (version == 3 || (version == 4 && !c.cleanStart())) {
        return new Refused(0x02, 0x85);
      }
      id = "estuary-" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
      assigned = true;
    }
    // wildcards, control characters and '$' ids are the core's rules (openSession refuses them for every protocol)
    if (id.length() > limits.maxClientIdLength()) {
      return new Refused(0x02, 0x85);
    }
    Message will = null;
    Duration willDelay = Duration.ZERO;
    Will w = c.will();
    if (w != null) {
      String wt = w.topic();
      if (wt == null || Topics.checkName(Mountpoint.of(mountpoint).mountTopic(wt), limits.maxTopicLevels()) != null
          || wt.indexOf('\uFFFD') >= 0) {
        return new Refused(0x02, 0x90);
      }
      if (w.qos() > limits.maxQosAllowed()) {
        return new Refused(0x02, 0x9B);
      }
      if (w.retain() && !limits.retainAvailable()) {
        return new Refused(0x02, 0x9A);
      }
      will = new Message(Mountpoint.of(mountpoint).mountTopic(wt), Payload.copyOf(w.payload()), w.qos(), w.retain(), w.properties(), 0L);
      willDelay = w.delaySeconds() == null ? Duration.ZERO : Duration.ofSeconds(Integer.toUnsignedLong(w.delaySeconds()));
    }
    Duration expiry;
    if (v5) {
      expiry = c.sessionExpiry() == null ? Duration.ZERO : Duration.ofSeconds(Integer.toUnsignedLong(c.sessionExpiry()));
    } else {
      expiry = c.cleanStart() ? Duration.ZERO : limits.maxSessionExpiry();
    }
    int receiveMax = 65535;
    int maxPacket = 0;
    int aliasMax = 0;
    if (v5) {
      if (c.receiveMaximum() != null) {
        if (c.receiveMaximum() == 0) {
          return new Refused(0x02, 0x82); // MQTT 5 §3.1.2.11.3: 0 is a protocol error
        }
        receiveMax = c.receiveMaximum();
      }
      maxPacket = c.maximumPacketSize() == null ? 0 : c.maximumPacketSize();
      aliasMax = c.topicAliasMaximum() == null ? 0 : c.topicAliasMaximum();
    }
    if (v5 && c.authMethod() != null) {
      return new Refused(0x05, 0x8C); // MQTT-4.12.0-1: no enhanced authentication method is offered
    }
    Duration keepAlive = Duration.ofSeconds(c.keepAliveSeconds());
    SessionOptions options = SessionOptions.builder()
        .cleanStart(c.cleanStart()).sessionExpiry(expiry).keepAlive(keepAlive).will(will).willDelay(willDelay)
        .receiveMaximum(Math.min(receiveMax, limits.maxInflight())).maxPacketSize(maxPacket).build();
    return new Accepted(id, assigned, options, keepAlive, aliasMax);
  }
}
