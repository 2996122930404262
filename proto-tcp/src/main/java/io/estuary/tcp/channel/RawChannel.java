package io.estuary.tcp.channel;

import io.estuary.api.CloseReason;
import io.estuary.api.GatewayContext;
import io.estuary.api.Payload;
import io.estuary.tcp.TcpConfig;
import io.estuary.tcp.TcpConfig.Identity;
import io.estuary.tcp.codec.DecodeResult;
import io.estuary.tcp.codec.Framing;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.regex.Matcher;

/**
 * One device on a configurable framing ({@code length_field}, {@code delimiter}, {@code line}, {@code fixed}): no
 * login frame of ours, so its client id comes from configuration — the peer address or the TLS client certificate's
 * CN (the session opens at once), or the first ("hello") frame by regex or byte range. Every frame is one message on
 * the up topic (empty frames, such as blank lines, are skipped); downlink payloads are framed the same way. Until
 * the first frame {@code idle_timeout} applies, then the listener's {@code keepalive}.
 */
public final class RawChannel extends DeviceChannel {
  private final Framing framing;
  private final Identity identity;
  private boolean sawFrame;
  private Payload hello;

  public RawChannel(GatewayContext context, TcpConfig config, TcpConfig.Listener listener, TcpMetrics metrics,
      DropLog drops, Executor executor, Consumer<Action> actions) {
    super(context, config, listener, metrics, drops, executor, actions);
    this.framing = listener.framing();
    this.identity = listener.identity();
  }

  @Override
  protected void onStart() {
    switch (identity.source()) {
      case PEER_ADDRESS -> login(peer == null ? "" : peer.getAddress().getHostAddress(), null, null, Duration.ZERO);
      case CERTIFICATE_CN -> {
        if (certificateCn == null) {
          metrics.authFailures.increment();
          drops.log(listener.id(), null, peer, "no TLS client certificate to take the client id from");
          close(CloseReason.NOT_AUTHORIZED);
        } else {
          login(certificateCn, null, null, Duration.ZERO);
        }
      }
      default -> {
        // waits for the hello frame
      }
    }
  }

  @Override
  public int handleBytes(ByteBuffer in) {
    int pos = in.position();
    while (reading()) {
      DecodeResult<byte[]> r = framing.decode(in.duplicate().position(pos));
      if (r instanceof DecodeResult.Ok<byte[]> ok) {
        pos += ok.consumed();
        byte[] frame = ok.value();
        boolean connected = state == State.CONNECTED;
        guarded(() -> onFrame(frame));
        if (connected) {
          pace(ok.consumed(), frame.length > 0);
        }
      } else if (r instanceof DecodeResult.Failed<byte[]> failed) {
        frameError(failed.error());
        return in.remaining();
      } else {
        break;
      }
    }
    return pos - in.position();
  }

  private void onFrame(byte[] frame) {
    if (state == State.WAITING) {
      if (!identity.fromHello()) { // the session opens on start; bytes before that are out of order
        protocolError("frame before the session opened");
        return;
      }
      String id = identify(frame);
      if (id == null || id.isEmpty()) {
        protocolError("hello frame of " + frame.length + " bytes names no client id (" + identity.source() + ")");
        return;
      }
      sawFrame = true;
      hello = identity.publishHello() && frame.length > 0 ? Payload.wrapOwned(frame) : null;
      login(id, null, null, Duration.ZERO);
      return;
    }
    firstFrame();
    if (frame.length > 0) {
      uplink(Payload.wrapOwned(frame));
    }
  }

  private void firstFrame() {
    if (!sawFrame) {
      sawFrame = true;
      keepAlive(listener.keepAlive());
    }
  }

  /** The client id in the hello frame, or null. */
  String identify(byte[] frame) {
    if (identity.source() == TcpConfig.IdentitySource.HELLO_REGEX) {
      Matcher m = identity.regex().matcher(new String(frame, StandardCharsets.ISO_8859_1));
      if (!m.find()) {
        return null;
      }
      return m.groupCount() >= 1 ? m.group(1) : m.group();
    }
    if (frame.length < identity.offset() + identity.length()) {
      return null;
    }
    if (identity.hex()) {
      return HexFormat.of().formatHex(frame, identity.offset(), identity.offset() + identity.length());
    }
    return new String(frame, identity.offset(), identity.length(), StandardCharsets.UTF_8);
  }

  @Override
  protected void connected(boolean sessionPresent) {
    if (sawFrame) {
      keepAlive(listener.keepAlive());
    }
    if (hello != null) {
      uplink(hello);
      hello = null;
    }
    emit(new Action.Resume());
  }

  @Override
  protected void refused(String why) {
    drops.log(listener.id(), clientId, peer, why);
    close(CloseReason.NOT_AUTHORIZED);
  }

  @Override
  protected byte[] frameDownlink(Payload payload) {
    return framing.encode(payload.toByteArray());
  }
}
