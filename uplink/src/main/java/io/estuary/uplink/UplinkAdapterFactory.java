package io.estuary.uplink;

import io.estuary.api.AdapterConfig;
import io.estuary.api.GatewayContext;
import io.estuary.api.ProtocolAdapter;
import io.estuary.api.ProtocolAdapterFactory;

/** ServiceLoader entry: the gateway hands over the whole {@code uplink { <name> { ... } }} block. */
public final class UplinkAdapterFactory implements ProtocolAdapterFactory {
  static final String PROTOCOL = "uplink";

  @Override
  public String protocol() {
    return PROTOCOL;
  }

  @Override
  public String configPath() {
    return "uplink";
  }

  @Override
  public ProtocolAdapter create(AdapterConfig config, GatewayContext context) {
    return new UplinkAdapter(UplinkConfig.parseAll(config, context.nodeName()), context);
  }
}
