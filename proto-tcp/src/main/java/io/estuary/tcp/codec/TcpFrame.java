package io.estuary.tcp.codec;

import io.estuary.api.Payload;
import java.util.Arrays;

/**
 * The frames of EMQX's transparent TCP protocol (EMQX 3.2.2+ "TCP Protocol"): a 1-byte fixed header (frame type in
 * the high four bits, flags in the low four), then for CONNECT, CONNACK and DATATRANS a 2-byte big-endian payload
 * length and the payload; PING, PONG and DISCONNECT are the header byte alone.
 */
public sealed interface TcpFrame {
  int CONNECT = 1;
  int CONNACK = 2;
  int DATATRANS = 3;
  int PING = 4;
  int PONG = 5;
  int DISCONNECT = 6;

  /**
   * CONNECT (client → server): header {@code 0x1V}, V the protocol version; payload keepalive UINT(1), client id
   * STR(n), then optionally username STR(n) and password STR(n) (STR(n) = 2-byte length + UTF-8 bytes).
   *
   * @param keepAlive seconds, 0..255
   * @param username null when absent
   * @param password null when absent
   */
  record Connect(int version, int keepAlive, String clientId, String username, byte[] password) implements TcpFrame {
    @Override
    public boolean equals(Object o) {
      return o instanceof Connect c && c.version == version && c.keepAlive == keepAlive && c.clientId.equals(clientId)
          && java.util.Objects.equals(c.username, username) && Arrays.equals(c.password, password);
    }

    @Override
    public int hashCode() {
      return clientId.hashCode();
    }

    @Override
    public String toString() {
      return "Connect[version=" + version + ", keepAlive=" + keepAlive + ", clientId=" + clientId + ", username="
          + username + ", password=" + (password == null ? "null" : "***") + "]";
    }
  }

  /** CONNACK (server → client): header {@code 0x2C}, C the ack code; the payload is the message string (no inner length). */
  record ConnAck(int code, String message) implements TcpFrame {
    public static final int SUCCESSFUL = 0;
    public static final int AUTHFAILED = 1;
    public static final int ILLEGALVER = 2;
  }

  /** DATATRANS (both ways): header {@code 0x30} with QoS in flag bits 3–2 (always 0 in EMQX), the payload transparent. */
  record DataTrans(int qos, Payload payload) implements TcpFrame {}

  /** PING (client → server): the single byte {@code 0x40}. */
  record Ping() implements TcpFrame {}

  /** PONG (server → client): the single byte {@code 0x50}. */
  record Pong() implements TcpFrame {}

  /** DISCONNECT (client → server): the single byte {@code 0x60}. */
  record Disconnect() implements TcpFrame {}
}
