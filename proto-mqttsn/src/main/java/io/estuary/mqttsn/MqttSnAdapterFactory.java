package io.estuary.mqttsn;

import io.estuary.api.AdapterConfig;
import io.estuary.api.GatewayContext;
import io.estuary.api.ProtocolAdapter;
import io.estuary.api.ProtocolAdapterFactory;
import io.estuary.mqttsn.transport.MqttSnAdapter;

/** The MQTT-SN 1.2 gateway over UDP; config block {@code gateway.mqttsn}. */
public final class MqttSnAdapterFactory implements ProtocolAdapterFactory {

  @Override
  public String protocol() {
    return "mqttsn";
  }

  @Override
  public ProtocolAdapter create(AdapterConfig config, GatewayContext context) {
    return new MqttSnAdapter(MqttSnConfig.from(config), DtlsListenerConfig.from(config), context);
  }
}
