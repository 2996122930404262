package io.estuary.api;

/** Per-filter answer to a subscribe: a granted QoS, or a failure. */
public record SubscribeOutcome(int grantedQos, Failure failure) {
  public enum Failure {
    UNSPECIFIED,
    NOT_AUTHORIZED,
    TOPIC_FILTER_INVALID,
    WILDCARD_NOT_SUPPORTED,
    SHARED_NOT_SUPPORTED,
    SUBSCRIPTION_ID_NOT_SUPPORTED,
    QUOTA_EXCEEDED
  }

  public static SubscribeOutcome granted(int qos) {
    return new SubscribeOutcome(qos, null);
  }

  public static SubscribeOutcome failed(Failure f) {
    return new SubscribeOutcome(-1, f);
  }

  public boolean isGranted() {
    return failure == null;
  }
}
