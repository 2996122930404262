package io.estuary.coap.support;

import io.estuary.cf.CfSettings;
import io.estuary.coap.CoapAdapterFactory;
import io.estuary.core.api.ProtocolAdapter;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.config.Configuration;

/** Starts the CoAP adapter on 127.0.0.1:0 over a {@link FakeBroker}; hands out CoAP clients with explicit config. */
public final class CoapHarness implements AutoCloseable {
  public final FakeBroker broker = new FakeBroker();
  public final ProtocolAdapter adapter;
  public final InetSocketAddress address;
  private final List<CoapClient> clients = new ArrayList<>();
  private final Configuration clientConfig = CfSettings.DEFAULTS.withMaxBodySize(1 << 20).toConfiguration();

  public CoapHarness(String... config) throws Exception {
    List<String> all = new ArrayList<>(List.of("listeners.udp.default.bind = \"127.0.0.1:0\""));
    all.addAll(List.of(config));
    String[] prefixed = all.stream().map(s -> "gateway.coap." + s).toArray(String[]::new);
    adapter = new CoapAdapterFactory().create(HoconAdapterConfig.coap(prefixed), broker);
    adapter.start().toCompletableFuture().get(10, TimeUnit.SECONDS);
    address = adapter.listeners().get(0).address();
  }

  public String uri(String pathAndQuery) {
    return "coap://127.0.0.1:" + address.getPort() + pathAndQuery;
  }

  /** A Californium client on its own endpoint (never the default endpoint: that reads Configuration.getStandard()). */
  public CoapClient client(String pathAndQuery) {
    CoapClient c = new CoapClient(uri(pathAndQuery));
    c.setEndpoint(new CoapEndpoint.Builder().setConfiguration(clientConfig).build());
    c.setTimeout(5_000L);
    clients.add(c);
    return c;
  }

  @Override
  public void close() throws Exception {
    for (CoapClient c : clients) {
      c.getEndpoint().destroy();
      c.shutdown();
    }
    adapter.stop(Duration.ofSeconds(2)).toCompletableFuture().get(10, TimeUnit.SECONDS);
    broker.close();
  }
}
