package io.estuary.api;

import java.net.InetSocketAddress;

/** Parses listener binds: "host:port", ":port", "[v6]:port" or a bare port (all interfaces). */
public final class BindAddress {
  private BindAddress() {}

  /** @throws IllegalArgumentException when {@code text} is none of the accepted forms or the port is out of range */
  public static InetSocketAddress parse(String text) {
    String s = text.trim();
    int colon = s.lastIndexOf(':');
    String host = colon < 0 ? "0.0.0.0" : s.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    if (host.isEmpty()) {
      host = "0.0.0.0";
    }
    int port;
    try {
      port = Integer.parseInt(colon < 0 ? s : s.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not host:port or a port: " + text);
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port out of range 0..65535: " + text);
    }
    return new InetSocketAddress(host, port);
  }
}
