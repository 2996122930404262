package io.estuary.mqtt.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.estuary.api.Metrics;
import io.estuary.mqtt.MqttListenerConfig;
import io.estuary.mqtt.MqttListenerLimits;
import io.estuary.mqtt.channel.MqttListenerMetrics;
import io.estuary.testkit.TestGateway;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;
import java.net.InetSocketAddress;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Fuzzes the MQTT connection (Netty's decoder + our handler and state machine + a real broker) with
 * random bytes and with mutated valid packet streams: no exception may come from our own code, and the
 * broker must keep working. The handler catches every exception to close the connection, so {@code
 * checkException()} alone proves nothing: the property reads {@code mqtt.errors{reason=internal}}, the
 * counter of exceptions that are not a decoder's or the transport's.
 */
class MqttConnectionFuzzPropertiesTest {
  static TestGateway gw;
  static MqttListenerLimits limits;
  static MqttListenerMetrics metrics;
  static Metrics.Counter internalErrors;
  static byte[] validStream;

  @BeforeContainer
  static void setUp() {
    gw = TestGateway.builder().withoutMqtt().config("mqtt.max_packet_size = 64KiB").start();
    limits = new MqttListenerLimits(64 * 1024, 65535, 128, 2, 65535, true, true, true, true, 32, 100,
        MqttListenerLimits.DEFAULTS.maxSessionExpiry(), 1.5, MqttListenerLimits.DEFAULTS.idleTimeout());
    metrics = new MqttListenerMetrics(gw.context().metrics());
    internalErrors = metrics.internalErrors;
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
    gw.close();
  }

  private static void feed(byte[] input) {
    MqttListenerConfig l = new MqttListenerConfig("tcp", "fuzz", new InetSocketAddress("127.0.0.1", 0), "", null, "/mqtt", 100);
    double before = internalErrors.count();
    EmbeddedChannel ch = new EmbeddedChannel();
    ch.pipeline().addLast(new MqttDecoder(limits.maxPacketSize(), limits.maxClientIdLength()));
    ch.pipeline().addLast(MqttEncoder.INSTANCE);
    ch.pipeline().addLast(new MqttConnectionHandler(gw.context(), limits, l, metrics));
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
    assertThat(internalErrors.count() - before).as("exceptions from the listener's own code").isZero();
  }

  @Property(tries = 300)
  void random_bytes_never_raise_an_exception_in_the_listener(@ForAll("junk") byte[] input) {
    feed(input);
  }

  @Property(tries = 300)
  void mutated_valid_streams_never_raise_an_exception_in_the_listener(@ForAll("mutated") byte[] input) {
    feed(input);
    assertThat(gw.broker().sessionCount()).isLessThan(50);
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
