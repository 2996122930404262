package io.estuary.mqtt.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.estuary.api.limits.Rate;
import io.estuary.testkit.CountingCounter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttQoS;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The read gate's reasons to stop reading compose: the inflight hold (or a rate) and an unwritable connection each
 * hold on their own, reading resumes when none holds, and the packets read meanwhile are handled in order, then
 * reported as one burst. No sockets: an {@link EmbeddedChannel} whose pending tasks stand for the event loop.
 */
class ReadGateTest {
  private final EmbeddedChannel channel = new EmbeddedChannel();
  private final CountingCounter unwritablePauses = new CountingCounter();
  private final ReadGate gate =
      new ReadGate(Rate.INFINITY, Rate.INFINITY, new CountingCounter(), new CountingCounter(), unwritablePauses);
  private final List<Integer> handled = new ArrayList<>();
  private int bursts;
  private Consumer<MqttMessage> onPacket = m -> { };

  ReadGateTest() {
    gate.bind(channel, m -> {
      handled.add(((MqttMessageIdVariableHeader) m.variableHeader()).messageId());
      onPacket.accept(m);
    }, () -> bursts++);
  }

  private static MqttMessage puback(int id) {
    return new MqttMessage(new MqttFixedHeader(MqttMessageType.PUBACK, false, MqttQoS.AT_MOST_ONCE, false, 2),
        MqttMessageIdVariableHeader.from(id));
  }

  private boolean reading() {
    return channel.config().isAutoRead();
  }

  @Test
  void reading_resumes_only_when_neither_the_inflight_hold_nor_unwritability_holds() {
    gate.hold(true);
    gate.writable(false);
    assertThat(reading()).isFalse();
    gate.hold(false);
    channel.runPendingTasks();
    assertThat(reading()).as("still unwritable").isFalse();
    gate.writable(true);
    channel.runPendingTasks();
    assertThat(reading()).isTrue();

    gate.writable(false);
    gate.hold(true);
    gate.writable(true);
    channel.runPendingTasks();
    assertThat(reading()).as("still held").isFalse();
    gate.hold(false);
    channel.runPendingTasks();
    assertThat(reading()).isTrue();
  }

  @Test
  void packets_read_while_unwritable_wait_in_order_and_are_handled_as_one_burst_once_writable() {
    gate.writable(false);
    gate.offer(puback(1));
    gate.offer(puback(2));
    gate.offer(puback(3));
    assertThat(handled).isEmpty();
    gate.writable(true);
    assertThat(handled).as("handled later on the loop, not inside Netty's write").isEmpty();
    channel.runPendingTasks();
    assertThat(handled).containsExactly(1, 2, 3);
    assertThat(bursts).as("their acknowledgements reported once, without waiting for another read").isEqualTo(1);
    assertThat(reading()).isTrue();
  }

  @Test
  void a_packet_whose_answer_makes_the_connection_unwritable_stops_the_packets_behind_it() {
    onPacket = m -> gate.writable(false); // Netty reports the high water mark from inside the write of the answer
    gate.offer(puback(1));
    onPacket = m -> { };
    gate.offer(puback(2));
    gate.offer(puback(3));
    assertThat(handled).containsExactly(1);
    assertThat(reading()).isFalse();
    gate.writable(true);
    channel.runPendingTasks();
    assertThat(handled).containsExactly(1, 2, 3);
    assertThat(reading()).isTrue();
  }

  @Test
  void each_unwritable_spell_is_one_pause() {
    gate.writable(false);
    gate.writable(false);
    assertThat(unwritablePauses.count()).isEqualTo(1);
    gate.writable(true);
    gate.writable(false);
    assertThat(unwritablePauses.count()).isEqualTo(2);
  }

  @Test
  void only_the_listeners_own_pauses_spare_the_keepalive() {
    gate.writable(false);
    assertThat(gate.paused()).isTrue();
    assertThat(gate.throttled()).as("the client is the one not reading").isFalse();
    gate.hold(true);
    assertThat(gate.throttled()).isTrue();
  }
}
