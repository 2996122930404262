package io.estuary.stomp.channel;

import io.estuary.api.AuthResult;
import io.estuary.api.BrokerSession;
import io.estuary.api.ClientCredentials;
import io.estuary.api.ClientInfo;
import io.estuary.api.CloseReason;
import io.estuary.api.SessionOptions;
import io.estuary.api.SessionRefusedException;
import io.estuary.api.topic.Mountpoint;
import io.estuary.stomp.codec.Command;
import io.estuary.stomp.codec.StompFrame;
import io.estuary.stomp.codec.StompVersion;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The CONNECT phase (STOMP 1.2 §CONNECT): version negotiation, heart-beat negotiation, login through
 * {@code default_user}, {@code allow_anonymous} and the core's authenticator, then the core session
 * (its client id from ActiveMQ's {@code client-id} header, which also makes it persistent so durable
 * subscriptions outlive the socket; otherwise a generated one) and CONNECTED.
 *
 * <p>Thread contract: owned by the channel's thread; the broker's stages are handed back to it.
 */
final class Connecting {
  static final String PROTOCOL = "stomp";
  static final String SERVER = "Estuary/0.1";
  private static final SecureRandom RANDOM = new SecureRandom();

  private final StompChannel ch;
  private final String certificateSubject;
  private String clientId;
  private boolean persistent;

  Connecting(StompChannel ch, String certificateSubject) {
    this.ch = ch;
    this.certificateSubject = certificateSubject;
  }

  String clientId() {
    return clientId;
  }

  boolean persistent() {
    return persistent;
  }

  void onConnect(StompFrame f) {
    StompVersion v = StompVersion.negotiate(f.header("accept-version"), List.of(StompVersion.values()));
    if (v == null) {
      ch.send(StompFrame.builder(Command.ERROR).header("version", "1.0,1.1,1.2")
          .header("message", "supported protocol versions are 1.0,1.1,1.2").build());
      ch.metrics.protocolErrors.increment();
      ch.closeNow(CloseReason.PROTOCOL_ERROR);
      return;
    }
    ch.enterConnecting(v);
    if (ch.overQuota) {
      ch.error("too many connections on this listener, try again later", null);
      return;
    }
    long[] beats = v == StompVersion.V1_0 ? new long[] {0, 0} : parseBeats(f.header("heart-beat"));
    if (beats == null) {
      ch.error("heart-beat must be two non-negative integers: " + f.header("heart-beat"), f);
      return;
    }
    String given = f.header("client-id");
    persistent = given != null && !given.isEmpty();
    clientId = persistent ? given : "stomp-" + HexFormat.of().formatHex(randomBytes());
    String login = f.header("login");
    String passcode = f.header("passcode", "");
    authenticate(login, passcode).whenComplete((auth, err) -> ch.step(() -> {
      if (ch.state() != StompChannel.State.CONNECTING) {
        return;
      }
      if (err != null || auth == null || !auth.isAllowed()) {
        ch.metrics.authFailures.increment();
        StompChannel.DROPS.debug("stomp {} at {}: login refused: {}", clientId, ch.peer, err != null ? err : auth);
        ch.error("login refused", null);
        return;
      }
      open(f, v, login, beats);
    }));
  }

  private static byte[] randomBytes() {
    byte[] b = new byte[8];
    RANDOM.nextBytes(b);
    return b;
  }

  /** EMQX: no login → allow_anonymous; default_user's pair → admitted; any other pair → the core decides. */
  private CompletionStage<AuthResult> authenticate(String login, String passcode) {
    var cfg = ch.config;
    if (login == null && !cfg.allowAnonymous()) {
      return CompletableFuture.completedFuture(AuthResult.notAuthorized("anonymous STOMP clients are not allowed"));
    }
    if (login != null && !cfg.defaultLogin().isEmpty() && cfg.defaultLogin().equals(login)
        && cfg.defaultPasscode().equals(passcode)) {
      return CompletableFuture.completedFuture(AuthResult.allowed());
    }
    byte[] password = login == null ? null : passcode.getBytes(StandardCharsets.UTF_8);
    return ch.ctx.authenticate(new ClientCredentials(clientId, login, password, PROTOCOL, ch.peer, certificateSubject));
  }

  private void open(StompFrame f, StompVersion v, String login, long[] beats) {
    var cfg = ch.config;
    Mountpoint mp = Mountpoint.of(cfg.mountpoint(), clientId);
    SessionOptions options = SessionOptions.builder()
        .cleanStart(!persistent)
        .sessionExpiry(persistent ? cfg.sessionExpiry() : Duration.ZERO)
        .receiveMaximum(cfg.maxInflight())
        .build();
    ClientInfo info = new ClientInfo(clientId, login, PROTOCOL, ch.listener, ch.peer, mp.prefix(), certificateSubject);
    ch.ctx.openSession(info, options, ch).whenComplete((s, err) -> ch.step(() -> opened(f, v, mp, beats, s, err)));
  }

  private void opened(StompFrame f, StompVersion v, Mountpoint mp, long[] beats, BrokerSession s, Throwable err) {
    if (ch.state() != StompChannel.State.CONNECTING) {
      if (s != null) {
        s.close(CloseReason.NORMAL);
      }
      return;
    }
    if (err != null || s == null) {
      SessionRefusedException refused = SessionRefusedException.of(err);
      ch.metrics.sessionRefused.increment();
      ch.error(refused == null ? "session unavailable" : switch (refused.reason()) {
        case INVALID_CLIENT_ID -> "invalid client-id: " + refused.getMessage();
        case RESERVED_CLIENT_ID -> "reserved client-id: " + refused.getMessage();
        case NOT_OWNER -> "client-id belongs to another user";
        case UNAVAILABLE -> "session unavailable, try again later";
        case QUOTA_EXCEEDED -> "too many sessions, try again later";
      }, null);
      return;
    }
    // STOMP 1.2 §Heart-beating: 0 on either side means none that way, else the larger of the two
    long serverSend = ch.config.heartbeatSend().toMillis();
    long serverWants = ch.config.heartbeatReceive().toMillis();
    long toClient = beats[1] == 0 || serverSend == 0 ? 0 : Math.max(beats[1], serverSend);
    long fromClient = beats[0] == 0 || serverWants == 0 ? 0 : Math.max(beats[0], serverWants);
    StompFrame.Builder reply = StompFrame.builder(Command.CONNECTED)
        .header("version", v.text())
        .header("server", SERVER)
        .header("session", clientId);
    if (v != StompVersion.V1_0) {
      reply.header("heart-beat", serverSend + "," + serverWants);
    }
    ch.connected(s, v, mp, fromClient, toClient, reply.build());
  }

  /** "cx,cy" → {cx, cy}; absent → {0, 0}; null if malformed. */
  static long[] parseBeats(String h) {
    if (h == null) {
      return new long[] {0, 0};
    }
    String[] parts = h.split(",", -1);
    if (parts.length != 2) {
      return null;
    }
    try {
      long a = Long.parseLong(parts[0].trim());
      long b = Long.parseLong(parts[1].trim());
      return a < 0 || b < 0 ? null : new long[] {a, b};
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
