package io.estuary.coap;

import io.estuary.api.AdapterConfig;
import io.estuary.api.GatewayContext;
import io.estuary.api.ProtocolAdapter;
import io.estuary.api.ProtocolAdapterFactory;

/** The CoAP gateway ({@code gateway.coap}), found by ServiceLoader. */
public final class CoapAdapterFactory implements ProtocolAdapterFactory {
  @Override
  public String protocol() {
    return "coap";
  }

  @Override
  public ProtocolAdapter create(AdapterConfig config, GatewayContext context) {
    return new CoapAdapter(CoapGatewayConfig.from(config), context);
  }
}
