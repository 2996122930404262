package io.estuary.mqttsn;

import io.estuary.cf.DtlsSettings;
import io.estuary.api.AdapterConfig;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One {@code gateway.mqttsn.listeners.dtls.<name>} block: MQTT-SN over DTLS 1.2. Its {@code dtls_options}
 * are the same block the CoAP and LwM2M gateways use (cf-support's {@link DtlsSettings}): PSK, X.509
 * certificates from PEM files, raw public keys, client verification, Connection ID and {@code identity_as}.
 *
 * @param name the listener name; the listener is reported as {@code dtls:<name>}
 * @param bind the address to bind
 * @param settings credentials, client authentication, connection id length, identity mapping
 */
public record DtlsListenerConfig(String name, InetSocketAddress bind, DtlsSettings settings) {

  public DtlsListenerConfig {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(bind, "bind");
    Objects.requireNonNull(settings, "settings");
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
      if (l.has("psk")) { // the key of the first MQTT-SN release, before the shared dtls_options block
        throw l.invalid("psk", "the PSK table under dtls_options: dtls_options.psk = [{identity, key}]");
      }
      if (!l.has("dtls_options")) {
        throw l.invalid("dtls_options", "a block with psk entries and/or certfile + keyfile");
      }
      out.add(new DtlsListenerConfig(name, MqttSnConfig.address(l, "bind", l.getString("bind"), "0.0.0.0"),
          DtlsSettings.from(l.getConfig("dtls_options"))));
    }
    return out;
  }
}
