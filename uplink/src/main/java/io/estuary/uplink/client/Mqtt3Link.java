package io.estuary.uplink.client;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3ClientBuilder;
import com.hivemq.client.mqtt.mqtt3.message.connect.Mqtt3Connect;
import com.hivemq.client.mqtt.mqtt3.message.connect.Mqtt3ConnectBuilder;
import com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3Publish;
import com.hivemq.client.mqtt.mqtt3.message.subscribe.Mqtt3Subscribe;
import com.hivemq.client.mqtt.mqtt3.message.subscribe.Mqtt3SubscribeBuilder;
import com.hivemq.client.mqtt.mqtt3.message.subscribe.Mqtt3Subscription;
import com.hivemq.client.mqtt.mqtt3.message.subscribe.suback.Mqtt3SubAckReturnCode;
import io.estuary.api.Message;
import io.estuary.api.MessageProperties;
import io.estuary.api.Payload;
import io.reactivex.schedulers.Schedulers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MQTT 3.1.1 upstream. No user properties and no No Local: message properties are not forwarded and
 * loops are avoided only by keeping forwarded topics out of the subscribed filters (docs/uplink.md).
 */
final class Mqtt3Link implements RemoteLink {
  private static final Logger LOG = LoggerFactory.getLogger(Mqtt3Link.class);

  private final LinkOptions options;
  private final List<RemoteFilter> subscriptions;
  private final LinkListener listener;
  private final Mqtt3AsyncClient client;
  private final AtomicBoolean subscribed = new AtomicBoolean();
  private volatile boolean stopping;

  Mqtt3Link(LinkOptions options, List<RemoteFilter> subscriptions, LinkListener listener, Executor executor) {
    this.options = options;
    this.subscriptions = List.copyOf(subscriptions);
    this.listener = listener;
    Mqtt3ClientBuilder b = MqttClient.builder().useMqttVersion3()
        .identifier(options.clientId())
        .serverHost(options.host())
        .serverPort(options.port())
        .addConnectedListener(ctx -> onConnected())
        .addDisconnectedListener(ctx -> Reconnects.onDisconnected(ctx, options.backoff(), stopping, listener));
    if (options.tls().enable()) {
      b = b.sslConfig(Reconnects.ssl(options.tls()));
    }
    // results complete on the client's event loop, not via a hop to RxJava's computation pool (the
    // default): our callbacks only queue the answer and schedule one settle task per batch
    this.client = b.executorConfig().applicationScheduler(Schedulers.trampoline()).applyExecutorConfig().buildAsync();
    client.publishes(MqttGlobalPublishFilter.ALL, p -> listener.message(toMessage(p), p::acknowledge), executor, true);
  }

  @Override
  public void start() {
    Mqtt3ConnectBuilder c = Mqtt3Connect.builder()
        .cleanSession(options.cleanStart())
        .keepAlive((int) Math.min(options.keepAlive().toSeconds(), 65535));
    if (!options.username().isEmpty()) {
      var auth = c.simpleAuth().username(options.username());
      if (!options.password().isEmpty()) {
        auth = auth.password(options.password().getBytes(StandardCharsets.UTF_8));
      }
      c = auth.applySimpleAuth();
    }
    client.connect(c.build()).whenComplete((ack, err) -> {
      if (err != null) {
        LOG.debug("uplink client {}: first connect failed: {}", options.clientId(), Reconnects.describe(err));
      }
    });
  }

  private void onConnected() {
    listener.connected();
    if (!subscriptions.isEmpty() && subscribed.compareAndSet(false, true)) {
      Mqtt3SubscribeBuilder.Complete s = null;
      for (RemoteFilter f : subscriptions) {
        Mqtt3Subscription sub = Mqtt3Subscription.builder().topicFilter(f.filter()).qos(MqttQos.fromCode(f.qos())).build();
        s = s == null ? Mqtt3Subscribe.builder().addSubscription(sub) : s.addSubscription(sub);
      }
      client.subscribe(s.build()).whenComplete((ack, err) -> {
        if (err != null) {
          subscribed.set(false);
          listener.subscribeFailed("*", Reconnects.describe(err));
          return;
        }
        for (int i = 0; i < ack.getReturnCodes().size() && i < subscriptions.size(); i++) {
          if (ack.getReturnCodes().get(i) == Mqtt3SubAckReturnCode.FAILURE) {
            listener.subscribeFailed(subscriptions.get(i).filter(), "FAILURE");
          }
        }
      });
    }
  }

  @Override
  public CompletionStage<RemoteAck> publish(Message m) {
    Mqtt3Publish p = Mqtt3Publish.builder()
        .topic(m.topic())
        .qos(MqttQos.fromCode(m.qos()))
        .retain(m.retain())
        .payload(m.payload().buffer())
        .build();
    return client.publish(p).handle((r, e) -> e != null ? Reconnects.failure(e) : RemoteAck.ACCEPTED);
  }

  @Override
  public CompletionStage<Void> stop(Duration grace) {
    stopping = true;
    return client.disconnect()
        .exceptionally(e -> null)
        .orTimeout(grace.toMillis(), TimeUnit.MILLISECONDS)
        .exceptionally(e -> null);
  }

  static Message toMessage(Mqtt3Publish p) {
    return new Message(p.getTopic().toString(), Payload.wrapOwned(p.getPayloadAsBytes()), p.getQos().getCode(),
        p.isRetain(), MessageProperties.NONE, 0L);
  }
}
