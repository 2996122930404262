package io.estuary.stomp.channel;

/** SUBSCRIBE's {@code ack} header (STOMP 1.2 §SUBSCRIBE). */
enum AckMode {
  AUTO, CLIENT, CLIENT_INDIVIDUAL;

  /** The mode named by the header (absent: auto), or null for anything else. */
  static AckMode of(String header) {
    if (header == null || header.equals("auto")) {
      return AUTO;
    }
    if (header.equals("client")) {
      return CLIENT;
    }
    return header.equals("client-individual") ? CLIENT_INDIVIDUAL : null;
  }
}
