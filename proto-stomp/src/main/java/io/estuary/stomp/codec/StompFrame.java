package io.estuary.stomp.codec;

import io.estuary.api.Payload;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One STOMP frame: a command, its headers in wire order (a repeated header is kept; {@link #header}
 * answers the first, as STOMP 1.2 says) and a body.
 */
public record StompFrame(Command command, List<Header> headers, Payload body) {
  /** One header, already unescaped. */
  public record Header(String name, String value) {
    public Header {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(value, "value");
    }
  }

  public StompFrame {
    Objects.requireNonNull(command, "command");
    headers = List.copyOf(headers);
    body = body == null ? Payload.EMPTY : body;
  }

  /** The first value of header {@code name}, or null. */
  public String header(String name) {
    for (Header h : headers) {
      if (h.name().equals(name)) {
        return h.value();
      }
    }
    return null;
  }

  /** The first value of header {@code name}, or {@code otherwise}. */
  public String header(String name, String otherwise) {
    String v = header(name);
    return v == null ? otherwise : v;
  }

  public static Builder builder(Command command) {
    return new Builder(command);
  }

  /** Builds a frame header by header; null values are skipped. */
  public static final class Builder {
    private final Command command;
    private final List<Header> headers = new ArrayList<>(8);
    private Payload body = Payload.EMPTY;

    private Builder(Command command) {
      this.command = command;
    }

    public Builder header(String name, String value) {
      if (value != null) {
        headers.add(new Header(name, value));
      }
      return this;
    }

    public Builder body(Payload b) {
      body = b;
      return this;
    }

    public StompFrame build() {
      return new StompFrame(command, headers, body);
    }
  }
}
