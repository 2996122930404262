package io.estuary.api;

import java.util.Objects;

/** An MQTT 5 user property; order and duplicates are preserved by the lists that hold them. */
public record UserProperty(String name, String value) {
  public UserProperty {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(value, "value");
  }
}
