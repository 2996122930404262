package io.estuary.bench.mqtt.transport;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What publishers and subscribers share: CONNECT (MQTT 3.1.1, clean session), keepalive pings, and
 * telling a broker-side close from our own DISCONNECT. All state belongs to the channel's event loop.
 */
abstract class MqttLoadClient extends ChannelInboundHandlerAdapter {

  private static final Logger LOG = LoggerFactory.getLogger(MqttLoadClient.class);
  static final int KEEPALIVE_SECONDS = 60;

  private final String clientId;
  private final String role;
  /** Completes when the client is ready for the run (connected, and subscribed for subscribers). */
  final CompletableFuture<Void> ready = new CompletableFuture<>();
  private volatile String failure;
  private boolean closing;
  private ScheduledFuture<?> pinger;
  ChannelHandlerContext ctx;

  MqttLoadClient(String clientId, String role) {
    this.clientId = clientId;
    this.role = role;
  }

  /** CONNACK accepted. */
  abstract void onConnected(ChannelHandlerContext ctx);

  /** Any message but CONNACK and PINGRESP; the caller releases it. */
  abstract void onMessage(ChannelHandlerContext ctx, MqttMessage message);

  /** Why the client failed during the run, or null. */
  final String failure() {
    return failure;
  }

  final String role() {
    return role;
  }

  /** Sends DISCONNECT and closes; from any thread. */
  final void disconnect() {
    ChannelHandlerContext c = ctx;
    if (c == null) {
      return;
    }
    c.executor().execute(() -> {
      closing = true;
      c.writeAndFlush(MqttMessage.DISCONNECT).addListener(ChannelFutureListener.CLOSE);
    });
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    ctx.writeAndFlush(MqttMessageBuilders.connect()
        .clientId(clientId)
        .protocolVersion(MqttVersion.MQTT_3_1_1)
        .cleanSession(true)
        .keepAlive(KEEPALIVE_SECONDS)
        .build());
    // MQTT 3.1.1 §3.1.2.10: a silent client is cut after 1.5 keepalives; subscribers at QoS 0 never talk
    pinger = ctx.executor().scheduleAtFixedRate(
        () -> ctx.writeAndFlush(MqttMessage.PINGREQ),
        KEEPALIVE_SECONDS / 2, KEEPALIVE_SECONDS / 2, TimeUnit.SECONDS);
    ctx.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (!(msg instanceof MqttMessage m)) {
        return;
      }
      if (m.decoderResult().isFailure()) {
        fail(ctx, "got an undecodable packet: " + m.decoderResult().cause());
        return;
      }
      MqttMessageType type = m.fixedHeader().messageType();
      if (type == MqttMessageType.CONNACK) {
        MqttConnectReturnCode code = ((MqttConnAckMessage) m).variableHeader().connectReturnCode();
        if (code == MqttConnectReturnCode.CONNECTION_ACCEPTED) {
          onConnected(ctx);
        } else {
          fail(ctx, "was refused: " + code);
        }
      } else if (type != MqttMessageType.PINGRESP) {
        onMessage(ctx, m);
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (pinger != null) {
      pinger.cancel(false);
    }
    if (!closing) {
      fail(ctx, "lost its connection (closed by the broker)");
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    fail(ctx, "failed: " + cause);
  }

  /** Records the first failure, fails {@link #ready} and closes the connection. */
  final void fail(ChannelHandlerContext ctx, String why) {
    if (failure == null) {
      failure = role + " (" + clientId + ") " + why;
      LOG.debug("{}", failure);
    }
    ready.completeExceptionally(new IllegalStateException(failure));
    closing = true;
    ctx.close();
  }
}
