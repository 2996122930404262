package io.estuary.api;

/** What became of a publish (a value). {@code matched} counts the sessions it was routed to. */
public record PublishOutcome(Status status, int matched) {
  public enum Status {
    OK,
    NO_MATCHING_SUBSCRIBERS,
    NOT_AUTHORIZED,
    TOPIC_NAME_INVALID,
    QOS_NOT_SUPPORTED,
    RETAIN_NOT_SUPPORTED,
    PACKET_TOO_LARGE,
    QUOTA_EXCEEDED,
    /** {@link BrokerSession#publishOnce}: the key is still held from an earlier publish; not routed again. */
    DUPLICATE,
    SESSION_CLOSED
  }

  public boolean accepted() {
    return status == Status.OK || status == Status.NO_MATCHING_SUBSCRIBERS || status == Status.DUPLICATE;
  }

  public static PublishOutcome of(Status s) {
    return new PublishOutcome(s, 0);
  }
}
