package io.estuary.uplink;

import io.estuary.api.ClientInfo;
import io.estuary.api.GatewayContext;
import io.estuary.api.Message;
import io.estuary.api.Payload;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes one uplink's status JSON, retained, on {@code $SYS/brokers/{node}/uplink/{name}/status}: at
 * start, when the connection or catch-up state changes, and at every status tick while messages wait
 * (once more when the backlog reaches zero). Confined to the uplink's executor.
 */
final class StatusPublisher {
  private static final Logger LOG = LoggerFactory.getLogger(StatusPublisher.class);

  private final GatewayContext context;
  private final ClientInfo client;
  private final String name;
  private final String topic;
  private final Supplier<UplinkStatus> status;
  private boolean publishedConnected;
  private boolean publishedCatchingUp;
  private int publishedBacklog;

  StatusPublisher(GatewayContext context, ClientInfo client, String node, String name, Supplier<UplinkStatus> status) {
    this.context = context;
    this.client = client;
    this.name = name;
    this.topic = "$SYS/brokers/" + node + "/uplink/" + name + "/status";
    this.status = status;
  }

  /** Publishes if the connection or catch-up state differs from what was last published (cheap to call often). */
  void publishOnChange(boolean connected, boolean catchingUp) {
    if (connected != publishedConnected || catchingUp != publishedCatchingUp) {
      publish();
    }
  }

  /** A status tick: republishes while messages wait, and once more when the backlog reaches zero. */
  void tick(int backlog, boolean connected, boolean catchingUp) {
    if (backlog > 0 || publishedBacklog > 0) {
      publish();
    } else {
      publishOnChange(connected, catchingUp);
    }
  }

  void publish() {
    UplinkStatus st = status.get();
    publishedConnected = st.connected();
    publishedCatchingUp = st.catchingUp();
    publishedBacklog = st.backlog();
    Message m = Message.of(topic, Payload.utf8(st.toJson()), 0, true);
    context.publish(client, m).whenComplete((o, e) -> {
      if (e != null || (o != null && !o.accepted())) {
        LOG.debug("uplink {}: status not published: {}", name, e != null ? e : o.status());
      }
    });
  }
}
