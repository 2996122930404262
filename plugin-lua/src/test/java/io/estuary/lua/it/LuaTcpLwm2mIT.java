package io.estuary.lua.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.estuary.testkit.TestGateway;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.eclipse.leshan.client.LeshanClient;
import org.eclipse.leshan.client.LeshanClientBuilder;
import org.eclipse.leshan.transport.californium.client.endpoint.CaliforniumClientEndpointsProvider;
import org.eclipse.leshan.transport.californium.client.endpoint.coap.CoapClientProtocolProvider;
import org.eclipse.leshan.client.engine.DefaultRegistrationEngineFactory;
import org.eclipse.leshan.client.object.Device;
import org.eclipse.leshan.client.object.Security;
import org.eclipse.leshan.client.object.Server;
import org.eclipse.leshan.client.observer.LwM2mClientObserverAdapter;
import org.eclipse.leshan.client.resource.ObjectsInitializer;
import org.eclipse.leshan.client.servers.LwM2mServer;
import org.eclipse.leshan.core.ResponseCode;
import org.eclipse.leshan.core.model.ObjectLoader;
import org.eclipse.leshan.core.model.StaticModel;
import org.eclipse.leshan.core.request.RegisterRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The two protocols {@link LuaProtocolsIT} leaves out, under the same vmq_diversity-style script: a raw TCP
 * device on EMQX's TCP framing (refused → CONNACK AUTHFAILED {@code 21 00 00}) and a Leshan LwM2M client
 * (refused → register answered 4.03 FORBIDDEN); the admitted ones' uplinks are rewritten by the script.
 */
@Timeout(120)
class LuaTcpLwm2mIT {
  @TempDir
  static Path dir;
  static TestGateway gw;
  static Mqtt5BlockingClient watcher;

  @BeforeAll
  static void start() throws Exception {
    Files.writeString(dir.resolve("auth.lua"), LuaProtocolsIT.SCRIPT);
    gw = TestGateway.builder()
        .adapter(LuaProtocolsIT.adapter("tcp")).adapter(LuaProtocolsIT.adapter("lwm2m"))
        .config("""
            gateway.tcp.listeners.tcp.default.bind = "127.0.0.1:0"
            gateway.tcp.listeners.ssl.default.enable = false
            gateway.tcp.up_topic = "raw/%c"
            gateway.lwm2m.listeners.udp.default.bind = "127.0.0.1:0"
            gateway.lwm2m.mountpoint = "raw/${endpoint}/"
            """)
        .config("gateway.lwm2m.xml_dir = \"" + xmlDir().getPath().replace("\\", "/") + "\"")
        .config("plugins.lua { script_path = \"" + dir + "\", scripts = [auth.lua], num_states = 2 }")
        .start();
    watcher = Mqtt5Client.builder().identifier("lua-watcher").serverHost("127.0.0.1").serverPort(gw.mqttPort())
        .buildBlocking();
    watcher.connect();
  }

  /** The repository's lwm2m_xml object models (the module runs with its own directory as working directory). */
  static File xmlDir() {
    return new File("../lwm2m_xml").getAbsoluteFile();
  }

  @AfterAll
  static void stop() {
    if (watcher != null) {
      watcher.disconnect();
    }
    if (gw != null) {
      gw.close();
    }
  }

  static Mqtt5Publish received(Mqtt5BlockingClient.Mqtt5Publishes p) throws InterruptedException {
    return p.receive(15, TimeUnit.SECONDS).orElseThrow(() -> new AssertionError("nothing arrived"));
  }

  /** EMQX TCP CONNECT: type 0x10, 16-bit length, keepalive 60, the 16-bit-prefixed client id. */
  static byte[] connect(String clientId) {
    byte[] id = clientId.getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int length = 1 + 2 + id.length;
    b.writeBytes(new byte[] {0x10, (byte) (length >> 8), (byte) length, 60, (byte) (id.length >> 8), (byte) id.length});
    b.writeBytes(id);
    return b.toByteArray();
  }

  static String exchange(Socket s, byte[] frame, int answer) throws IOException {
    s.getOutputStream().write(frame);
    s.getOutputStream().flush();
    InputStream in = s.getInputStream();
    byte[] got = in.readNBytes(answer);
    return HexFormat.ofDelimiter(" ").formatHex(got);
  }

  static Socket tcp() throws IOException {
    InetSocketAddress at = gw.listener("tcp", "tcp:default");
    Socket s = new Socket(at.getAddress(), at.getPort());
    s.setSoTimeout(10_000);
    return s;
  }

  @Test
  void a_raw_tcp_device_is_refused_and_its_admitted_peer_rewritten_by_the_script() throws Exception {
    try (Socket denied = tcp()) {
      assertThat(exchange(denied, connect("denied-tcp"), 3)).as("CONNACK AUTHFAILED").isEqualTo("21 00 00");
    }
    try (var publishes = watcher.publishes(MqttGlobalPublishFilter.ALL); Socket d = tcp()) {
      watcher.subscribeWith().topicFilter("cooked/tcp/#").qos(MqttQos.AT_LEAST_ONCE).send();
      assertThat(exchange(d, connect("lua-tcp"), 23)).as("CONNACK \"Connect Successfully\"")
          .startsWith("20 00 14");
      d.getOutputStream().write(new byte[] {0x30, 0, 2, '2', '1'}); // DATATRANS "21"
      Mqtt5Publish got = received(publishes);
      assertThat(got.getTopic().toString()).isEqualTo("cooked/tcp/lua-tcp");
      assertThat(new String(got.getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo("tcp:21");
    }
  }

  /** A Leshan client with the core objects over plain UDP; its register failures as response codes. */
  static final class Lwm2mDevice implements AutoCloseable {
    final LeshanClient client;
    final List<String> failures = new CopyOnWriteArrayList<>();
    volatile boolean registered;

    Lwm2mDevice(String endpoint) {
      ObjectsInitializer init = new ObjectsInitializer(new StaticModel(ObjectLoader.loadAllDefault()));
      init.setInstancesForObject(0, Security.noSec("coap://127.0.0.1:" + gw.listener("lwm2m", "udp:default").getPort(), 123));
      init.setInstancesForObject(1, new Server(123, 300));
      init.setInstancesForObject(3, new Device("Estuary", "lua-model", "SN-1"));
      DefaultRegistrationEngineFactory engine = new DefaultRegistrationEngineFactory();
      engine.setRequestTimeoutInMs(5000);
      CaliforniumClientEndpointsProvider.Builder eps = new CaliforniumClientEndpointsProvider.Builder(
          new CoapClientProtocolProvider());
      eps.setClientAddress(InetAddress.getLoopbackAddress());
      client = new LeshanClientBuilder(endpoint).setObjects(init.create(0, 1, 3))
          .setRegistrationEngineFactory(engine).setEndpointsProviders(eps.build()).build();
      client.addObserver(new LwM2mClientObserverAdapter() {
        @Override
        public void onRegistrationSuccess(LwM2mServer server, RegisterRequest request, String registrationId) {
          registered = true;
        }

        @Override
        public void onRegistrationFailure(LwM2mServer server, RegisterRequest request, ResponseCode code, String error,
            Exception cause) {
          failures.add(code != null ? code.toString() : "no answer: " + cause);
        }
      });
      client.start();
    }

    @Override
    public void close() {
      client.destroy(true);
    }
  }

  @Test
  void an_lwm2m_client_is_refused_and_its_admitted_peer_rewritten_by_the_script() throws Exception {
    try (Lwm2mDevice denied = new Lwm2mDevice("denied-ep")) {
      await().atMost(Duration.ofSeconds(20)).until(() -> !denied.failures.isEmpty());
      assertThat(denied.failures.get(0)).startsWith("FORBIDDEN");
      assertThat(denied.registered).isFalse();
    }
    try (var publishes = watcher.publishes(MqttGlobalPublishFilter.ALL)) {
      watcher.subscribeWith().topicFilter("cooked/lwm2m/#").qos(MqttQos.AT_LEAST_ONCE).send();
      try (Lwm2mDevice d = new Lwm2mDevice("lua-ep")) {
        await().atMost(Duration.ofSeconds(20)).until(() -> d.registered);
        Mqtt5Publish got = received(publishes);
        assertThat(got.getTopic().toString()).isEqualTo("cooked/lwm2m/lua-ep/up/resp");
        assertThat(new String(got.getPayloadAsBytes(), StandardCharsets.UTF_8)).startsWith("lwm2m:{").contains("register");
      }
    }
  }
}
