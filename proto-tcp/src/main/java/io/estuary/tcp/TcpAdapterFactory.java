package io.estuary.tcp;

import io.estuary.api.AdapterConfig;
import io.estuary.api.GatewayContext;
import io.estuary.api.ProtocolAdapter;
import io.estuary.api.ProtocolAdapterFactory;
import io.estuary.tcp.transport.TcpAdapter;

/**
 * The raw TCP gateway ({@code gateway.tcp}): EMQX's transparent TCP framing on 8090 (TLS 8091) and, per listener,
 * configurable framings for devices that cannot change. Found by {@link java.util.ServiceLoader}.
 */
public final class TcpAdapterFactory implements ProtocolAdapterFactory {
  public static final String PROTOCOL = "tcp";

  @Override
  public String protocol() {
    return PROTOCOL;
  }

  @Override
  public ProtocolAdapter create(AdapterConfig config, GatewayContext context) {
    return new TcpAdapter(context, TcpConfigReader.read(config), config::invalid);
  }
}
