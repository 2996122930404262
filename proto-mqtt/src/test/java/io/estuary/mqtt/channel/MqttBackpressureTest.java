package io.estuary.mqtt.channel;

import static org.assertj.core.api.Assertions.assertThat;

import io.estuary.api.BrokerSession;
import io.estuary.api.GatewayContext;
import io.estuary.api.MessageProperties;
import io.estuary.api.Payload;
import io.estuary.api.PublishOutcome;
import io.estuary.mqtt.MqttListenerConfig;
import io.estuary.mqtt.MqttListenerLimits;
import io.estuary.mqtt.codec.MqttFrame.ConnAck;
import io.estuary.mqtt.codec.MqttFrame.Connect;
import io.estuary.mqtt.codec.MqttFrame.PubAck;
import io.estuary.mqtt.codec.MqttFrame.Publish;
import io.estuary.testkit.FakeContext;
import io.estuary.testkit.MutableClock;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/**
 * Issue #18's open item: an MQTT 3.1.1 publisher has no receive maximum, so when the broker takes its time
 * answering QoS 1 publishes the channel stops reading from it at the receive maximum it announces to MQTT 5
 * clients ({@code mqtt.max_awaiting_rel}), and reads again once one is answered. The broker here is the fake one
 * with its publish stages held open by the test.
 */
class MqttBackpressureTest {
  final FakeContext fake = new FakeContext("mqtt", new MutableClock());
  final List<CompletableFuture<PublishOutcome>> pending = new ArrayList<>();
  final List<Action> actions = new ArrayList<>();
  final MqttListenerLimits limits = new MqttListenerLimits(1_000_000, 65535, 128, 2, 65535, true, true, true, true,
      32, 3, Duration.ofHours(2), 1.5, Duration.ofSeconds(15));

  /** The fake broker, except that publish() answers only when the test completes its stage. */
  GatewayContext slowBroker() {
    return (GatewayContext) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {GatewayContext.class},
        (proxy, m, args) -> {
          Object r = invoke(m, fake, args);
          if (m.getName().equals("openSession")) {
            return ((CompletionStage<?>) r).thenApply(s -> slow((BrokerSession) s));
          }
          return r;
        });
  }

  BrokerSession slow(BrokerSession real) {
    return (BrokerSession) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {BrokerSession.class},
        (proxy, m, args) -> {
          Object r = invoke(m, real, args);
          if (m.getName().equals("publish")) {
            CompletableFuture<PublishOutcome> f = new CompletableFuture<>();
            pending.add(f);
            return f;
          }
          return r;
        });
  }

  private static Object invoke(java.lang.reflect.Method m, Object target, Object[] args) throws Throwable {
    try {
      return m.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  static Publish publish(int packetId) {
    return new Publish("bp/x", packetId, 1, false, false, Payload.copyOf("x".getBytes(StandardCharsets.UTF_8)),
        MessageProperties.NONE, null, List.of());
  }

  @Test
  void a_311_publisher_is_paused_beyond_the_receive_maximum_of_unanswered_qos1_publishes_and_resumed_by_one_answer() {
    MqttListenerConfig l = new MqttListenerConfig("tcp", "default", new InetSocketAddress("127.0.0.1", 1883), "", null, "/mqtt", 10);
    MqttChannel channel = new MqttChannel(slowBroker(), limits, l, new MqttListenerMetrics(fake.metrics()), Runnable::run,
        new InetSocketAddress("127.0.0.1", 40000), actions::add);
    channel.handleIn(new Connect(4, "bp", true, 30, null, null, null, null, null, null, null));
    assertThat(actions.get(0)).isEqualTo(new Action.Send(new ConnAck(0, false, null)));
    actions.clear();

    channel.handleIn(publish(1));
    channel.handleIn(publish(2));
    channel.handleIn(publish(3));
    assertThat(actions).as("three unanswered = max_awaiting_rel: still reading").isEmpty();
    channel.handleIn(publish(4));
    assertThat(actions).as("the fourth goes beyond max_awaiting_rel = 3").containsExactly(new Action.Reading(false));
    assertThat(fake.counter("mqtt.reads.paused")).isEqualTo(1);

    pending.get(1).complete(new PublishOutcome(PublishOutcome.Status.OK, 1));
    assertThat(actions).as("one answered: reading again, then its PUBACK")
        .containsExactly(new Action.Reading(false), new Action.Reading(true), new Action.Send(new PubAck(2, 0)));
    pending.get(0).complete(new PublishOutcome(PublishOutcome.Status.OK, 1));
    pending.get(2).complete(new PublishOutcome(PublishOutcome.Status.OK, 1));
    pending.get(3).complete(new PublishOutcome(PublishOutcome.Status.OK, 1));
    assertThat(actions).hasSize(6);
    assertThat(fake.lastSession().published).hasSize(4);
  }
}
