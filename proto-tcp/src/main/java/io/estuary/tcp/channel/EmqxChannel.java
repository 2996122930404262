package io.estuary.tcp.channel;

import io.estuary.api.CloseReason;
import io.estuary.api.GatewayContext;
import io.estuary.api.PacketTrace;
import io.estuary.api.Payload;
import io.estuary.tcp.TcpConfig;
import io.estuary.tcp.codec.DecodeResult;
import io.estuary.tcp.codec.EmqxTcpCodec;
import io.estuary.tcp.codec.TcpFrame;
import io.estuary.tcp.codec.TcpFrame.ConnAck;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * One device speaking EMQX's transparent TCP framing. CONNECT must come first (within {@code idle_timeout}); its
 * version must be 0 or 1 (else CONNACK ILLEGALVER), its credentials pass the gateway's authenticator and its client
 * id the core's rules (else CONNACK AUTHFAILED, {@code 0x21 00 00}); then CONNACK {@code 0x20 00 14 "Connect
 * Successfully"}. Connected: DATATRANS → the up topic, PING → PONG, DISCONNECT ends the connection without will;
 * the down topic's messages go out as DATATRANS. No frame for {@code keepalive × 1.5} seconds ends it (keepalive 0:
 * never). Unknown, malformed or misplaced frames end the connection, counted and logged.
 */
public final class EmqxChannel extends DeviceChannel {
  /** The reference defines CONNECT version 1 and shows version 0 in its examples. */
  static final int MAX_VERSION = 1;

  private final EmqxTcpCodec codec;
  private boolean overQuota;

  public EmqxChannel(GatewayContext context, TcpConfig config, TcpConfig.Listener listener, TcpMetrics metrics,
      DropLog drops, Executor executor, Consumer<Action> actions) {
    super(context, config, listener, metrics, drops, executor, actions);
    this.codec = new EmqxTcpCodec(config.maxPacketSize());
  }

  @Override
  protected void onStart() {
    // waits for CONNECT; the transport's idle timer runs
  }

  @Override
  public int handleBytes(ByteBuffer in) {
    int pos = in.position();
    while (reading()) {
      DecodeResult<TcpFrame> r = codec.decode(in.duplicate().position(pos));
      if (r instanceof DecodeResult.Ok<TcpFrame> ok) {
        pos += ok.consumed();
        TcpFrame f = ok.value();
        PacketTrace t = context.trace(f instanceof TcpFrame.Connect c ? c.clientId() : clientId);
        if (t != null) {
          t.in(summary(f));
        }
        boolean connected = state == State.CONNECTED;
        guarded(() -> onFrame(f));
        if (connected) {
          pace(ok.consumed(), f instanceof TcpFrame.DataTrans);
        }
      } else if (r instanceof DecodeResult.Failed<TcpFrame> failed) {
        frameError(failed.error());
        return in.remaining();
      } else {
        break;
      }
    }
    return pos - in.position();
  }

  private void onFrame(TcpFrame f) {
    if (state == State.WAITING) {
      if (f instanceof TcpFrame.Connect c) {
        onConnect(c);
      } else {
        protocolError(f.getClass().getSimpleName() + " before CONNECT");
      }
      return;
    }
    if (f instanceof TcpFrame.DataTrans d) {
      uplink(d.payload());
    } else if (f instanceof TcpFrame.Ping) {
      emit(new Action.Send(encode(clientId, new TcpFrame.Pong()), null));
    } else if (f instanceof TcpFrame.Disconnect) {
      close(CloseReason.NORMAL);
    } else {
      protocolError("unexpected " + f.getClass().getSimpleName() + " from a device");
    }
  }

  /**
   * The listener was at {@code max_connections} when this connection was accepted: its CONNECT is answered with
   * CONNACK AUTHFAILED (the framing's only refusal code) and the connection closed.
   */
  public void refuseForQuota() {
    overQuota = true;
  }

  private void onConnect(TcpFrame.Connect c) {
    if (overQuota) { // counted at accept (tcp.connections.rejected)
      drops.log(listener.id(), c.clientId(), peer, "listener at max_connections " + listener.maxConnections());
      closeAfter(encode(c.clientId(), new ConnAck(ConnAck.AUTHFAILED, "")));
      return;
    }
    if (c.version() > MAX_VERSION) {
      metrics.protocolError();
      drops.log(listener.id(), c.clientId(), peer, "CONNECT version " + c.version());
      closeAfter(encode(c.clientId(), new ConnAck(ConnAck.ILLEGALVER, "")));
      return;
    }
    login(c.clientId(), c.username(), c.password(), Duration.ofSeconds(c.keepAlive()));
  }

  @Override
  protected void connected(boolean sessionPresent) {
    emit(new Action.Send(encode(clientId, new ConnAck(ConnAck.SUCCESSFUL, EmqxTcpCodec.CONNECT_SUCCESSFULLY)), null));
    // keepalive × 1.5, as MQTT 3.1.1 §3.1.2.10 and EMQX; 0 turns the check off
    keepAlive(deviceKeepAlive().multipliedBy(3).dividedBy(2));
    emit(new Action.Resume());
  }

  @Override
  protected void refused(String why) {
    drops.log(listener.id(), clientId, peer, why);
    closeAfter(encode(clientId, new ConnAck(ConnAck.AUTHFAILED, "")));
  }

  @Override
  protected byte[] frameDownlink(Payload payload) {
    return payload.size() > EmqxTcpCodec.MAX_PAYLOAD ? null : encode(clientId, new TcpFrame.DataTrans(0, payload));
  }

  /** Encodes a frame for the device, written into its trace first when the operator traces {@code id}. */
  private byte[] encode(String id, TcpFrame f) {
    PacketTrace t = context.trace(id);
    if (t != null) {
      t.out(summary(f));
    }
    return EmqxTcpCodec.encode(f);
  }

  /** A frame's one-line trace summary: its type and fields, the payload as its size, never the password. */
  static String summary(TcpFrame f) {
    if (f instanceof TcpFrame.Connect c) {
      return "CONNECT version=" + c.version() + " keepalive=" + c.keepAlive() + " clientid=" + c.clientId()
          + " username=" + c.username() + " password=" + (c.password() == null ? "none" : "******");
    } else if (f instanceof ConnAck a) {
      return "CONNACK code=" + a.code() + (a.message() == null || a.message().isEmpty() ? "" : " message=" + a.message());
    } else if (f instanceof TcpFrame.DataTrans d) {
      return "DATATRANS qos=" + d.qos() + " payload=" + d.payload().size() + "B";
    } else if (f instanceof TcpFrame.Ping) {
      return "PING";
    } else if (f instanceof TcpFrame.Pong) {
      return "PONG";
    }
    return "DISCONNECT";
  }
}
