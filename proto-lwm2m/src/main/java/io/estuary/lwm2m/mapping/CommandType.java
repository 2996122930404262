package io.estuary.lwm2m.mapping;

/** The {@code msgType} of a downlink command, with its EMQX spelling. */
public enum CommandType {
  READ("read"),
  DISCOVER("discover"),
  WRITE("write"),
  WRITE_ATTR("write-attr"),
  EXECUTE("execute"),
  CREATE("create"),
  DELETE("delete"),
  OBSERVE("observe"),
  CANCEL_OBSERVE("cancel-observe"),
  // LwM2M 1.1 composite operations (Estuary extension; EMQX has none)
  READ_COMPOSITE("read-composite"),
  WRITE_COMPOSITE("write-composite"),
  OBSERVE_COMPOSITE("observe-composite"),
  CANCEL_OBSERVE_COMPOSITE("cancel-observe-composite");

  private final String wire;

  CommandType(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }

  /** The type spelled {@code s}, or null. */
  public static CommandType parse(String s) {
    for (CommandType t : values()) {
      if (t.wire.equals(s)) {
        return t;
      }
    }
    return null;
  }

  /** The LwM2M 1.1 composite operations: they name several paths ({@code data.paths} or {@code data.content[].path}). */
  public boolean composite() {
    return this == READ_COMPOSITE || this == WRITE_COMPOSITE || this == OBSERVE_COMPOSITE
        || this == CANCEL_OBSERVE_COMPOSITE;
  }

  /** observe and observe-composite: they start an observation. */
  public boolean observe() {
    return this == OBSERVE || this == OBSERVE_COMPOSITE;
  }

  /** Create and write with {@code basePath} name their target there; the others use {@code path}. */
  boolean usesBasePath() {
    return this == CREATE;
  }
}
