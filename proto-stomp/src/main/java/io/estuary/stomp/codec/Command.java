package io.estuary.stomp.codec;

import java.util.Map;

/** STOMP commands (STOMP 1.2 §"Frames and Headers"), client frames first. */
public enum Command {
  CONNECT, STOMP, SEND, SUBSCRIBE, UNSUBSCRIBE, ACK, NACK, BEGIN, COMMIT, ABORT, DISCONNECT,
  CONNECTED, MESSAGE, RECEIPT, ERROR;

  private static final Map<String, Command> BY_NAME;

  static {
    var m = new java.util.HashMap<String, Command>();
    for (Command c : values()) {
      m.put(c.name(), c);
    }
    BY_NAME = Map.copyOf(m);
  }

  /** The command named {@code name} exactly (commands are case-sensitive), or null. */
  public static Command of(String name) {
    return BY_NAME.get(name);
  }

  /** CONNECT, STOMP and CONNECTED never escape their headers (STOMP 1.2 §"Value Encoding"). */
  boolean escapesHeaders() {
    return this != CONNECT && this != STOMP && this != CONNECTED;
  }
}
