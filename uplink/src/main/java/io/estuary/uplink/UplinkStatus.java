package io.estuary.uplink;

/**
 * A snapshot of one uplink, published retained as JSON on
 * {@code $SYS/brokers/{node}/uplink/{name}/status} at every up/down transition, when catch-up ends,
 * and every {@code status_interval} while a backlog exists.
 *
 * @param inflight deliveries taken from the local session and not yet acknowledged upstream
 * @param backlog messages waiting in the local session's queue (the store-and-forward buffer)
 * @param backlogBytes their size in bytes (payload + topic of each)
 * @param catchingUp draining messages queued before the last (re)connect
 * @param lastConnectedAt epoch millis of the last successful connect, 0 if never
 * @param lastDisconnectedAt epoch millis of the last lost connection, 0 if never
 */
public record UplinkStatus(
    String name,
    String server,
    boolean connected,
    int inflight,
    int backlog,
    long backlogBytes,
    boolean catchingUp,
    String lastError,
    long lastConnectedAt,
    long lastDisconnectedAt,
    long forwarded,
    long received) {

  public String toJson() {
    return "{\"name\":" + quote(name)
        + ",\"server\":" + quote(server)
        + ",\"status\":" + quote(connected ? "connected" : "disconnected")
        + ",\"connected\":" + connected
        + ",\"inflight\":" + inflight
        + ",\"backlog\":" + backlog
        + ",\"backlog_bytes\":" + backlogBytes
        + ",\"catching_up\":" + catchingUp
        + ",\"last_error\":" + quote(lastError)
        + ",\"last_connected_at\":" + lastConnectedAt
        + ",\"last_disconnected_at\":" + lastDisconnectedAt
        + ",\"forwarded\":" + forwarded
        + ",\"received\":" + received + "}";
  }

  /** The same fields as a map, for the gateway's status output. */
  public java.util.Map<String, Object> toMap() {
    java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
    m.put("server", server);
    m.put("status", connected ? "connected" : "disconnected");
    m.put("connected", connected);
    m.put("inflight", inflight);
    m.put("backlog", backlog);
    m.put("backlog_bytes", backlogBytes);
    m.put("catching_up", catchingUp);
    m.put("last_error", lastError);
    m.put("last_connected_at", lastConnectedAt);
    m.put("last_disconnected_at", lastDisconnectedAt);
    m.put("forwarded", forwarded);
    m.put("received", received);
    return m;
  }

  static String quote(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    return sb.append('"').toString();
  }
}
