package io.estuary.lwm2m.mapping;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** What {@link CommandParser} made of a downlink payload. */
public sealed interface ParseResult {
  /** A well-formed command. */
  record Parsed(Command command) implements ParseResult {}

  /**
   * Not a command: {@code envelope} holds whatever top-level fields could be read (to echo reqID),
   * {@code reason} says what was wrong.
   */
  record Rejected(ObjectNode envelope, String reason) implements ParseResult {}
}
