package io.estuary.stomp.channel;

import io.estuary.api.BrokerSession;
import io.estuary.api.CloseReason;
import io.estuary.api.Delivery;
import io.estuary.api.DeliverySink;
import io.estuary.api.GatewayContext;
import io.estuary.api.Message;
import io.estuary.api.PacketTrace;
import io.estuary.api.PublishOutcome;
import io.estuary.api.TopicFilter;
import io.estuary.api.topic.Mountpoint;
import io.estuary.api.topic.Topics;
import io.estuary.stomp.StompConfig;
import io.estuary.stomp.codec.Command;
import io.estuary.stomp.codec.DecodeResult;
import io.estuary.stomp.codec.StompFrame;
import io.estuary.stomp.codec.StompVersion;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One STOMP connection (STOMP 1.2, with 1.0 and 1.1 behaviour where they differ): CONNECT and its
 * session ({@link Connecting}), SEND, SUBSCRIBE/UNSUBSCRIBE ({@link SubscribeFrames}), ACK/NACK ({@link Subscriptions}),
 * BEGIN/COMMIT/ABORT ({@link Transactions}), RECEIPT for any frame that asks, heart-beats both ways,
 * and ERROR then close for every protocol error. It is its session's {@link DeliverySink}.
 *
 * <p>Thread contract: every method runs on {@link #executor()}, the connection's event loop, except
 * {@link #credits()}, which reads a volatile field.
 */
public final class StompChannel implements DeliverySink {
  static final Logger DROPS = LoggerFactory.getLogger("io.estuary.stomp.drops");
  /** SENDs whose publish has not completed before the channel stops reading. */
  private static final int MAX_PENDING_PUBLISHES = 256;

  enum State { AWAIT_CONNECT, CONNECTING, CONNECTED, CLOSED }

  final StompConfig config;
  final GatewayContext ctx;
  final StompTransport out;
  final StompMetrics metrics;
  /** Accepted beyond the listener's max_connections (see {@link #refuseForQuota}). */
  boolean overQuota;
  final String listener;
  final InetSocketAddress peer;
  private final Executor executor;
  private final Subscriptions subs;
  private final Transactions transactions;
  private final Connecting connecting;
  private final SubscribeFrames subscribeFrames;
  private final long openedAt;
  private State state = State.AWAIT_CONNECT;
  private StompVersion version = StompVersion.V1_2;
  private BrokerSession session;
  private Mountpoint mountpoint = Mountpoint.NONE;
  private long clientBeatMillis;
  private long serverBeatMillis;
  private long lastRead;
  private boolean readPaused;
  private long lastWrite;
  private long nextMessageId;
  private int pendingPublishes;
  private volatile boolean writable = true;

  public StompChannel(StompConfig config, GatewayContext ctx, StompTransport out, StompMetrics metrics, Executor executor,
      String listener, InetSocketAddress peer, String certificateSubject) {
    this.config = config;
    this.ctx = ctx;
    this.out = out;
    this.metrics = metrics;
    this.executor = executor;
    this.listener = listener;
    this.peer = peer;
    this.subs = new Subscriptions(this, config, metrics);
    this.transactions = new Transactions(config.maxTransactions(), config.maxTransactionFrames());
    this.connecting = new Connecting(this, certificateSubject);
    this.subscribeFrames = new SubscribeFrames(this, config, metrics, subs);
    this.openedAt = ctx.clock().millis();
    this.lastRead = openedAt;
    this.lastWrite = openedAt;
  }

  /** The connection is open: arms the CONNECT deadline. */
  /**
   * The listener was at {@code max_connections} when this connection was accepted: its CONNECT is answered with
   * ERROR "too many connections" and the connection closed.
   */
  public void refuseForQuota() {
    overQuota = true;
  }

  public void start() {
    out.armTimer(config.idleTimeout());
  }

  // ------------------------------------------------------------------ input

  /** Bytes arrived (a frame or a heart-beat): the client is alive. */
  public void handleRead() {
    lastRead = ctx.clock().millis();
  }

  /**
   * The transport stopped (true) or resumed (false) reading — a rate, or too many unanswered SENDs: while we are
   * the ones not reading, the client's heart-beats wait in the socket and do not time it out.
   */
  public void handleReadPaused(boolean paused) {
    readPaused = paused;
  }

  public void handleFrame(StompFrame f) {
    lastRead = ctx.clock().millis();
    boolean connect = f.command() == Command.CONNECT || f.command() == Command.STOMP;
    PacketTrace t = ctx.trace(connect && state == State.AWAIT_CONNECT ? f.header("client-id") : clientId());
    if (t != null) {
      t.in(FrameSummary.of(f));
    }
    switch (state) {
      case AWAIT_CONNECT -> {
        if (f.command() == Command.CONNECT || f.command() == Command.STOMP) {
          connecting.onConnect(f);
        } else {
          error("expected CONNECT or STOMP, got " + f.command(), f);
        }
      }
      case CONNECTING -> error("frame " + f.command() + " before CONNECTED", f);
      case CONNECTED -> connected(f);
      case CLOSED -> { }
    }
  }

  /** Input the codec refused: ERROR with its reason, then close (STOMP 1.2 §ERROR). */
  public void handleFrameError(DecodeResult.FrameError e) {
    if (state == State.CLOSED) {
      return;
    }
    metrics.frameError(e.kind());
    DROPS.debug("stomp {} at {}: {}", clientId(), peer, e.message());
    sendError(e.message(), null, null);
    closeNow(CloseReason.PROTOCOL_ERROR);
  }

  private void connected(StompFrame f) {
    switch (f.command()) {
      case SEND -> inTransactionOr(f, () -> publish(f));
      case SUBSCRIBE -> subscribeFrames.subscribe(f);
      case UNSUBSCRIBE -> subscribeFrames.unsubscribe(f);
      case ACK, NACK -> inTransactionOr(f, () -> ack(f));
      case BEGIN -> begin(f);
      case COMMIT -> commit(f);
      case ABORT -> abort(f);
      case DISCONNECT -> {
        receipt(f);
        closeNow(CloseReason.NORMAL);
      }
      case CONNECT, STOMP -> error("already connected", f);
      default -> error("a client does not send " + f.command(), f);
    }
  }

  private void inTransactionOr(StompFrame f, Runnable now) {
    String tx = f.header("transaction");
    if (tx == null) {
      now.run();
      return;
    }
    String why = transactions.add(tx, f);
    if (why != null) {
      error(why, f);
    } else {
      receipt(f);
    }
  }

  // ------------------------------------------------------------------ SEND

  /** Publishes a SEND; the stage completes (on this thread) once it is accepted or refused. */
  private CompletionStage<Void> publish(StompFrame f) {
    String destination = f.header("destination");
    if (destination == null || destination.isEmpty()) {
      error("SEND without destination", f);
      return CompletableFuture.completedFuture(null);
    }
    String topic = mountpoint.mountTopic(destination);
    String why = Topics.checkName(topic, 128);
    if (why != null) {
      error("destination '" + destination + "' is not a valid topic: " + why, f);
      return CompletableFuture.completedFuture(null);
    }
    metrics.messagesIn.increment();
    Message m = MessageMapping.fromSend(f, topic, config.sendQos(), ctx.clock().millis());
    if (++pendingPublishes == MAX_PENDING_PUBLISHES) {
      out.readEnabled(false);
    }
    CompletableFuture<Void> done = new CompletableFuture<>();
    session.publish(m).whenComplete((outcome, err) -> step(() -> {
      if (pendingPublishes-- == MAX_PENDING_PUBLISHES && state == State.CONNECTED) {
        out.readEnabled(true);
      }
      published(f, destination, outcome, err);
      done.complete(null);
    }));
    return done;
  }

  private void published(StompFrame f, String destination, PublishOutcome outcome, Throwable err) {
    if (state != State.CONNECTED) {
      return;
    }
    if (err == null && outcome.accepted()) {
      receipt(f);
    } else if (outcome != null && outcome.status() == PublishOutcome.Status.NOT_AUTHORIZED) {
      metrics.deniedPublish.increment();
      error("not authorized to send to " + destination, f);
    } else {
      error("message to " + destination + " refused: " + (err != null ? err : outcome.status()), f);
    }
  }

  // ------------------------------------------------------------------ ACK / NACK

  private CompletionStage<Void> ack(StompFrame f) {
    if (f.command() == Command.NACK && version == StompVersion.V1_0) {
      error("NACK is not part of STOMP 1.0", f);
      return CompletableFuture.completedFuture(null);
    }
    String ackId = version == StompVersion.V1_2 ? f.header("id", f.header("message-id")) : f.header("message-id",
        f.header("id"));
    if (ackId == null) {
      error(f.command() + " needs " + (version == StompVersion.V1_2 ? "id" : "message-id"), f);
      return CompletableFuture.completedFuture(null);
    }
    boolean known = f.command() == Command.ACK ? subs.ack(ackId) : subs.nack(ackId);
    if (!known) {
      DROPS.debug("stomp {}: {} of unknown or already acknowledged message {}", clientId(), f.command(), ackId);
    }
    receipt(f);
    return CompletableFuture.completedFuture(null);
  }

  // ------------------------------------------------------------------ transactions

  private void begin(StompFrame f) {
    String tx = f.header("transaction");
    String why = tx == null ? "BEGIN without transaction" : transactions.begin(tx);
    if (why != null) {
      error(why, f);
    } else {
      receipt(f);
    }
  }

  private void commit(StompFrame f) {
    String tx = f.header("transaction");
    List<StompFrame> frames = tx == null ? null : transactions.end(tx);
    if (frames == null) {
      error("no open transaction " + tx, f);
      return;
    }
    metrics.transactionsCommitted.increment();
    List<CompletableFuture<Void>> stages = new ArrayList<>();
    for (StompFrame inTx : frames) {
      if (state != State.CONNECTED) {
        return;
      }
      stages.add((inTx.command() == Command.SEND ? publish(inTx) : ack(inTx)).toCompletableFuture());
    }
    CompletableFuture.allOf(stages.toArray(CompletableFuture[]::new)).whenComplete((v, e) -> step(() -> {
      if (state == State.CONNECTED) {
        receipt(f);
      }
    }));
  }

  private void abort(StompFrame f) {
    String tx = f.header("transaction");
    if (tx == null || transactions.end(tx) == null) {
      error("no open transaction " + tx, f);
      return;
    }
    metrics.transactionsAborted.increment();
    receipt(f);
  }

  // ------------------------------------------------------------------ deliveries (DeliverySink)

  @Override
  public Executor executor() {
    return executor;
  }

  @Override
  public int credits() {
    return writable ? Integer.MAX_VALUE : 0;
  }

  @Override
  public void deliver(Delivery d) {
    if (state == State.CONNECTED) {
      subs.deliver(d);
    } else if (state == State.CONNECTING) {
      subs.hold(d); // a resumed session's un-acked messages, sent before our CONNECTED
    }
  }

  @Override
  public void sessionClosed(CloseReason reason) {
    if (state == State.CLOSED) {
      return;
    }
    sendError(switch (reason) {
      case TAKEN_OVER -> "session taken over by another connection with the same client-id";
      case ADMIN_KICK -> "disconnected by an administrator";
      case SERVER_SHUTDOWN -> "server shutting down";
      default -> "session closed: " + reason;
    }, null, null);
    session = null; // the broker closed it already
    closeNow(reason);
  }

  @Override
  public Map<String, Object> attributes() {
    return Map.of("stomp_version", version.text());
  }

  /** The transport can (or cannot) take more writes. */
  public void handleWritable(boolean nowWritable) {
    writable = nowWritable;
    if (nowWritable && session != null && state == State.CONNECTED) {
      session.creditsAvailable();
    }
  }

  // ------------------------------------------------------------------ timers

  /** Heart-beat and CONNECT deadline check; re-arms itself. */
  public void handleTick() {
    long now = ctx.clock().millis();
    switch (state) {
      case AWAIT_CONNECT, CONNECTING -> {
        if (now - openedAt >= config.idleTimeout().toMillis()) {
          metrics.idleTimeouts.increment();
          sendError("no CONNECT within " + config.idleTimeout(), null, null);
          closeNow(CloseReason.KEEPALIVE_TIMEOUT);
        } else {
          out.armTimer(Duration.ofMillis(openedAt + config.idleTimeout().toMillis() - now));
        }
      }
      case CONNECTED -> heartBeat(now);
      case CLOSED -> { }
    }
  }

  private void heartBeat(long now) {
    if (readPaused) {
      lastRead = now; // not the client's silence: we are not reading
    }
    if (clientBeatMillis > 0 && now - lastRead >= (long) (clientBeatMillis * config.heartbeatMultiplier())) {
      metrics.heartbeatTimeouts.increment();
      DROPS.debug("stomp {} at {}: no heart-beat for {} ms", clientId(), peer, now - lastRead);
      sendError("heart-beat timeout: nothing received for " + (now - lastRead) + " ms", null, null);
      closeNow(CloseReason.KEEPALIVE_TIMEOUT);
      return;
    }
    if (serverBeatMillis > 0 && now - lastWrite >= serverBeatMillis) {
      out.sendHeartBeat();
      lastWrite = now;
    }
    long next = Long.MAX_VALUE;
    if (clientBeatMillis > 0) {
      next = lastRead + (long) (clientBeatMillis * config.heartbeatMultiplier()) - now;
    }
    if (serverBeatMillis > 0) {
      next = Math.min(next, lastWrite + serverBeatMillis - now);
    }
    if (next != Long.MAX_VALUE) {
      out.armTimer(Duration.ofMillis(Math.max(1, next)));
    }
  }

  // ------------------------------------------------------------------ called by Connecting

  void connected(BrokerSession s, StompVersion v, Mountpoint mp, long clientBeat, long serverBeat, StompFrame reply) {
    session = s;
    version = v;
    mountpoint = mp;
    clientBeatMillis = clientBeat;
    serverBeatMillis = serverBeat;
    state = State.CONNECTED;
    metrics.connects.increment();
    subs.releaseStaleHeld();
    send(reply);
    heartBeat(ctx.clock().millis());
  }

  void enterConnecting(StompVersion v) {
    version = v;
    state = State.CONNECTING;
  }

  State state() {
    return state;
  }

  // ------------------------------------------------------------------ output and close

  void send(StompFrame f) {
    PacketTrace t = ctx.trace(clientId());
    if (t != null) {
      t.out(FrameSummary.of(f));
    }
    out.send(f, version);
    lastWrite = ctx.clock().millis();
  }

  void receipt(StompFrame f) {
    String r = f.header("receipt");
    if (r != null) {
      send(StompFrame.builder(Command.RECEIPT).header("receipt-id", r).build());
    }
  }

  /** ERROR about frame {@code f} (with its receipt id), then close (STOMP 1.2 §ERROR). */
  void error(String message, StompFrame f) {
    if (state == State.CLOSED) {
      return;
    }
    metrics.protocolErrors.increment();
    DROPS.debug("stomp {} at {}: {}", clientId(), peer, message);
    sendError(message, f == null ? null : f.header("receipt"), f);
    closeNow(CloseReason.PROTOCOL_ERROR);
  }

  private void sendError(String message, String receiptId, StompFrame about) {
    StompFrame.Builder b = StompFrame.builder(Command.ERROR).header("message", message).header("receipt-id", receiptId);
    if (about != null) {
      b.header("content-type", "text/plain").body(io.estuary.api.Payload.utf8("frame: " + about.command() + "\n"));
    }
    send(b.build());
  }

  /** Ends the connection and its session (once). */
  void closeNow(CloseReason reason) {
    if (state == State.CLOSED) {
      return;
    }
    state = State.CLOSED;
    transactions.clear();
    BrokerSession s = session;
    session = null;
    if (s != null) {
      subs.connectionEnded(s);
      if (persistentSession()) {
        for (StompSubscription sub : subs.all()) {
          if (!sub.durable && subs.remove(sub, s)) {
            s.unsubscribe(List.of(new TopicFilter(sub.filter))); // only durable subscriptions outlive the connection
          }
        }
      }
      s.close(reason);
    }
    out.close();
  }

  /** The transport is gone (peer closed, reset, or our close finished). */
  public void handleClosed() {
    closeNow(CloseReason.TRANSPORT_ERROR);
  }

  /** The gateway is stopping. */
  public void shutdown() {
    if (state != State.CLOSED) {
      sendError("server shutting down", null, null);
      closeNow(CloseReason.SERVER_SHUTDOWN);
    }
  }

  // ------------------------------------------------------------------ helpers

  /** Runs {@code r} on this channel's thread (broker stages complete elsewhere or inline). */
  void step(Runnable r) {
    executor.execute(r);
  }

  BrokerSession session() {
    return session;
  }

  StompVersion version() {
    return version;
  }

  /** The version the decoder applies to the next frame (escaping). */
  public StompVersion decodeVersion() {
    return version;
  }

  Mountpoint mountpoint() {
    return mountpoint;
  }

  long clockMillis() {
    return ctx.clock().millis();
  }

  String nextMessageId() {
    return Long.toString(++nextMessageId);
  }

  boolean persistentSession() {
    return connecting.persistent();
  }

  /** The client's id once it sent CONNECT (null before); for logs. */
  public String clientId() {
    return connecting.clientId();
  }

  /** Messages sent and not acknowledged, over all subscriptions. */
  public int unacknowledged() {
    return subs.unackedCount();
  }
}
