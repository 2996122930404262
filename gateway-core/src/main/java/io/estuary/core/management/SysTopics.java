package io.estuary.core.management;

import io.estuary.api.Message;
import io.estuary.api.Payload;
import io.estuary.core.session.Broker;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Publishes broker state under {@code $SYS/brokers/{node}/} every {@code sys_topics.sys_msg_interval}
 * (EMQX's layout), retained so late subscribers see the last value. Runs on the broker's timer thread.
 */
public final class SysTopics {
  public static final String VERSION = SysTopics.class.getPackage().getImplementationVersion() == null
      ? "0.1.0-SNAPSHOT" : SysTopics.class.getPackage().getImplementationVersion();

  private final Broker broker;
  private final MicrometerMetrics metrics;
  private final String prefix;
  private ScheduledFuture<?> task;

  public SysTopics(Broker broker, MicrometerMetrics metrics) {
    this.broker = broker;
    this.metrics = metrics;
    this.prefix = "$SYS/brokers/" + broker.nodeName() + "/";
  }

  public void start(java.time.Duration interval) {
    if (interval.isZero()) {
      return;
    }
    publishOnce();
    task = broker.scheduler().scheduleAtFixedRate(this::publishOnce, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  public void stop() {
    if (task != null) {
      task.cancel(false);
    }
  }

  /** One round of $SYS messages. */
  public void publishOnce() {
    put("version", VERSION);
    put("uptime", String.valueOf(broker.uptimeMillis() / 1000));
    put("datetime", Instant.ofEpochMilli(broker.clock().millis()).toString());
    put("stats/connections/count", String.valueOf(broker.connectedCount()));
    put("stats/sessions/count", String.valueOf(broker.sessionCount()));
    put("stats/subscriptions/count", String.valueOf(broker.subscriptionCount()));
    put("stats/retained/count", String.valueOf(broker.retainedCount()));
    for (Map.Entry<String, Long> e : broker.connectedByProtocol().entrySet()) {
      put("stats/connections/" + e.getKey() + "/count", String.valueOf(e.getValue()));
    }
    put("metrics/messages/received", count("estuary.messages.received"));
    put("metrics/messages/sent", count("estuary.messages.sent"));
    put("metrics/messages/dropped", count("estuary.messages.dropped"));
    put("metrics/bytes/received", count("estuary.bytes.received"));
    put("metrics/bytes/sent", count("estuary.bytes.sent"));
  }

  private String count(String name) {
    double sum = 0;
    for (var c : metrics.registry().find(name).counters()) {
      sum += c.count();
    }
    return String.valueOf((long) sum);
  }

  private void put(String suffix, String value) {
    broker.publishSystem(Message.of(prefix + suffix, Payload.utf8(value), 0, true));
  }
}
