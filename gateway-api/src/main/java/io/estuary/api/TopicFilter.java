package io.estuary.api;

import java.util.Objects;

/** A topic filter as a client wrote it, possibly with {@code +}, {@code #} or a {@code $share/} prefix. */
public record TopicFilter(String value) {
  public TopicFilter {
    Objects.requireNonNull(value, "value");
  }

  @Override
  public String toString() {
    return value;
  }
}
