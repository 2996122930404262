package io.estuary.lwm2m;

import io.estuary.core.api.AdapterConfig;
import java.net.InetSocketAddress;

/** Listener binds: "host:port", "[v6]:port" or a bare port (all interfaces). */
final class Binds {
  private Binds() {}

  static InetSocketAddress parse(AdapterConfig c, String key) {
    String s = c.getString(key).trim();
    try {
      if (s.matches("\\d+")) {
        return new InetSocketAddress(port(s));
      }
      int colon = s.lastIndexOf(':');
      if (colon <= 0) {
        throw c.invalid(key, "\"host:port\" or a port");
      }
      String host = s.substring(0, colon);
      if (host.startsWith("[") && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1);
      }
      return new InetSocketAddress(host, port(s.substring(colon + 1)));
    } catch (NumberFormatException e) {
      throw c.invalid(key, "\"host:port\" or a port 0..65535");
    }
  }

  private static int port(String s) {
    int p = Integer.parseInt(s);
    if (p < 0 || p > 65535) {
      throw new NumberFormatException(s);
    }
    return p;
  }
}
