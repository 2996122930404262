package io.estuary.mqttsn.channel;

import io.estuary.core.api.CloseReason;
import io.estuary.core.api.GatewayContext;
import io.estuary.core.api.Message;
import io.estuary.core.api.Metrics;
import io.estuary.core.api.Payload;
import io.estuary.mqttsn.MqttSnConfig;
import io.estuary.mqttsn.codec.MqttSnFrame;
import io.estuary.mqttsn.codec.MqttSnFrame.*;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The clients of one listener: finds the channel for a datagram, answers SEARCHGW (§6.1) and routes
 * connectionless QoS -1 publishes. Channels are keyed by client id, not address: a CONNECT or a
 * wake-up PINGREQ from a new address or port moves the client there (NAT rebinding, a new socket after
 * sleep). Owned by the transport's event loop.
 */
public final class MqttSnDispatcher {
  private static final Logger drops = LoggerFactory.getLogger("io.estuary.mqttsn.drops");

  private final MqttSnConfig config;
  private final GatewayContext ctx;
  private final String listener;
  private final Executor executor;
  private final Consumer<List<Action>> transport;
  private final Map<InetSocketAddress, MqttSnChannel> byAddress = new HashMap<>();
  private final Map<String, MqttSnChannel> byClientId = new HashMap<>();
  private final Map<String, Metrics.Counter> dropCounters = new HashMap<>();

  public MqttSnDispatcher(MqttSnConfig config, GatewayContext ctx, String listener, Executor executor,
      Consumer<List<Action>> transport) {
    this.config = config;
    this.ctx = ctx;
    this.listener = listener;
    this.executor = executor;
    this.transport = transport;
  }

  public int size() {
    return byAddress.size();
  }

  public void onFrame(InetSocketAddress from, MqttSnFrame frame) {
    onFrame(from, frame, null);
  }

  /** A frame from a DTLS peer: {@code identity} is its PSK identity (certificate subject). */
  public void onFrame(InetSocketAddress from, MqttSnFrame frame, String identity) {
    if (frame instanceof SearchGw) {
      send(from, new GwInfo(config.gatewayId(), Payload.EMPTY)); // §6.1: the gateway itself answers
      return;
    }
    if (frame instanceof Advertise || frame instanceof GwInfo) {
      return; // other gateways' discovery traffic
    }
    MqttSnChannel ch = byAddress.get(from);
    if (frame instanceof Connect c) {
      ch = channelForConnect(from, ch, c.clientId());
    } else if (ch == null && frame instanceof PingReq p && !p.clientId().isEmpty()) {
      ch = byClientId.get(p.clientId()); // §6.14: a sleeping client wakes up, maybe from a new port
      if (ch != null) {
        move(ch, from);
      }
    }
    if (ch != null) {
      ch.peerIdentity(identity);
      process(ch, ch.handleIn(frame));
    } else if (frame instanceof Publish p && p.qos() == -1) {
      publishWithoutConnection(from, p);
    } else {
      drop(from, "no_session", frame.getClass().getSimpleName() + " from an unknown client");
    }
  }

  /** A datagram that did not decode. */
  public void onFrameError(InetSocketAddress from, String reason) {
    drop(from, "malformed", reason);
  }

  /** The timer tick: keepalive, sleep, retries. */
  public void tick() {
    for (MqttSnChannel ch : new ArrayList<>(byAddress.values())) {
      process(ch, ch.handleTimeout());
    }
  }

  /** Gateway shutdown: every client gets DISCONNECT, every session closes without will. */
  public void shutdown() {
    for (MqttSnChannel ch : new ArrayList<>(byAddress.values())) {
      process(ch, ch.shutdown());
    }
  }

  private MqttSnChannel channelForConnect(InetSocketAddress from, MqttSnChannel atAddress, String clientId) {
    MqttSnChannel known = clientId.isEmpty() ? null : byClientId.get(clientId);
    if (atAddress != null && atAddress != known && !atAddress.clientId().equals(clientId)) {
      // another client id from this address: the old device behind it is gone
      process(atAddress, atAddress.abandon(CloseReason.TRANSPORT_ERROR));
      atAddress = null;
    }
    MqttSnChannel ch = known != null ? known : atAddress;
    if (ch == null) {
      ch = newChannel(from);
    } else {
      move(ch, from);
    }
    if (!clientId.isEmpty()) {
      byClientId.put(clientId, ch);
    }
    return ch;
  }

  private MqttSnChannel newChannel(InetSocketAddress from) {
    MqttSnChannel[] self = new MqttSnChannel[1];
    MqttSnChannel ch = new MqttSnChannel(config, ctx, listener, from, executor, actions -> process(self[0], actions));
    self[0] = ch;
    byAddress.put(from, ch);
    return ch;
  }

  private void move(MqttSnChannel ch, InetSocketAddress to) {
    if (!ch.peer().equals(to)) {
      byAddress.remove(ch.peer(), ch);
      MqttSnChannel other = byAddress.get(to);
      if (other != null && other != ch) {
        process(other, other.abandon(CloseReason.TRANSPORT_ERROR));
      }
      ch.moveTo(to);
      byAddress.put(to, ch);
    }
  }

  private void process(MqttSnChannel ch, List<Action> actions) {
    if (actions.isEmpty()) {
      return;
    }
    for (Action a : actions) {
      if (a instanceof Action.Close) {
        byAddress.remove(ch.peer(), ch);
        byClientId.remove(ch.clientId(), ch);
      }
    }
    transport.accept(actions);
  }

  private void publishWithoutConnection(InetSocketAddress from, Publish p) {
    if (!config.enableQos3()) {
      drop(from, "qos3_disabled", "QoS -1 PUBLISH");
      return;
    }
    Message m = ConnectionlessPublisher.message(config, p);
    if (m == null) {
      drop(from, "unknown_topic", "QoS -1 PUBLISH with a normal topic id or unknown predefined id");
      return;
    }
    ctx.publish(ConnectionlessPublisher.publisher(config, listener, from), m);
  }

  private void send(InetSocketAddress to, MqttSnFrame frame) {
    transport.accept(List.of(new Action.Send(to, frame)));
  }

  private void drop(InetSocketAddress from, String reason, String what) {
    drops.debug("mqttsn datagram from {} dropped: {} ({})", from, what, reason);
    dropCounters.computeIfAbsent(reason, r -> ctx.metrics().counter("mqttsn.drops", "reason", r)).increment();
  }
}
