package io.estuary.core.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.estuary.api.GatewayContext;
import io.estuary.core.auth.AclAuthorizer;
import io.estuary.core.auth.ConfigAuthenticator;
import io.estuary.core.config.ConfigLoader;
import io.estuary.core.config.GatewayConfig;
import io.estuary.core.config.ListenerConfig;
import io.estuary.core.management.MicrometerMetrics;
import io.estuary.core.server.AdapterContext;
import io.estuary.core.session.Broker;
import io.estuary.core.store.memory.MemoryStore;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;
import java.time.Clock;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Fuzzes the MQTT connection state machine (Netty's decoder + our handler + a real broker) with random
 * bytes and with mutated valid packet streams: nothing may escape the pipeline as an exception, and the
 * broker must keep working.
 */
class MqttConnectionFuzzPropertiesTest {
  static Broker broker;
  static GatewayContext context;
  static GatewayConfig config;
  static MqttListenerMetrics metrics;
  static byte[] validStream;

  @BeforeContainer
  static void setUp() {
    config = ConfigLoader.bind(ConfigFactory.parseString("mqtt.max_packet_size = 64KiB"));
    var m = new MicrometerMetrics();
    broker = new Broker("fuzz", config.mqtt(), new MemoryStore(), new ConfigAuthenticator(true, List.of(), List.of()),
        new AclAuthorizer(List.of(), true, u -> false), m, Clock.systemUTC());
    context = new AdapterContext("mqtt", broker, new MemoryStore(), Runnable::run, m, "");
    metrics = new MqttListenerMetrics(m);
    EmbeddedChannel enc = new EmbeddedChannel(MqttEncoder.INSTANCE);
    enc.writeOutbound(MqttMessageBuilders.connect().clientId("fz").protocolVersion(MqttVersion.MQTT_3_1_1).keepAlive(30).build());
    enc.writeOutbound(MqttMessageBuilders.subscribe().messageId(1).addSubscription(MqttQoS.EXACTLY_ONCE, "a/#").build());
    enc.writeOutbound(MqttMessageBuilders.publish().topicName("a/b").qos(MqttQoS.AT_LEAST_ONCE).messageId(2)
        .payload(Unpooled.wrappedBuffer(new byte[] {1, 2, 3})).build());
    ByteBuf all = Unpooled.buffer();
    ByteBuf b;
    while ((b = enc.readOutbound()) != null) {
      all.writeBytes(b);
      b.release();
    }
    validStream = ByteBufUtil.getBytes(all);
    all.release();
  }

  @AfterContainer
  static void tearDown() {
    broker.close();
  }

  private static void feed(byte[] input) {
    ListenerConfig l = config.listeners().get(0);
    EmbeddedChannel ch = new EmbeddedChannel();
    ch.pipeline().addLast(new MqttDecoder(config.mqtt().maxPacketSize(), config.mqtt().maxClientIdLength()));
    ch.pipeline().addLast(MqttEncoder.INSTANCE);
    ch.pipeline().addLast(new MqttConnectionHandler(context, config.mqtt(), l, metrics));
    int off = 0;
    java.util.Random r = new java.util.Random(input.length);
    while (off < input.length && ch.isOpen()) {
      int n = Math.min(input.length - off, 1 + r.nextInt(64));
      ch.writeInbound(Unpooled.wrappedBuffer(input, off, n));
      off += n;
      ch.runPendingTasks();
    }
    ch.runPendingTasks();
    ch.checkException();
    ch.finishAndReleaseAll();
  }

  @Property(tries = 300)
  void random_bytes_never_escape_the_pipeline(@ForAll("junk") byte[] input) {
    feed(input);
  }

  @Property(tries = 300)
  void mutated_valid_streams_never_escape_the_pipeline(@ForAll("mutated") byte[] input) {
    feed(input);
    assertThat(broker.sessionCount()).isLessThan(50);
  }

  @Provide
  Arbitrary<byte[]> junk() {
    return Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(512);
  }

  @Provide
  Arbitrary<byte[]> mutated() {
    return Arbitraries.integers().between(0, validStream.length - 1).list().ofMinSize(1).ofMaxSize(6)
        .flatMap(positions -> Arbitraries.bytes().list().ofSize(positions.size()).map(values -> {
          byte[] copy = validStream.clone();
          for (int i = 0; i < positions.size(); i++) {
            copy[positions.get(i)] = values.get(i);
          }
          return copy;
        }));
  }
}
