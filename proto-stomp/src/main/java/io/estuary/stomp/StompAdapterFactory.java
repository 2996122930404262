package io.estuary.stomp;

import io.estuary.api.AdapterConfig;
import io.estuary.api.GatewayContext;
import io.estuary.api.ProtocolAdapter;
import io.estuary.api.ProtocolAdapterFactory;
import io.estuary.stomp.transport.StompAdapter;

/** The STOMP gateway ({@code gateway.stomp}): TCP 61613, TLS 61614, WebSocket 15674 {@code /ws}. */
public final class StompAdapterFactory implements ProtocolAdapterFactory {
  public static final String PROTOCOL = "stomp";

  @Override
  public String protocol() {
    return PROTOCOL;
  }

  @Override
  public ProtocolAdapter create(AdapterConfig config, GatewayContext context) {
    return new StompAdapter(StompConfig.read(config), context, config::invalid);
  }
}
