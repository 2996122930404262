package io.estuary.mqtt.channel;

import io.estuary.api.PublishOutcome;
import io.estuary.api.SubscribeOutcome;

/** The broker's outcomes as MQTT 5 reason codes (§2.4). */
final class ReasonCodes {
  private ReasonCodes() {}

  /** PUBACK/PUBREC reason code. */
  static int publish(PublishOutcome o) {
    return switch (o.status()) {
      case OK, DUPLICATE -> 0x00;
      case NO_MATCHING_SUBSCRIBERS -> 0x10;
      case NOT_AUTHORIZED -> 0x87;
      case TOPIC_NAME_INVALID -> 0x90;
      case QUOTA_EXCEEDED -> 0x97;
      case PACKET_TOO_LARGE -> 0x95;
      case QOS_NOT_SUPPORTED -> 0x9B;
      case RETAIN_NOT_SUPPORTED -> 0x9A;
      case SESSION_CLOSED -> 0x80;
    };
  }

  /** SUBACK reason code of a refused filter. */
  static int subscribeFailure(SubscribeOutcome.Failure f) {
    return switch (f) {
      case NOT_AUTHORIZED -> 0x87;
      case TOPIC_FILTER_INVALID -> 0x8F;
      case WILDCARD_NOT_SUPPORTED -> 0xA2;
      case SHARED_NOT_SUPPORTED -> 0x9E;
      case SUBSCRIPTION_ID_NOT_SUPPORTED -> 0xA1;
      case QUOTA_EXCEEDED -> 0x97;
      case UNSPECIFIED -> 0x80;
    };
  }
}
