package io.estuary.api;

/**
 * Found with {@link java.util.ServiceLoader}: a jar on the class path with this service is a protocol.
 * The gateway calls {@link #create} once if {@code gateway.<protocol>.enable} is true. Every method is
 * called on the gateway's main thread while it starts.
 */
public interface ProtocolAdapterFactory {
  /** The config block name and tag, e.g. "mqttsn". */
  String protocol();

  /**
   * Where the adapter's config block lives: {@code gateway.<protocol>} unless the adapter's config is a
   * top-level block of its own (the uplink's {@code uplink.<name>} blocks). {@code ""} is the root of the
   * config tree: the MQTT listeners read their EMQX top-level keys ({@code listeners.*}, {@code mqtt.*})
   * that way; a root view has no {@code enable} switch.
   */
  default String configPath() {
    return "gateway." + protocol();
  }

  ProtocolAdapter create(AdapterConfig config, GatewayContext context);
}
