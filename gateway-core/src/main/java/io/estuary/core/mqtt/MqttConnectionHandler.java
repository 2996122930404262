package io.estuary.core.mqtt;

import static io.estuary.core.mqtt.MqttMessages.intProp;

import io.estuary.api.AuthResult;
import io.estuary.api.BrokerSession;
import io.estuary.api.ClientCredentials;
import io.estuary.api.ClientInfo;
import io.estuary.api.CloseReason;
import io.estuary.api.Delivery;
import io.estuary.api.DeliveryId;
import io.estuary.api.DeliverySink;
import io.estuary.api.GatewayContext;
import io.estuary.api.Message;
import io.estuary.api.Payload;
import io.estuary.api.PublishOutcome;
import io.estuary.api.SessionOptions;
import io.estuary.api.SubscribeOutcome;
import io.estuary.api.Subscription;
import io.estuary.api.TopicFilter;
import io.estuary.core.config.ListenerConfig;
import io.estuary.core.config.MqttLimits;
import io.estuary.core.topic.Topics;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnAckVariableHeader;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttIdentifierRejectedException;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageIdAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType;
import io.netty.handler.codec.mqtt.MqttPubReplyMessageVariableHeader;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import io.netty.handler.codec.mqtt.MqttSubAckPayload;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import io.netty.handler.codec.mqtt.MqttTopicSubscription;
import io.netty.handler.codec.mqtt.MqttUnacceptableProtocolVersionException;
import io.netty.handler.codec.mqtt.MqttUnsubAckMessage;
import io.netty.handler.codec.mqtt.MqttUnsubAckPayload;
import io.netty.handler.codec.mqtt.MqttUnsubscribeMessage;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One MQTT 3.1/3.1.1/5.0 connection: the MQTT listener as an adapter on the SPI. All state is owned by
 * the channel's event loop, which is also the sink's executor.
 */
final class MqttConnectionHandler extends ChannelInboundHandlerAdapter implements DeliverySink {
  private static final Logger LOG = LoggerFactory.getLogger(MqttConnectionHandler.class);
  private static final Logger DROPS = LoggerFactory.getLogger("io.estuary.core.mqtt.drops");
  static final String IDLE_HANDLER = "idle";

  private enum State { AWAIT_CONNECT, CONNECTING, CONNECTED, CLOSED }

  private final GatewayContext context;
  private final MqttLimits limits;
  private final ListenerConfig listener;
  private final MqttListenerMetrics metrics;

  private ChannelHandlerContext ctx;
  private Channel channel;
  private State state = State.AWAIT_CONNECT;
  private int version = 4;
  private String clientId;
  private BrokerSession session;
  private CloseReason closeReason = CloseReason.TRANSPORT_ERROR;
  private final Map<Integer, String> inboundAliases = new HashMap<>();
  private final Map<String, Integer> outboundAliases = new HashMap<>();
  private int clientTopicAliasMax;
  private volatile boolean writable = true;

  MqttConnectionHandler(GatewayContext context, MqttLimits limits, ListenerConfig listener, MqttListenerMetrics metrics) {
    this.context = context;
    this.limits = limits;
    this.listener = listener;
    this.metrics = metrics;
  }

  private boolean v5() {
    return version == 5;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    this.channel = ctx.channel();
  }

  // ---- inbound --------------------------------------------------------------------------------

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof MqttMessage m)) {
      ReferenceCountUtil.release(msg);
      return;
    }
    try {
      if (m.decoderResult().isFailure()) {
        decodeFailure(m.decoderResult().cause());
        return;
      }
      if (state == State.CLOSED) {
        return;
      }
      MqttMessageType type = m.fixedHeader().messageType();
      if (state != State.CONNECTED) {
        if (type == MqttMessageType.CONNECT && state == State.AWAIT_CONNECT) {
          onConnect((MqttConnectMessage) m);
        } else {
          drop("packet before CONNECT completed: " + type);
          closeNow(CloseReason.PROTOCOL_ERROR);
        }
        return;
      }
      switch (type) {
        case PUBLISH -> onPublish((MqttPublishMessage) m);
        case PUBACK -> session.acknowledge(new DeliveryId(msgId(m)));
        case PUBREC -> {
          int id = msgId(m);
          session.received(new DeliveryId(id));
          ctx.writeAndFlush(new MqttMessage(new MqttFixedHeader(MqttMessageType.PUBREL, false, MqttQoS.AT_LEAST_ONCE, false, 0),
              MqttMessageIdVariableHeader.from(id)));
        }
        case PUBCOMP -> session.acknowledge(new DeliveryId(msgId(m)));
        case PUBREL -> {
          int id = msgId(m);
          boolean known = session.releaseKey(id);
          ctx.writeAndFlush(pubReply(MqttMessageType.PUBCOMP, id, known ? 0 : 0x92));
        }
        case SUBSCRIBE -> onSubscribe((MqttSubscribeMessage) m);
        case UNSUBSCRIBE -> onUnsubscribe((MqttUnsubscribeMessage) m);
        case PINGREQ -> ctx.writeAndFlush(new MqttMessage(new MqttFixedHeader(MqttMessageType.PINGRESP, false, MqttQoS.AT_MOST_ONCE, false, 0)));
        case DISCONNECT -> onDisconnect(m);
        case CONNECT -> {
          drop("second CONNECT");
          disconnect(0x82, CloseReason.PROTOCOL_ERROR); // MQTT 5 §3.1.0-2: protocol error
        }
        default -> {
          drop("unexpected packet " + type);
          disconnect(0x82, CloseReason.PROTOCOL_ERROR);
        }
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  private static int msgId(MqttMessage m) {
    return ((MqttMessageIdVariableHeader) m.variableHeader()).messageId();
  }

  private void decodeFailure(Throwable cause) {
    metrics.malformed.increment();
    drop("malformed packet: " + cause);
    if (state == State.AWAIT_CONNECT) {
      if (cause instanceof MqttUnacceptableProtocolVersionException) {
        connAckAndClose(0x01, 0x84);
      } else if (cause instanceof MqttIdentifierRejectedException) {
        connAckAndClose(0x02, 0x85);
      } else {
        closeNow(CloseReason.PROTOCOL_ERROR);
      }
      return;
    }
    disconnect(tooLarge(cause) ? 0x95 : 0x81, CloseReason.PROTOCOL_ERROR);
  }

  /** Netty reports an oversize remaining length as TooLongFrameException or a DecoderException, by version. */
  private static boolean tooLarge(Throwable cause) {
    String m = String.valueOf(cause.getMessage());
    return cause instanceof TooLongFrameException || m.contains("too large") || m.contains("exceeds limit");
  }

  private void drop(String what) {
    DROPS.debug("{} {} {}: {}", listener.id(), clientId, channel.remoteAddress(), what);
  }

  // ---- CONNECT --------------------------------------------------------------------------------

  private void onConnect(MqttConnectMessage m) {
    var vh = m.variableHeader();
    var pl = m.payload();
    version = vh.version();
    String id = pl.clientIdentifier() == null ? "" : pl.clientIdentifier();
    boolean assigned = false;
    if (id.isEmpty()) {
      // MQTT 3.1.1 §3.1.3-7/8: empty id only with clean session; MQTT 5 always assigns
      if (version == 3 || (version == 4 && !vh.isCleanSession())) {
        connAckAndClose(0x02, 0x85);
        return;
      }
      id = "estuary-" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
      assigned = true;
    }
    // ids starting with '$' are reserved for the gateway's own sessions ($uplink/...)
    if (id.length() > limits.maxClientIdLength() || id.startsWith("$")) {
      connAckAndClose(0x02, 0x85);
      return;
    }
    MqttProperties props = vh.properties();
    Message will = null;
    Duration willDelay = Duration.ZERO;
    if (vh.isWillFlag()) {
      String wt = pl.willTopic();
      if (wt == null || Topics.checkName(mount(wt), limits.maxTopicLevels()) != null || wt.indexOf('\uFFFD') >= 0) {
        connAckAndClose(0x02, 0x90);
        return;
      }
      if (vh.willQos() > limits.maxQosAllowed()) {
        connAckAndClose(0x02, 0x9B);
        return;
      }
      if (vh.isWillRetain() && !limits.retainAvailable()) {
        connAckAndClose(0x02, 0x9A);
        return;
      }
      MqttProperties wp = pl.willProperties();
      will = new Message(mount(wt), Payload.copyOf(pl.willMessageInBytes() == null ? new byte[0] : pl.willMessageInBytes()),
          vh.willQos(), vh.isWillRetain(), MqttMessages.fromNetty(wp), 0L);
      Integer wd = wp == null ? null : intProp(wp, MqttPropertyType.WILL_DELAY_INTERVAL);
      willDelay = wd == null ? Duration.ZERO : Duration.ofSeconds(Integer.toUnsignedLong(wd));
    }
    Duration expiry;
    if (v5()) {
      Integer e = intProp(props, MqttPropertyType.SESSION_EXPIRY_INTERVAL);
      expiry = e == null ? Duration.ZERO : Duration.ofSeconds(Integer.toUnsignedLong(e));
    } else {
      expiry = vh.isCleanSession() ? Duration.ZERO : limits.maxSessionExpiry();
    }
    int receiveMax = 65535;
    int maxPacket = 0;
    if (v5()) {
      Integer rm = intProp(props, MqttPropertyType.RECEIVE_MAXIMUM);
      if (rm != null) {
        if (rm == 0) {
          connAckAndClose(0x02, 0x82);
          return;
        }
        receiveMax = rm;
      }
      Integer mp = intProp(props, MqttPropertyType.MAXIMUM_PACKET_SIZE);
      maxPacket = mp == null ? 0 : mp;
      Integer ta = intProp(props, MqttPropertyType.TOPIC_ALIAS_MAXIMUM);
      clientTopicAliasMax = ta == null ? 0 : ta;
    }
    clientId = id;
    state = State.CONNECTING;
    String username = vh.hasUserName() ? pl.userName() : null;
    byte[] password = vh.hasPassword() ? pl.passwordInBytes() : null;
    InetSocketAddress peer = channel.remoteAddress() instanceof InetSocketAddress a ? a : null;
    Duration keepAlive = Duration.ofSeconds(vh.keepAliveTimeSeconds());
    SessionOptions options = SessionOptions.builder()
        .cleanStart(vh.isCleanSession()).sessionExpiry(expiry).keepAlive(keepAlive).will(will).willDelay(willDelay)
        .receiveMaximum(Math.min(receiveMax, limits.maxInflight())).maxPacketSize(maxPacket).build();
    ClientInfo info = new ClientInfo(id, username, "mqtt", listener.id(), peer, listener.mountpoint());
    boolean assignedId = assigned;
    Executor loop = channel.eventLoop();
    context.authenticate(new ClientCredentials(id, username, password, "mqtt", peer, null))
        .whenCompleteAsync((auth, err) -> {
          if (err != null) {
            LOG.warn("authentication of {} failed", clientId, err);
            connAckAndClose(0x03, 0x88);
          } else if (!auth.isAllowed()) {
            DROPS.debug("{} refused: {}", clientId, auth.reason());
            metrics.authFailures.increment();
            boolean bad = auth.status() == AuthResult.Status.BAD_CREDENTIALS;
            connAckAndClose(bad ? 0x04 : 0x05, bad ? 0x86 : 0x87);
          } else if (channel.isActive()) {
            open(info, options, assignedId, keepAlive);
          }
        }, loop);
  }

  private void open(ClientInfo info, SessionOptions options, boolean assignedId, Duration keepAlive) {
    context.openSession(info, options, this).whenComplete((s, err) -> {
      if (err != null) {
        connAckAndClose(0x03, 0x88);
        return;
      }
      if (!channel.isActive() || state == State.CLOSED) {
        s.close(CloseReason.TRANSPORT_ERROR);
        return;
      }
      session = s;
      state = State.CONNECTED;
      MqttProperties props = MqttProperties.NO_PROPERTIES;
      if (v5()) {
        props = new MqttProperties();
        if (assignedId) {
          props.add(new MqttProperties.StringProperty(MqttPropertyType.ASSIGNED_CLIENT_IDENTIFIER.value(), clientId));
        }
        props.add(new MqttProperties.IntegerProperty(MqttPropertyType.RECEIVE_MAXIMUM.value(),
            limits.maxAwaitingRel() == 0 ? 65535 : Math.min(65535, limits.maxAwaitingRel())));
        props.add(new MqttProperties.IntegerProperty(MqttPropertyType.TOPIC_ALIAS_MAXIMUM.value(), limits.maxTopicAlias()));
        props.add(new MqttProperties.IntegerProperty(MqttPropertyType.MAXIMUM_PACKET_SIZE.value(), limits.maxPacketSize()));
        if (limits.maxQosAllowed() < 2) {
          props.add(new MqttProperties.IntegerProperty(MqttPropertyType.MAXIMUM_QOS.value(), limits.maxQosAllowed()));
        }
        props.add(new MqttProperties.IntegerProperty(MqttPropertyType.RETAIN_AVAILABLE.value(), limits.retainAvailable() ? 1 : 0));
        props.add(new MqttProperties.IntegerProperty(MqttPropertyType.WILDCARD_SUBSCRIPTION_AVAILABLE.value(), limits.wildcardSubscription() ? 1 : 0));
        props.add(new MqttProperties.IntegerProperty(MqttPropertyType.SUBSCRIPTION_IDENTIFIER_AVAILABLE.value(), limits.subscriptionIdentifiers() ? 1 : 0));
        props.add(new MqttProperties.IntegerProperty(MqttPropertyType.SHARED_SUBSCRIPTION_AVAILABLE.value(), limits.sharedSubscription() ? 1 : 0));
      }
      ctx.writeAndFlush(new MqttConnAckMessage(new MqttFixedHeader(MqttMessageType.CONNACK, false, MqttQoS.AT_MOST_ONCE, false, 0),
          new MqttConnAckVariableHeader(MqttConnectReturnCode.CONNECTION_ACCEPTED, s.sessionPresent(), props)));
      // keepalive × multiplier (MQTT 3.1.1 §3.1.2.10); 0 disables it
      if (channel.pipeline().get(IDLE_HANDLER) != null) {
        long ka = keepAlive.isZero() ? 0 : (long) (keepAlive.toMillis() * limits.keepaliveMultiplier());
        channel.pipeline().replace(IDLE_HANDLER, IDLE_HANDLER, new IdleStateHandler(ka, 0, 0, java.util.concurrent.TimeUnit.MILLISECONDS));
      }
      metrics.connects.increment();
      LOG.debug("client {} connected from {} on {} (v{}, session present {})", clientId, channel.remoteAddress(), listener.id(), version, s.sessionPresent());
    });
  }

  private void connAckAndClose(int v3Code, int v5Code) {
    state = State.CLOSED;
    byte code = (byte) (v5() ? v5Code : v3Code);
    ctx.writeAndFlush(new MqttConnAckMessage(new MqttFixedHeader(MqttMessageType.CONNACK, false, MqttQoS.AT_MOST_ONCE, false, 0),
        new MqttConnAckVariableHeader(MqttConnectReturnCode.valueOf(code), false))).addListener(ChannelFutureListener.CLOSE);
  }

  // ---- PUBLISH --------------------------------------------------------------------------------

  private String mount(String topic) {
    return listener.mountpoint().isEmpty() ? topic : listener.mountpoint() + topic;
  }

  private String unmount(String topic) {
    String mp = listener.mountpoint();
    return !mp.isEmpty() && topic.startsWith(mp) ? topic.substring(mp.length()) : topic;
  }

  private void onPublish(MqttPublishMessage p) {
    var fh = p.fixedHeader();
    var vh = p.variableHeader();
    int qos = fh.qosLevel().value();
    String topic = vh.topicName();
    MqttProperties props = vh.properties();
    if (v5()) {
      Integer alias = intProp(props, MqttPropertyType.TOPIC_ALIAS);
      if (alias != null) {
        if (alias == 0 || alias > limits.maxTopicAlias()) {
          drop("topic alias out of range " + alias);
          disconnect(0x94, CloseReason.PROTOCOL_ERROR);
          return;
        }
        if (topic.isEmpty()) {
          topic = inboundAliases.get(alias);
          if (topic == null) {
            drop("unknown topic alias " + alias);
            disconnect(0x82, CloseReason.PROTOCOL_ERROR);
            return;
          }
        } else {
          inboundAliases.put(alias, topic);
        }
      }
    }
    if (topic.isEmpty() || Topics.hasWildcard(topic) || topic.indexOf('\uFFFD') >= 0 || Topics.checkName(topic, limits.maxTopicLevels()) != null) {
      drop("invalid topic name '" + topic + "'");
      disconnect(0x90, CloseReason.PROTOCOL_ERROR);
      return;
    }
    if (qos > limits.maxQosAllowed()) {
      disconnect(0x9B, CloseReason.PROTOCOL_ERROR);
      return;
    }
    if (fh.isRetain() && !limits.retainAvailable()) {
      disconnect(0x9A, CloseReason.PROTOCOL_ERROR);
      return;
    }
    metrics.publishesIn.increment();
    Message msg = new Message(mount(topic), MqttMessages.payload(p.payload()), qos, fh.isRetain(), MqttMessages.fromNetty(props), 0L);
    int packetId = vh.packetId();
    switch (qos) {
      case 0 -> session.publish(msg);
      case 1 -> session.publish(msg).thenAccept(o -> ctx.writeAndFlush(pubReply(MqttMessageType.PUBACK, packetId, reason(o))));
      default -> session.publishOnce(packetId, msg).thenAccept(o -> ctx.writeAndFlush(pubReply(MqttMessageType.PUBREC, packetId, reason(o))));
    }
  }

  private static int reason(PublishOutcome o) {
    return switch (o.status()) {
      case OK, DUPLICATE -> 0x00;
      case NO_MATCHING_SUBSCRIBERS -> 0x10;
      case NOT_AUTHORIZED -> 0x87;
      case TOPIC_NAME_INVALID -> 0x90;
      case QUOTA_EXCEEDED -> 0x97;
      case PACKET_TOO_LARGE -> 0x95;
      case QOS_NOT_SUPPORTED -> 0x9B;
      case RETAIN_NOT_SUPPORTED -> 0x9A;
      case SESSION_CLOSED -> 0x80;
    };
  }

  private MqttMessage pubReply(MqttMessageType type, int packetId, int reasonCode) {
    MqttQoS q = type == MqttMessageType.PUBREL ? MqttQoS.AT_LEAST_ONCE : MqttQoS.AT_MOST_ONCE;
    Object vh = v5() && reasonCode != 0
        ? new MqttPubReplyMessageVariableHeader(packetId, (byte) reasonCode, MqttProperties.NO_PROPERTIES)
        : MqttMessageIdVariableHeader.from(packetId);
    return new MqttMessage(new MqttFixedHeader(type, false, q, false, 0), vh);
  }

  // ---- SUBSCRIBE / UNSUBSCRIBE ----------------------------------------------------------------

  private String mountFilter(String filter) {
    if (listener.mountpoint().isEmpty()) {
      return filter;
    }
    Topics.Parsed p = Topics.parse(filter);
    if (p == null) {
      return filter;
    }
    return p.group() == null ? mount(filter) : Topics.SHARE_PREFIX + p.group() + "/" + mount(p.filter());
  }

  private void onSubscribe(MqttSubscribeMessage m) {
    int packetId = m.idAndPropertiesVariableHeader().messageId();
    MqttProperties props = m.idAndPropertiesVariableHeader().properties();
    Integer subId = v5() ? intProp(props, MqttPropertyType.SUBSCRIPTION_IDENTIFIER) : null;
    List<Subscription> subs = new ArrayList<>();
    for (MqttTopicSubscription ts : m.payload().topicSubscriptions()) {
      var o = ts.option();
      subs.add(new Subscription(new TopicFilter(mountFilter(ts.topicName())), o.qos().value(),
          v5() && o.isNoLocal(), v5() && o.isRetainAsPublished(), v5() ? o.retainHandling().value() : 0,
          subId == null ? 0 : subId));
    }
    session.subscribe(subs).thenAccept(outcomes -> {
      List<Integer> codes = new ArrayList<>(outcomes.size());
      for (SubscribeOutcome o : outcomes) {
        codes.add(o.isGranted() ? o.grantedQos() : (v5() ? subscribeFailure(o.failure()) : 0x80));
      }
      ctx.writeAndFlush(new MqttSubAckMessage(new MqttFixedHeader(MqttMessageType.SUBACK, false, MqttQoS.AT_MOST_ONCE, false, 0),
          new MqttMessageIdAndPropertiesVariableHeader(packetId, MqttProperties.NO_PROPERTIES), new MqttSubAckPayload(codes)));
    });
  }

  private static int subscribeFailure(SubscribeOutcome.Failure f) {
    return switch (f) {
      case NOT_AUTHORIZED -> 0x87;
      case TOPIC_FILTER_INVALID -> 0x8F;
      case WILDCARD_NOT_SUPPORTED -> 0xA2;
      case SHARED_NOT_SUPPORTED -> 0x9E;
      case SUBSCRIPTION_ID_NOT_SUPPORTED -> 0xA1;
      case QUOTA_EXCEEDED -> 0x97;
      case UNSPECIFIED -> 0x80;
    };
  }

  private void onUnsubscribe(MqttUnsubscribeMessage m) {
    int packetId = m.idAndPropertiesVariableHeader().messageId();
    List<TopicFilter> filters = new ArrayList<>();
    for (String t : m.payload().topics()) {
      filters.add(new TopicFilter(mountFilter(t)));
    }
    session.unsubscribe(filters).thenRun(() -> {
      short[] codes = new short[filters.size()];
      ctx.writeAndFlush(new MqttUnsubAckMessage(new MqttFixedHeader(MqttMessageType.UNSUBACK, false, MqttQoS.AT_MOST_ONCE, false, 0),
          new MqttMessageIdAndPropertiesVariableHeader(packetId, MqttProperties.NO_PROPERTIES),
          v5() ? new MqttUnsubAckPayload(codes) : null));
    });
  }

  private void onDisconnect(MqttMessage m) {
    int reasonCode = 0;
    if (v5() && m.variableHeader() instanceof MqttReasonCodeAndPropertiesVariableHeader rh) {
      reasonCode = rh.reasonCode() & 0xFF;
    }
    closeReason = reasonCode == 0x04 ? CloseReason.NORMAL_WITH_WILL : CloseReason.NORMAL;
    state = State.CLOSED;
    session.close(closeReason);
    channel.close();
  }

  // ---- closing --------------------------------------------------------------------------------

  /** v5: DISCONNECT with {@code reasonCode} then close; v3: just close. */
  private void disconnect(int reasonCode, CloseReason reason) {
    if (state == State.CLOSED) {
      return;
    }
    closeReason = reason;
    state = State.CLOSED;
    if (session != null) {
      session.close(reason);
    }
    if (v5()) {
      ctx.writeAndFlush(new MqttMessage(new MqttFixedHeader(MqttMessageType.DISCONNECT, false, MqttQoS.AT_MOST_ONCE, false, 0),
          new MqttReasonCodeAndPropertiesVariableHeader((byte) reasonCode, MqttProperties.NO_PROPERTIES)))
          .addListener(ChannelFutureListener.CLOSE);
    } else {
      channel.close();
    }
  }

  private void closeNow(CloseReason reason) {
    closeReason = reason;
    if (session != null && state == State.CONNECTED) {
      session.close(reason);
    }
    state = State.CLOSED;
    channel.close();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof IdleStateEvent) {
      drop(state == State.CONNECTED ? "keepalive timeout" : "no CONNECT in time");
      if (state == State.CONNECTED) {
        disconnect(0x8D, CloseReason.KEEPALIVE_TIMEOUT);
      } else {
        closeNow(CloseReason.KEEPALIVE_TIMEOUT);
      }
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    writable = channel.isWritable();
    if (writable && session != null && state == State.CONNECTED) {
      session.creditsAvailable();
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (session != null && state == State.CONNECTED) {
      session.close(closeReason);
    }
    state = State.CLOSED;
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    DROPS.debug("{} {} {}: connection error {}", listener.id(), clientId, channel.remoteAddress(), cause.toString());
    closeNow(CloseReason.TRANSPORT_ERROR);
  }

  // ---- DeliverySink ---------------------------------------------------------------------------

  @Override
  public Executor executor() {
    return channel.eventLoop();
  }

  @Override
  public int credits() {
    return writable ? Integer.MAX_VALUE : 0;
  }

  @Override
  public void deliver(Delivery d) {
    if (state != State.CONNECTED) {
      return;
    }
    if (d.releasePending()) {
      ctx.writeAndFlush(pubReply(MqttMessageType.PUBREL, (int) d.id().value(), 0));
      return;
    }
    String topic = unmount(d.message().topic());
    int alias = 0;
    if (v5() && clientTopicAliasMax > 0) {
      Integer known = outboundAliases.get(topic);
      if (known != null) {
        alias = known;
        topic = "";
      } else if (outboundAliases.size() < clientTopicAliasMax) {
        alias = outboundAliases.size() + 1;
        outboundAliases.put(topic, alias);
      }
    }
    metrics.publishesOut.increment();
    ctx.writeAndFlush(MqttMessages.publish(d, topic, alias, v5()));
  }

  @Override
  public void sessionClosed(CloseReason reason) {
    int code = switch (reason) {
      case TAKEN_OVER -> 0x8E;
      case SERVER_SHUTDOWN -> 0x8B;
      case ADMIN_KICK -> 0x98;
      default -> 0x80;
    };
    session = null; // the broker already detached this connection
    disconnect(code, reason);
  }

  @Override
  public Map<String, Object> attributes() {
    return Map.of("listener", listener.id(), "proto_ver", version);
  }
}
