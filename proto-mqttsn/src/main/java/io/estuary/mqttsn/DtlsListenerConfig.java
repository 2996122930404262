package io.estuary.mqttsn;

import io.estuary.core.api.AdapterConfig;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One {@code gateway.mqttsn.listeners.dtls.<name>} block: MQTT-SN over DTLS 1.2 with pre-shared keys.
 *
 * @param name the listener name; the listener is reported as {@code dtls:<name>}
 * @param bind the address to bind
 * @param psk identity → key; the identity becomes the client's {@code certificateSubject}
 */
public record DtlsListenerConfig(String name, InetSocketAddress bind, Map<String, Key> psk) {

  /** A pre-shared key (copied in, copied out). */
  public record Key(String hex) {
    public Key {
      Objects.requireNonNull(hex, "hex");
      if (hex.isEmpty()) {
        throw new IllegalArgumentException("a PSK key must not be empty");
      }
      HexFormat.of().parseHex(hex);
    }

    public byte[] bytes() {
      return HexFormat.of().parseHex(hex);
    }
  }

  public DtlsListenerConfig {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(bind, "bind");
    psk = Map.copyOf(psk);
    if (psk.isEmpty()) {
      throw new IllegalArgumentException("listeners.dtls." + name + ".psk needs at least one {identity, key}");
    }
  }

  /** The enabled DTLS listeners of {@code gateway.mqttsn}. */
  public static List<DtlsListenerConfig> from(AdapterConfig c) {
    List<DtlsListenerConfig> out = new ArrayList<>();
    if (!c.has("listeners.dtls")) {
      return out;
    }
    AdapterConfig listeners = c.getConfig("listeners.dtls");
    for (String name : listeners.keys()) {
      AdapterConfig l = listeners.getConfig(name);
      if (l.has("enable") && !l.getBoolean("enable")) {
        continue;
      }
      Map<String, Key> psk = new LinkedHashMap<>();
      if (l.has("psk")) {
        for (AdapterConfig p : l.getConfigList("psk")) {
          try {
            String key = p.has("key_hex") ? p.getString("key_hex")
                : HexFormat.of().formatHex(p.getString("key").getBytes(StandardCharsets.UTF_8));
            psk.put(p.getString("identity"), new Key(key));
          } catch (IllegalArgumentException e) {
            throw l.invalid("psk", "entries {identity = \"...\", key = \"...\"} or {identity, key_hex = \"hex\"}");
          }
        }
      }
      try {
        out.add(new DtlsListenerConfig(name, MqttSnConfig.address(l, "bind", l.getString("bind"), "0.0.0.0"), psk));
      } catch (IllegalArgumentException e) {
        throw l.invalid("psk", "at least one {identity, key} when the DTLS listener is enabled");
      }
    }
    return out;
  }
}
