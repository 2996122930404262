package io.estuary.lwm2m;

import io.estuary.api.AdapterConfig;
import io.estuary.api.GatewayContext;
import io.estuary.api.ProtocolAdapter;
import io.estuary.api.ProtocolAdapterFactory;

/** The LwM2M gateway ({@code gateway.lwm2m}), found by ServiceLoader. */
public final class Lwm2mAdapterFactory implements ProtocolAdapterFactory {
  @Override
  public String protocol() {
    return "lwm2m";
  }

  @Override
  public ProtocolAdapter create(AdapterConfig config, GatewayContext context) {
    return new Lwm2mAdapter(Lwm2mConfig.from(config), context);
  }
}
