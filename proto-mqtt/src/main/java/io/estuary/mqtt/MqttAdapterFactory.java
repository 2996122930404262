package io.estuary.mqtt;

import io.estuary.api.AdapterConfig;
import io.estuary.api.GatewayContext;
import io.estuary.api.ProtocolAdapter;
import io.estuary.api.ProtocolAdapterFactory;
import io.estuary.mqtt.transport.MqttAdapter;

/**
 * The MQTT 3.1/3.1.1/5 listeners (tcp, ssl, ws, wss) as a protocol adapter, found by {@link
 * java.util.ServiceLoader} like every other adapter.
 *
 * <p><b>Its config view is the root of the config tree</b> ({@link #configPath()} is {@code ""}).
 * The device gateways own one block each ({@code gateway.mqttsn}, ...), but the MQTT listener's keys
 * are EMQX's top-level ones that users already have, and they stay exactly as they were:
 * <ul>
 *   <li>{@code listeners.{tcp,ssl,ws,wss}.<name>.*}: one listener per enabled block (bind,
 *       mountpoint, max_connections, ssl_options, websocket.mqtt_path);
 *   <li>{@code mqtt.*}: the wire limits the listener enforces ({@link MqttListenerLimits}). The broker
 *       core reads the same block for what it owns (queues, inflight window, subscriptions).
 * </ul>
 * The factory reads nothing else from the root. Because the view is the root, every error names the key
 * exactly as the user wrote it ({@code listeners.tcp.default.bind}, {@code mqtt.max_packet_size}). There
 * is no adapter-wide {@code enable} switch: turn listeners off one by one ({@code
 * listeners.ws.default.enable = false}); with none enabled the adapter binds nothing.
 */
public final class MqttAdapterFactory implements ProtocolAdapterFactory {
  /** The protocol tag of MQTT clients' sessions, listeners and metrics. */
  public static final String PROTOCOL = "mqtt";

  @Override
  public String protocol() {
    return PROTOCOL;
  }

  /** The root: see the class comment. */
  @Override
  public String configPath() {
    return "";
  }

  @Override
  public ProtocolAdapter create(AdapterConfig config, GatewayContext context) {
    MqttListenerLimits limits = MqttConfigReader.limits(config);
    return new MqttAdapter(context, limits, MqttConfigReader.listeners(config), MqttConfigReader.ioThreads(config),
        config::invalid);
  }
}
