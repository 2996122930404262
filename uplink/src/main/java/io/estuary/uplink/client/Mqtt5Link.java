package io.estuary.uplink.client;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5ClientBuilder;
import com.hivemq.client.mqtt.mqtt5.datatypes.Mqtt5UserProperties;
import com.hivemq.client.mqtt.mqtt5.datatypes.Mqtt5UserPropertiesBuilder;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubRecException;
import com.hivemq.client.mqtt.mqtt5.message.auth.Mqtt5SimpleAuth;
import com.hivemq.client.mqtt.mqtt5.message.auth.Mqtt5SimpleAuthBuilder;
import com.hivemq.client.mqtt.mqtt5.message.connect.Mqtt5Connect;
import com.hivemq.client.mqtt.mqtt5.message.connect.Mqtt5ConnectBuilder;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PayloadFormatIndicator;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishBuilder;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.Mqtt5RetainHandling;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.Mqtt5Subscribe;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.Mqtt5SubscribeBuilder;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.Mqtt5Subscription;
import io.estuary.api.Message;
import io.estuary.api.MessageProperties;
import io.estuary.api.Payload;
import io.estuary.api.UserProperty;
import io.reactivex.schedulers.Schedulers;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MQTT 5 upstream. Subscriptions use No Local (MQTT 5 §3.8.3.1) so the broker does not echo what
 * this link published, and "send retained only for new subscriptions" so reconnects do not replay
 * retained messages.
 */
final class Mqtt5Link implements RemoteLink {
  private static final Logger LOG = LoggerFactory.getLogger(Mqtt5Link.class);

  private final LinkOptions options;
  private final List<RemoteFilter> subscriptions;
  private final LinkListener listener;
  private final Mqtt5AsyncClient client;
  private final AtomicBoolean subscribed = new AtomicBoolean();
  private volatile boolean stopping;

  Mqtt5Link(LinkOptions options, List<RemoteFilter> subscriptions, LinkListener listener, Executor executor) {
    this.options = options;
    this.subscriptions = List.copyOf(subscriptions);
    this.listener = listener;
    Mqtt5ClientBuilder b = MqttClient.builder().useMqttVersion5()
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
    // registered before connecting: a resumed session delivers queued messages right after CONNACK
    client.publishes(MqttGlobalPublishFilter.ALL, p -> listener.message(toMessage(p), p::acknowledge), executor, true);
  }

  @Override
  public void start() {
    Mqtt5ConnectBuilder c = Mqtt5Connect.builder()
        .cleanStart(options.cleanStart())
        .sessionExpiryInterval(Reconnects.seconds(options.sessionExpiry()))
        .keepAlive((int) Math.min(options.keepAlive().toSeconds(), 65535))
        .restrictions().receiveMaximum(options.receiveMaximum()).applyRestrictions();
    if (!options.username().isEmpty() || !options.password().isEmpty()) {
      byte[] password = options.password().getBytes(StandardCharsets.UTF_8);
      Mqtt5SimpleAuthBuilder ab = Mqtt5SimpleAuth.builder();
      Mqtt5SimpleAuthBuilder.Complete auth = options.username().isEmpty() ? ab.password(password) : ab.username(options.username());
      if (!options.username().isEmpty() && password.length > 0) {
        auth = auth.password(password);
      }
      c = c.simpleAuth(auth.build());
    }
    client.connect(c.build()).whenComplete((ack, err) -> {
      if (err != null) {
        LOG.debug("uplink client {}: first connect failed: {}", options.clientId(), Reconnects.describe(err));
      }
    });
  }

  private void onConnected() {
    listener.connected();
    // the client resubscribes by itself when the upstream session was lost (MqttClientReconnector)
    if (!subscriptions.isEmpty() && subscribed.compareAndSet(false, true)) {
      Mqtt5SubscribeBuilder.Complete s = null;
      for (RemoteFilter f : subscriptions) {
        Mqtt5Subscription sub = Mqtt5Subscription.builder().topicFilter(f.filter()).qos(qos(f.qos()))
            .noLocal(true).retainHandling(Mqtt5RetainHandling.SEND_IF_SUBSCRIPTION_DOES_NOT_EXIST).build();
        s = s == null ? Mqtt5Subscribe.builder().addSubscription(sub) : s.addSubscription(sub);
      }
      client.subscribe(s.build()).whenComplete((ack, err) -> {
        if (err != null) {
          subscribed.set(false);
          listener.subscribeFailed("*", Reconnects.describe(err));
          return;
        }
        for (int i = 0; i < ack.getReasonCodes().size() && i < subscriptions.size(); i++) {
          if (ack.getReasonCodes().get(i).isError()) {
            listener.subscribeFailed(subscriptions.get(i).filter(), ack.getReasonCodes().get(i).toString());
          }
        }
      });
    }
  }

  @Override
  public CompletionStage<RemoteAck> publish(Message m) {
    Mqtt5PublishBuilder.Complete b = Mqtt5Publish.builder()
        .topic(m.topic())
        .qos(qos(m.qos()))
        .retain(m.retain())
        .payload(m.payload().buffer());
    MessageProperties p = m.properties();
    if (p.payloadFormatIndicator() != null) {
      b = b.payloadFormatIndicator(p.payloadFormatIndicator() == 1
          ? Mqtt5PayloadFormatIndicator.UTF_8 : Mqtt5PayloadFormatIndicator.UNSPECIFIED);
    }
    if (p.messageExpiryInterval() != null) {
      b = b.messageExpiryInterval(p.messageExpiryInterval());
    }
    if (p.contentType() != null) {
      b = b.contentType(p.contentType());
    }
    if (p.responseTopic() != null) {
      b = b.responseTopic(p.responseTopic());
    }
    if (p.correlationData() != null) {
      b = b.correlationData(p.correlationData().buffer());
    }
    if (!p.userProperties().isEmpty()) {
      Mqtt5UserPropertiesBuilder ub = Mqtt5UserProperties.builder();
      for (UserProperty u : p.userProperties()) {
        ub = ub.add(u.name(), u.value());
      }
      b = b.userProperties(ub.build());
    }
    return client.publish(b.build()).handle((r, e) -> e != null ? Reconnects.failure(e) : toAck(r));
  }

  private static RemoteAck toAck(Mqtt5PublishResult r) {
    if (r.getError().isEmpty()) {
      return RemoteAck.ACCEPTED;
    }
    Throwable e = r.getError().get();
    if (e instanceof Mqtt5PubAckException || e instanceof Mqtt5PubRecException) {
      return RemoteAck.refused(e.getMessage());
    }
    return Reconnects.failure(e);
  }

  @Override
  public CompletionStage<Void> stop(Duration grace) {
    stopping = true;
    return client.disconnect()
        .exceptionally(e -> null) // not connected: nothing to say goodbye to
        .orTimeout(grace.toMillis(), TimeUnit.MILLISECONDS)
        .exceptionally(e -> null);
  }

  private static MqttQos qos(int q) {
    return MqttQos.fromCode(q);
  }

  static Message toMessage(Mqtt5Publish p) {
    List<UserProperty> users = new ArrayList<>(p.getUserProperties().asList().size());
    p.getUserProperties().asList().forEach(u -> users.add(new UserProperty(u.getName().toString(), u.getValue().toString())));
    MessageProperties props = new MessageProperties(
        p.getPayloadFormatIndicator().map(f -> f == Mqtt5PayloadFormatIndicator.UTF_8 ? 1 : 0).orElse(null),
        p.getMessageExpiryInterval().isPresent() ? p.getMessageExpiryInterval().getAsLong() : null,
        p.getContentType().map(Object::toString).orElse(null),
        p.getResponseTopic().map(Object::toString).orElse(null),
        p.getCorrelationData().map(Mqtt5Link::bytes).map(Payload::wrapOwned).orElse(null),
        users);
    return new Message(p.getTopic().toString(), Payload.wrapOwned(p.getPayloadAsBytes()), p.getQos().getCode(),
        p.isRetain(), props, 0L);
  }

  private static byte[] bytes(ByteBuffer b) {
    byte[] out = new byte[b.remaining()];
    b.duplicate().get(out);
    return out;
  }
}
