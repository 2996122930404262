package io.estuary.coap.support;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishBuilder;
import io.estuary.cf.CfSettings;
import io.estuary.coap.CoapAdapterFactory;
import io.estuary.testkit.TestGateway;
import io.estuary.testkit.TestSession;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.config.Configuration;

/**
 * The CoAP adapter on a real {@link TestGateway} (embedded broker, 127.0.0.1, port 0), with CoAP clients
 * on explicit configuration and one hivemq MQTT client for the MQTT side.
 */
public final class CoapGateway implements AutoCloseable {
  public final TestGateway gw;
  public final InetSocketAddress address;
  private final List<CoapClient> clients = new CopyOnWriteArrayList<>();
  private final Configuration clientConfig = CfSettings.DEFAULTS.withMaxBodySize(1 << 20).toConfiguration();
  private Mqtt5AsyncClient mqtt;

  private CoapGateway(TestGateway gw) {
    this.gw = gw;
    this.address = gw.listener("coap", "udp:default");
  }

  /** {@code coapKeys} are lines relative to {@code gateway.coap}. */
  public static CoapGateway start(String... coapKeys) {
    return builder().coap(coapKeys).start();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Adds gateway-wide (auth, ACL) and {@code gateway.coap} config before starting. */
  public static final class Builder {
    private final TestGateway.Builder b = TestGateway.builder()
        .config("gateway.coap.listeners.udp.default.bind = \"127.0.0.1:0\"")
        .adapter(new CoapAdapterFactory());

    public Builder coap(String... keys) {
      for (String k : keys) {
        b.config("gateway.coap." + k);
      }
      return this;
    }

    public Builder config(String hocon) {
      b.config(hocon);
      return this;
    }

    /** Runs on RocksDB in {@code dir}, opened at start and closed at close: the next gateway on it recovers. */
    public Builder persistence(java.nio.file.Path dir) {
      b.persistence(dir);
      return this;
    }

    public CoapGateway start() {
      return new CoapGateway(b.start());
    }
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

  /** A CoAPs client on {@code endpoint} for the {@code dtls:default} listener. */
  public CoapClient secureClient(CoapEndpoint endpoint, String pathAndQuery) {
    InetSocketAddress dtls = gw.listener("coap", "dtls:default");
    CoapClient c = new CoapClient("coaps://127.0.0.1:" + dtls.getPort() + pathAndQuery);
    c.setEndpoint(endpoint);
    c.setTimeout(5_000L);
    clients.add(c);
    return c;
  }

  /** The broker's view of {@code clientId}'s session, or null. */
  public TestSession session(String clientId) {
    return gw.session(clientId);
  }

  public int subscriptions(String clientId) {
    TestSession v = session(clientId);
    return v == null ? 0 : v.subscriptions();
  }

  /**
   * Subscriptions on the whole broker. (The per-session view is not refreshed on unsubscribe yet, so
   * tests that watch a subscription go away read this total.)
   */
  public long totalSubscriptions() {
    return gw.subscriptionCount();
  }

  public double count(String counter) {
    return gw.metrics().counter(counter).count();
  }

  /** The value of {@code series} (untagged, or its first tagged line) as {@code /metrics} shows it now. */
  public double scrape(String series) throws Exception {
    String text = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
        + gw.apiAddress().getPort() + "/metrics")).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    Matcher m = Pattern.compile("(?m)^" + series + "(\\{[^}]*\\})? (\\S+)$").matcher(text);
    assertThat(m.find()).as("series %s", series).isTrue();
    return Double.parseDouble(m.group(2));
  }

  /** A tagged counter ({@code "reason", "max_datagram_rate"}). */
  public double count(String counter, String... tags) {
    return gw.metrics().counter(counter, tags).count();
  }

  /** The MQTT side: one connected hivemq client, made on first use. */
  public synchronized Mqtt5AsyncClient mqtt() {
    if (mqtt == null) {
      mqtt = Mqtt5Client.builder().identifier("mqtt-side").serverHost("127.0.0.1").serverPort(gw.mqttPort())
          .buildAsync();
      join(mqtt.connect());
    }
    return mqtt;
  }

  /** Subscribes the MQTT client to {@code filter} at QoS 2; the list fills as messages arrive. */
  public List<Mqtt5Publish> mqttSubscribe(String filter) {
    List<Mqtt5Publish> got = new CopyOnWriteArrayList<>();
    join(mqtt().subscribeWith().topicFilter(filter).qos(MqttQos.EXACTLY_ONCE).callback(got::add).send());
    return got;
  }

  public void mqttPublish(String topic, String payload, int qos) {
    mqttPublish(topic, payload, qos, false, null);
  }

  public void mqttPublish(String topic, String payload, int qos, boolean retain, String contentType) {
    Mqtt5PublishBuilder.Send.Complete<java.util.concurrent.CompletableFuture<com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult>> p = mqtt().publishWith().topic(topic)
        .payload(payload.getBytes(StandardCharsets.UTF_8)).qos(MqttQos.fromCode(qos)).retain(retain);
    if (contentType != null) {
      p = p.contentType(contentType);
    }
    join(p.send());
  }

  public static String text(Mqtt5Publish p) {
    return new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8);
  }

  private static <T> T join(java.util.concurrent.CompletableFuture<T> f) {
    try {
      return f.get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    for (CoapClient c : new ArrayList<>(clients)) {
      c.getEndpoint().destroy();
      c.shutdown();
    }
    if (mqtt != null) {
      mqtt.disconnect();
    }
    gw.close();
  }
}
