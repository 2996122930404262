package io.estuary.lwm2m.security;

import io.estuary.cf.DtlsSettings;
import io.estuary.core.api.AdapterConfig;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One {@code listeners.dtls.<name>} block: where it binds and its {@code dtls_options} (cf-support's
 * {@link DtlsSettings}). Every PSK entry is also the LwM2M security store: {@code endpoint} (default:
 * the identity) may register only with that identity and key, and never over plain UDP.
 *
 * @param bind the listener's address
 * @param settings the DTLS options
 * @param pskEndpoints PSK identity → the endpoint name it is for
 */
public record DtlsListener(InetSocketAddress bind, DtlsSettings settings, Map<String, String> pskEndpoints) {
  public DtlsListener {
    Objects.requireNonNull(bind, "bind");
    Objects.requireNonNull(settings, "settings");
    pskEndpoints = Map.copyOf(pskEndpoints);
  }

  /** Reads a listener block; {@code bind} is parsed by the caller. */
  public static DtlsListener from(AdapterConfig listener, InetSocketAddress bind) {
    if (!listener.has("dtls_options")) {
      throw listener.invalid("dtls_options", "PSK entries (psk, psk_file) or keyfile + certfile");
    }
    AdapterConfig opts = listener.getConfig("dtls_options");
    DtlsSettings settings = DtlsSettings.from(opts);
    Map<String, String> endpoints = new LinkedHashMap<>();
    settings.psk().keySet().forEach(id -> endpoints.put(id, id));
    if (opts.has("psk")) {
      for (AdapterConfig e : opts.getConfigList("psk")) {
        if (e.has("endpoint") && !e.getString("endpoint").isEmpty()) {
          endpoints.put(e.getString("identity"), e.getString("endpoint"));
        }
      }
    }
    if (endpoints.values().stream().distinct().count() != endpoints.size()) {
      throw opts.invalid("psk", "one PSK identity per endpoint");
    }
    return new DtlsListener(bind, settings, endpoints);
  }
}
