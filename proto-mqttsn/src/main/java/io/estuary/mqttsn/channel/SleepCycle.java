package io.estuary.mqttsn.channel;

import io.estuary.api.CloseReason;
import io.estuary.mqttsn.MqttSnConfig;
import io.estuary.mqttsn.channel.MqttSnChannel.State;
import io.estuary.mqttsn.codec.MqttSnFrame.Disconnect;
import io.estuary.mqttsn.codec.MqttSnFrame.PingReq;
import io.estuary.mqttsn.codec.MqttSnFrame.PingResp;
import java.time.Duration;
import java.util.function.BiConsumer;

/**
 * The ping, disconnect and sleep phase of a connected channel (MQTT-SN 1.2 §6.12, §6.14 Figure 4):
 * PINGREQ answers an active client and wakes a sleeping one, DISCONNECT with a duration puts it to
 * sleep, without one ends the session; an awake client goes back to sleep once its buffered messages are
 * out. Which address a sleeping client may wake up from is the dispatcher's rule
 * ({@code wakeup_from_new_address}), checked before a frame reaches the channel.
 *
 * <p>Thread contract: owned by its channel's thread (the transport's event loop, also the session's
 * {@code DeliverySink.executor()}); the broker's {@code wake()} stage is handed back to that thread.
 */
final class SleepCycle {
  private final MqttSnChannel ch;
  private final MqttSnConfig config;

  private Duration sleepDuration = Duration.ZERO;
  private long sleepDeadline;
  private boolean wakeDrained;

  SleepCycle(MqttSnChannel ch, MqttSnConfig config) {
    this.ch = ch;
    this.config = config;
  }

  /** When an asleep client is lost if it has not woken up (epoch millis, the context's clock). */
  long deadline() {
    return sleepDeadline;
  }

  void onPingReq(PingReq p) {
    switch (ch.state()) {
      case ASLEEP -> {
        ch.enter(State.AWAKE); // §6.14: flush what was buffered, then PINGRESP
        wakeDrained = false;
        BiConsumer<Void, Throwable> drained = ch.whileCurrent((v, e) -> {
          if (ch.state() == State.AWAKE && e == null) {
            wakeDrained = true;
            checkAwakeDone();
          }
        });
        ch.outbound().releaseHeld();
        ch.session().wake().whenComplete(drained);
      }
      case ACTIVE, AWAKE -> ch.send(new PingResp());
      default -> ch.drop("not_connected", "PINGREQ");
    }
  }

  void onDisconnect(Disconnect d) {
    if (ch.session() == null) {
      ch.send(Disconnect.plain());
      ch.finish();
      return;
    }
    if (d.durationSeconds().isPresent() && d.durationSeconds().getAsInt() > 0) {
      sleepDuration = Duration.ofSeconds(d.durationSeconds().getAsInt());
      ch.send(Disconnect.plain()); // §6.14: acknowledged with a DISCONNECT without duration
      goToSleep();
      return;
    }
    ch.send(Disconnect.plain());
    ch.closeSession(CloseReason.NORMAL);
  }

  private void goToSleep() {
    ch.enter(State.ASLEEP);
    sleepDeadline = ch.now() + (long) (sleepDuration.toMillis() * config.keepaliveMultiplier());
    ch.session().sleep(); // the deadline above is ours: the broker only queues (BrokerSession#sleep)
  }

  /**
   * After a wake-up, sends PINGRESP and puts the client back to sleep once the broker's queue is
   * drained (the stage of {@code wake()}) and nothing of ours is still registering or in flight.
   */
  void checkAwakeDone() {
    if (ch.state() == State.AWAKE && wakeDrained && ch.outbound().idle()) {
      ch.send(new PingResp());
      goToSleep();
    }
  }
}
