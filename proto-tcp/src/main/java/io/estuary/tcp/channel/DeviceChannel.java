package io.estuary.tcp.channel;

import io.estuary.api.AuthResult;
import io.estuary.api.BrokerSession;
import io.estuary.api.ClientCredentials;
import io.estuary.api.ClientInfo;
import io.estuary.api.CloseReason;
import io.estuary.api.Delivery;
import io.estuary.api.DeliverySink;
import io.estuary.api.GatewayContext;
import io.estuary.api.Message;
import io.estuary.api.Metrics;
import io.estuary.api.Payload;
import io.estuary.api.QueuePolicy;
import io.estuary.api.SessionOptions;
import io.estuary.api.SessionRefusedException;
import io.estuary.api.SubscribeOutcome;
import io.estuary.api.Subscription;
import io.estuary.api.limits.TokenBucket;
import io.estuary.tcp.TcpConfig;
import io.estuary.tcp.codec.FrameError;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every TCP device connection shares, whatever its framing: authentication through {@link
 * GatewayContext#authenticate}, one core session per device (the core's client-id rules, take-over, ACL, queue),
 * the subscription to the down topic, uplink publishing, downlink writing, keepalive and closing. The framing
 * subclasses decode bytes and decide when to log in.
 *
 * <p>Thread contract: every method runs on {@code executor} (the connection's event loop), also this sink's
 * executor; only {@link #credits()} and {@link #attributes()} are read from other threads.
 */
public abstract class DeviceChannel implements DeliverySink {
  /** Where a connection is in its life. */
  public enum State { WAITING, CONNECTING, CONNECTED, CLOSED }

  public static final String PROTOCOL = "tcp";
  private static final Logger LOG = LoggerFactory.getLogger(DeviceChannel.class);
  private static final int CREDITS = 256;

  protected final GatewayContext context;
  protected final TcpConfig config;
  protected final TcpConfig.Listener listener;
  protected final TcpMetrics metrics;
  protected final DropLog drops;
  private final Executor executor;
  private final Consumer<Action> actions;

  protected InetSocketAddress peer;
  protected String certificateCn;
  protected State state = State.WAITING;
  protected String clientId;
  private String username;
  private String upTopic;
  private Duration keepAlive = Duration.ZERO;
  private BrokerSession session;
  private volatile boolean writable = true;
  private volatile Map<String, Object> attributes = Map.of();
  /** The listener's per-client rates, null when infinite. */
  private final TokenBucket messagesBucket;
  private final TokenBucket bytesBucket;
  /** Over a rate: no frame is decoded until the transport calls {@link #handleResumed}. */
  private boolean paused;

  protected DeviceChannel(GatewayContext context, TcpConfig config, TcpConfig.Listener listener, TcpMetrics metrics,
      DropLog drops, Executor executor, Consumer<Action> actions) {
    this.context = context;
    this.config = config;
    this.listener = listener;
    this.metrics = metrics;
    this.drops = drops;
    this.executor = executor;
    this.actions = actions;
    this.messagesBucket = listener.messagesRate().isInfinite() ? null : TokenBucket.of(listener.messagesRate());
    this.bytesBucket = listener.bytesRate().isInfinite() ? null : TokenBucket.of(listener.bytesRate());
  }

  public State state() {
    return state;
  }

  public String clientId() {
    return clientId;
  }

  /**
   * The transport is ready: the TLS handshake is done and the PROXY header read.
   *
   * @param peer the device's address (the PROXY header's source when there is one)
   * @param certificateCn the CN of the verified TLS client certificate, or null
   */
  public final void start(InetSocketAddress peer, String certificateCn) {
    this.peer = peer;
    this.certificateCn = certificateCn;
    guarded(this::onStart);
  }

  protected abstract void onStart();

  /**
   * Decodes and handles whole frames from {@code in}'s position (which stays put) while the channel reads; answers
   * how many bytes it consumed. Bytes left over are the start of a frame, or wait while the session opens ({@link
   * Action.Resume} asks for them again).
   */
  public abstract int handleBytes(ByteBuffer in);

  /** The downlink payload framed for the device, or null if the framing cannot carry it. */
  protected abstract byte[] frameDownlink(Payload payload);

  /** The session is open: the subclass answers the device (CONNACK) and resumes reading. */
  protected abstract void connected(boolean sessionPresent);

  /** Authentication or the session was refused. */
  protected abstract void refused(String why);

  // ---- transport events -----------------------------------------------------------------------

  /** The read-idle timer fired: no CONNECT / first frame in time, or the keepalive ran out. */
  public void handleTimeout() {
    if (state == State.CLOSED) {
      return;
    }
    if (state == State.CONNECTED && paused) {
      return; // we stopped reading (a rate): the silence is ours, not the device's (unwritable: it is the device's)
    }
    if (state == State.CONNECTED) {
      metrics.keepaliveTimeouts.increment();
      drops.log(listener.id(), clientId, peer, "keepalive timeout (" + keepAlive + ")");
      close(CloseReason.KEEPALIVE_TIMEOUT);
    } else {
      metrics.loginTimeouts.increment();
      drops.log(listener.id(), clientId, peer, "idle: no " + (listener.framing() == null ? "CONNECT" : "frame")
          + " within " + config.idleTimeout());
      close(CloseReason.PROTOCOL_ERROR);
    }
  }

  /** The connection is gone (device closed it, I/O error, or after our Close). */
  public void handleClosed() {
    if (session != null) {
      session.close(CloseReason.TRANSPORT_ERROR);
      session = null;
    }
    state = State.CLOSED;
  }

  /**
   * The transport can (or cannot) take more writes. Not writable: no more deliveries, and no frame is decoded (each
   * could add an answer, a PONG, the device does not read) until it is writable again; the transport stops reading
   * meanwhile. The keepalive runs on: the device is the one not reading.
   */
  public void handleWritable(boolean isWritable) {
    if (!isWritable && writable && state != State.CLOSED) {
      metrics.unwritablePauses.increment();
      LOG.debug("{} {} {}: not writable (the device does not read what it is sent), reading paused", listener.id(),
          clientId, peer);
    }
    writable = isWritable;
    if (isWritable && session != null) {
      session.creditsAvailable();
    }
  }

  /** The adapter stops. */
  public void handleShutdown() {
    close(CloseReason.SERVER_SHUTDOWN);
  }

  /** A bug of ours (an exception from the channel): end the connection, keep the gateway. */
  public void handleInternalError(Throwable t) {
    LOG.warn("{} {} {}: internal error, closing the connection", listener.id(), clientId, peer, t);
    close(CloseReason.PROTOCOL_ERROR);
  }

  /** The pause a {@link Action.Pause} asked for is over: frames are decoded again. */
  public void handleResumed() {
    paused = false;
  }

  /** Reading is stopped: by a rate, or because the connection is not writable. */
  public boolean paused() {
    return paused || !writable;
  }

  // ---- helpers for the framings ---------------------------------------------------------------

  /** Whether {@link #handleBytes} decodes the next frame: waiting for the login or connected, and not paused. */
  protected final boolean reading() {
    return (state == State.WAITING || state == State.CONNECTED) && !paused();
  }

  /**
   * Charges one frame handled while connected to the listener's {@code bytes_rate} (its size on the wire) and, if it
   * is a message ({@code message}), to its {@code messages_rate}; in debt, the channel pauses ({@link Action.Pause}):
   * the transport stops reading and holds the bytes already read, in order, until the debt is paid. Nothing is
   * dropped; the device's TCP window fills and it slows down.
   */
  protected final void pace(long bytes, boolean message) {
    if (state != State.CONNECTED || (bytesBucket == null && messagesBucket == null)) {
      return;
    }
    long pause = 0;
    Metrics.Counter reason = null;
    if (bytesBucket != null) {
      pause = bytesBucket.take(bytes);
      reason = metrics.bytesRatePauses;
    }
    if (message && messagesBucket != null) {
      long p = messagesBucket.take(1);
      if (p > pause) {
        pause = p;
        reason = metrics.messagesRatePauses;
      }
    }
    if (pause > 0 && !paused) {
      paused = true;
      reason.increment();
      emit(new Action.Pause(pause));
    }
  }

  protected final void emit(Action a) {
    actions.accept(a);
  }

  protected final void frameError(FrameError e) {
    metrics.frameError(e);
    drops.log(listener.id(), clientId, peer, e.tag() + ": " + e.detail());
    close(CloseReason.PROTOCOL_ERROR);
  }

  protected final void protocolError(String what) {
    metrics.protocolError();
    drops.log(listener.id(), clientId, peer, what);
    close(CloseReason.PROTOCOL_ERROR);
  }

  /** Ends the connection (and the session's connection, with {@code reason}). */
  protected final void close(CloseReason reason) {
    if (session != null) {
      session.close(reason);
      session = null;
    }
    if (state != State.CLOSED) {
      state = State.CLOSED;
      emit(new Action.Close());
    }
  }

  /** Ends the connection after writing {@code bytes} (a refusing CONNACK). */
  protected final void closeAfter(byte[] bytes) {
    state = State.CLOSED;
    emit(new Action.SendThenClose(bytes));
  }

  /** The keepalive the device asked for in its CONNECT (zero for the configurable framings). */
  protected final Duration deviceKeepAlive() {
    return keepAlive;
  }

  protected final void keepAlive(Duration readTimeout) {
    emit(new Action.KeepAlive(readTimeout));
  }

  /** Authenticates {@code id} and opens its session; ends in {@link #connected} or {@link #refused}. */
  protected final void login(String id, String user, byte[] password, Duration deviceKeepAlive) {
    state = State.CONNECTING;
    clientId = id;
    username = user;
    keepAlive = deviceKeepAlive;
    context.authenticate(new ClientCredentials(id, user, password, PROTOCOL, peer, certificateCn))
        .whenCompleteAsync((auth, err) -> guarded(() -> authenticated(auth, err)), executor);
  }

  private void authenticated(AuthResult auth, Throwable err) {
    if (state != State.CONNECTING) {
      return;
    }
    if (err != null) {
      LOG.warn("{} {} {}: authentication failed", listener.id(), clientId, peer, err);
      refused("authentication failed: " + err);
      return;
    }
    if (!auth.isAllowed()) {
      metrics.authFailures.increment();
      refused("not authorized: " + auth.status() + " " + auth.reason());
      return;
    }
    ClientInfo info = new ClientInfo(clientId, username, PROTOCOL, listener.id(), peer, "",
        certificateCn == null ? null : "x509:" + certificateCn);
    boolean clean = config.cleanStart();
    SessionOptions options = SessionOptions.builder().cleanStart(clean)
        .sessionExpiry(clean ? Duration.ZERO : config.sessionExpiry()).keepAlive(keepAlive)
        .queue(QueuePolicy.BROKER_DEFAULT.withMaxMessages(config.maxMqueueLen())).build();
    context.openSession(info, options, this).whenComplete((s, e) -> guarded(() -> opened(s, e)));
  }

  private void opened(BrokerSession s, Throwable err) {
    if (err != null) {
      SessionRefusedException r = SessionRefusedException.of(err);
      if (r == null) {
        LOG.warn("{} {} {}: opening the session failed", listener.id(), clientId, peer, err);
      }
      metrics.authFailures.increment();
      refused(r == null ? "session failed: " + err : "session refused: " + r.reason() + " (" + r.getMessage() + ")");
      return;
    }
    if (state != State.CONNECTING) { // the connection ended while the broker opened the session
      s.close(CloseReason.TRANSPORT_ERROR);
      return;
    }
    session = s;
    state = State.CONNECTED;
    upTopic = TopicTemplate.expand(config.upTopic(), clientId, username);
    attributes = Map.of("framing", listener.framingName(), "listener", listener.id(),
        "peer", peer == null ? "" : peer.getHostString() + ":" + peer.getPort());
    metrics.connects.increment();
    String dn = TopicTemplate.expand(config.dnTopic(), clientId, username);
    s.subscribe(List.of(Subscription.of(dn, config.dnQos()))).thenAccept(outcomes -> guarded(() -> {
      for (SubscribeOutcome o : outcomes) {
        if (!o.isGranted()) {
          drops.log(listener.id(), clientId, peer, "subscription to down topic " + dn + " refused: " + o.failure());
        }
      }
    }));
    LOG.debug("tcp device {} connected from {} on {} (session present {})", clientId, peer, listener.id(), s.sessionPresent());
    connected(s.sessionPresent());
  }

  /** Publishes one frame's payload on the device's up topic. */
  protected final void uplink(Payload payload) {
    metrics.publishesIn.increment();
    Message m = new Message(upTopic, payload, config.upQos(), false, null, 0L);
    if (m.qos() == 0) {
      session.publishUnanswered(m);
    } else {
      session.publish(m).thenAccept(o -> {
        if (!o.accepted()) {
          drops.log(listener.id(), clientId, peer, "publish to " + upTopic + " refused: " + o.status());
        }
      });
    }
  }

  // ---- DeliverySink ---------------------------------------------------------------------------

  @Override
  public Executor executor() {
    return executor;
  }

  @Override
  public int credits() {
    return writable ? CREDITS : 0;
  }

  @Override
  public void deliver(Delivery d) {
    BrokerSession s = session;
    if (state != State.CONNECTED || s == null) {
      return;
    }
    byte[] out = frameDownlink(d.message().payload());
    boolean ack = d.message().qos() > 0;
    if (out == null) {
      metrics.downlinkDropped.increment();
      drops.log(listener.id(), clientId, peer, "downlink of " + d.message().payload().size() + " bytes on "
          + d.message().topic() + " cannot be framed by " + listener.framingName());
      if (ack) {
        s.acknowledge(d.id());
      }
      return;
    }
    metrics.deliveriesOut.increment();
    emit(new Action.Send(out, ack ? () -> s.acknowledge(d.id()) : null));
  }

  @Override
  public void sessionClosed(CloseReason reason) {
    LOG.debug("tcp device {}: session closed by the broker ({})", clientId, reason);
    session = null;
    close(reason);
  }

  @Override
  public Map<String, Object> attributes() {
    return attributes;
  }

  /** Runs {@code r}; an exception is our bug and ends the connection. */
  protected final void guarded(Runnable r) {
    try {
      r.run();
    } catch (RuntimeException e) {
      handleInternalError(e);
    }
  }
}
