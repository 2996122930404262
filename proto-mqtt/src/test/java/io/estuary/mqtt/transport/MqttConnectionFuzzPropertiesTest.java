package io.estuary.mqtt.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.estuary.api.CloseReason;
import io.estuary.mqtt.MqttListenerConfig;
import io.estuary.mqtt.MqttListenerLimits;
import io.estuary.mqtt.channel.MqttListenerMetrics;
import io.estuary.testkit.FakeContext;
import io.estuary.testkit.FakeSession;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;
import java.net.InetSocketAddress;
import java.time.Clock;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Fuzzes the MQTT connection (Netty's decoder + our handler and state machine over a fake broker that
 * answers at once) with random bytes and with mutated valid packet streams. The handler catches every
 * exception to close the connection, so {@code checkException()} alone proves nothing: each property
 * reads {@code mqtt.errors{reason=internal}}, the count of exceptions that are neither a decoder's nor
 * the transport's, and requires it to stay zero. A pipeline stage runs the event loop's tasks after
 * every decoded packet, so the broker's answers land before the next packet and the fuzzed streams
 * reach the connected states (SUBSCRIBE, PUBLISH, PUBREL... handling), not only CONNECT.
 */
class MqttConnectionFuzzPropertiesTest {
  static final MqttListenerLimits LIMITS = new MqttListenerLimits(64 * 1024, 65535, 128, 2, 65535, true, true, true, true, 32, 100,
      MqttListenerLimits.DEFAULTS.maxSessionExpiry(), 1.5, MqttListenerLimits.DEFAULTS.idleTimeout());
  static final MqttListenerConfig LISTENER =
      new MqttListenerConfig("tcp", "fuzz", new InetSocketAddress("127.0.0.1", 0), "", null, "/mqtt", 100);
  static byte[] validStream;

  /** Runs the loop's pending tasks (the broker's answers) after each decoded packet. */
  static final class Settle extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ctx.fireChannelRead(msg);
      ((EmbeddedChannel) ctx.channel()).runPendingTasks();
    }
  }

  @BeforeContainer
  static void setUp() {
    EmbeddedChannel enc = new EmbeddedChannel(MqttEncoder.INSTANCE);
    enc.writeOutbound(MqttMessageBuilders.connect().clientId("fz").protocolVersion(MqttVersion.MQTT_3_1_1).keepAlive(30).build());
    enc.writeOutbound(MqttMessageBuilders.subscribe().messageId(1).addSubscription(MqttQoS.EXACTLY_ONCE, "a/#").build());
    enc.writeOutbound(MqttMessageBuilders.publish().topicName("a/b").qos(MqttQoS.AT_LEAST_ONCE).messageId(2)
        .payload(Unpooled.wrappedBuffer(new byte[] {1, 2, 3})).build());
    enc.writeOutbound(MqttMessageBuilders.publish().topicName("a/c").qos(MqttQoS.EXACTLY_ONCE).messageId(3)
        .payload(Unpooled.wrappedBuffer(new byte[] {4})).build());
    enc.writeOutbound(new MqttMessage(new MqttFixedHeader(MqttMessageType.PUBREL, false, MqttQoS.AT_LEAST_ONCE, false, 0),
        MqttMessageIdVariableHeader.from(3)));
    enc.writeOutbound(MqttMessageBuilders.unsubscribe().messageId(4).addTopicFilter("a/#").build());
    enc.writeOutbound(new MqttMessage(new MqttFixedHeader(MqttMessageType.DISCONNECT, false, MqttQoS.AT_MOST_ONCE, false, 0)));
    ByteBuf all = Unpooled.buffer();
    ByteBuf b;
    while ((b = enc.readOutbound()) != null) {
      all.writeBytes(b);
      b.release();
    }
    validStream = ByteBufUtil.getBytes(all);
    all.release();
  }

  /** Feeds {@code input} in random chunks; returns the fake broker it talked to. */
  private static FakeContext feed(byte[] input) {
    FakeContext broker = new FakeContext("mqtt", Clock.systemUTC());
    EmbeddedChannel ch = new EmbeddedChannel();
    ch.pipeline().addLast(new MqttDecoder(LIMITS.maxPacketSize(), LIMITS.maxClientIdLength()));
    ch.pipeline().addLast(MqttEncoder.INSTANCE);
    ch.pipeline().addLast(new Settle());
    MqttListenerMetrics metrics = new MqttListenerMetrics(broker.metrics());
    ReadGate gate = new ReadGate(LISTENER.bytesRate(), LISTENER.messagesRate(), metrics.bytesRatePauses, metrics.messagesRatePauses,
        metrics.unwritablePauses);
    ch.pipeline().addLast(new MqttConnectionHandler(broker, LIMITS, LISTENER, metrics, gate, false));
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
    assertThat(broker.counter("mqtt.errors")).as("exceptions from the listener's own code").isZero();
    assertThat(broker.sessions).as("every session a connection opened is closed with it").allSatisfy(s -> assertThat(s.closed).isNotNull());
    return broker;
  }

  @Property(tries = 300)
  void random_bytes_never_raise_an_exception_in_the_listener(@ForAll("junk") byte[] input) {
    feed(input);
  }

  @Property(tries = 300)
  void mutated_valid_streams_never_raise_an_exception_in_the_listener(@ForAll("mutated") byte[] input) {
    feed(input);
  }

  @Example
  void the_valid_stream_reaches_the_connected_states() {
    FakeContext broker = feed(validStream);
    FakeSession s = broker.lastSession();
    assertThat(s.subscribed).hasSize(1);
    assertThat(s.published).hasSize(2);
    assertThat(s.released).containsExactly(3);
    assertThat(s.unsubscribed).hasSize(1);
    assertThat(s.closed).isEqualTo(CloseReason.NORMAL);
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
