package io.estuary.mqttsn.transport;

import io.estuary.mqttsn.channel.MqttSnDispatcher;
import io.estuary.mqttsn.codec.DecodeResult;
import io.estuary.mqttsn.codec.MqttSnCodec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes each datagram and hands it to the listener's dispatcher. Each instance runs on one event loop, so its
 * scratch array is that loop's: the listener socket's handler on {@code mqttsn-listener} (its results reach the
 * dispatcher through a {@link HandOff}), DTLS and the connected sockets' on the dispatcher's {@code mqttsn} loop. The order costs a flood as little as possible
 * (issue #13): a datagram from an address with a channel goes straight to its source's rate and the
 * decoder; one from an unknown address is first classified from its header octets ({@link
 * UnknownSourceFilter}) and, unless it can mean anything without a channel, dropped and counted without
 * copying, decoding or touching the table of sources. A handler for the per-client connected sockets
 * ({@link ConnectedSockets}) is {@code established}: what they read comes from an address with a channel
 * (the kernel matched its 4-tuple), so it skips that filter, and an ICMP port unreachable reported on one is
 * handed to the dispatcher. One such handler serves all connected sockets of a listener: they are all on the
 * dispatcher's loop, so the scratch array is still that loop's alone.
 */
@ChannelHandler.Sharable
final class MqttSnDatagramHandler extends SimpleChannelInboundHandler<DatagramPacket> {
  private static final Logger log = LoggerFactory.getLogger(MqttSnDatagramHandler.class);
  private static final Logger drops = LoggerFactory.getLogger("io.estuary.mqttsn.drops");
  /** CONNACK 0x01 "congestion" (§5.4.5), the answer to a CONNECT refused before decoding; never written to. */
  private static final byte[] CONNACK_CONGESTION = {3, 0x05, 0x01};

  private final MqttSnDispatcher dispatcher;
  /** Reads the per-client connected sockets (see the class comment). */
  private final boolean established;
  /** The listener socket's budget for datagrams from unknown addresses; null when unlimited or established. */
  private final ListenerReadBudget budget;
  /** The datagram's bytes for the decoder, which copies whatever a frame keeps: reused, never escapes. */
  private byte[] scratch = new byte[2048];
  /** The listener socket's hand-off to the dispatcher's loop; null: this handler runs on that loop. */
  private final HandOff handOff;

  /**
   * The listener socket's handler; {@code budget} may be null (unknown_datagram_rate = infinity). With {@code
   * handOff} the listener socket is read on a loop of its own and what it decodes is queued for the dispatcher's
   * loop, which takes it in slices ({@link HandOff}); without, it runs on the dispatcher's loop.
   */
  MqttSnDatagramHandler(MqttSnDispatcher dispatcher, ListenerReadBudget budget, HandOff handOff) {
    this.dispatcher = dispatcher;
    this.established = false;
    this.budget = budget;
    this.handOff = handOff;
  }

  /** The connected sockets' handler. */
  MqttSnDatagramHandler(MqttSnDispatcher dispatcher, boolean established) {
    this.dispatcher = dispatcher;
    this.established = established;
    this.budget = null;
    this.handOff = null;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
    InetSocketAddress from = packet.sender();
    ByteBuf buf = packet.content();
    int verdict = UnknownSourceFilter.DECODE;
    if (!established && !dispatcher.hasChannelAt(from)) {
      if (budget != null && !budget.admit(ctx.channel())) {
        return; // over unknown_datagram_rate: the socket is paused, the kernel drops the rest (counted)
      }
      verdict = UnknownSourceFilter.classify(buf);
      if (verdict == UnknownSourceFilter.NO_SESSION || verdict == UnknownSourceFilter.MALFORMED) {
        dispatcher.dropUnknown(from, verdict == UnknownSourceFilter.MALFORMED);
        return;
      }
    }
    if (!dispatcher.admitDatagram(from)) {
      return; // over its source's source_datagram_rate: not even copied (counted by the dispatcher)
    }
    boolean connectAdmitted = false;
    if (verdict == UnknownSourceFilter.CONNECT_FRAME) { // a new client's, or a flood's: refused before decoding
      switch (dispatcher.screenConnect(from)) {
        case REFUSED -> {
          ctx.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(CONNACK_CONGESTION), from));
          return;
        }
        case REFUSED_UNANSWERED -> {
          return;
        }
        case ADMITTED -> connectAdmitted = true;
        default -> { } // UNSCREENED: the dispatcher decides
      }
    }
    int len = buf.readableBytes();
    if (scratch.length < len) {
      scratch = new byte[Math.max(len, scratch.length * 2)];
    }
    buf.getBytes(buf.readerIndex(), scratch, 0, len);
    if (handOff != null) {
      handOff.add(from, decode(from, scratch, len), len, connectAdmitted);
    } else {
      deliver(dispatcher, from, decode(from, scratch, len), null, len, connectAdmitted);
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (handOff != null) {
      handOff.flush();
    }
    ctx.fireChannelReadComplete();
  }

  /** Decodes one datagram (plain or DTLS) and hands it over; on the event loop. */
  static void dispatch(MqttSnDispatcher dispatcher, InetSocketAddress from, byte[] bytes, io.estuary.cf.PeerIdentity identity) {
    if (!dispatcher.admitDatagram(from)) {
      return; // over its source's source_datagram_rate: not even decoded (counted by the dispatcher)
    }
    decode(dispatcher, from, bytes, bytes.length, identity);
  }

  /** Decodes {@code bytes[0, len)}; the decoder copies what a frame keeps, so the array may be reused after. */
  static DecodeResult decode(InetSocketAddress from, byte[] bytes, int len) {
    try {
      return MqttSnCodec.decode(bytes, 0, len);
    } catch (RuntimeException e) { // a codec bug must not take the listener down; the fuzz tests look for these
      drops.debug("mqttsn decoder failed on a datagram from {}", from, e);
      return new DecodeResult.FrameError("decoder failure: " + e);
    }
  }

  /** Decodes {@code bytes[0, len)} and hands the result to {@code dispatcher}; on the dispatcher's loop. */
  private static void decode(MqttSnDispatcher dispatcher, InetSocketAddress from, byte[] bytes, int len,
      io.estuary.cf.PeerIdentity identity) {
    deliver(dispatcher, from, decode(from, bytes, len), identity, len, false);
  }

  /**
   * Hands a decoded datagram to {@code dispatcher}; on the dispatcher's loop. {@code connectAdmitted}: a CONNECT
   * the dispatcher's early look admitted ({@link MqttSnDispatcher#screenConnect}).
   */
  static void deliver(MqttSnDispatcher dispatcher, InetSocketAddress from, DecodeResult result,
      io.estuary.cf.PeerIdentity identity, int len, boolean connectAdmitted) {
    if (result instanceof DecodeResult.Decoded d) {
      if (log.isTraceEnabled()) {
        log.trace("mqttsn in  {} {}", from, d.frame());
      }
      dispatcher.onFrame(from, d.frame(), identity, len, connectAdmitted);
    } else {
      dispatcher.onFrameError(from, ((DecodeResult.FrameError) result).reason());
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (established && cause instanceof PortUnreachableException
        && ctx.channel().remoteAddress() instanceof InetSocketAddress peer) {
      dispatcher.unreachable(peer); // the client's port answered one of our datagrams with ICMP
      return;
    }
    // UDP: ICMP port unreachable and the like arrive here; the socket stays open for everyone else
    log.debug("mqttsn listener {}: {}", ctx.channel().localAddress(), cause.toString());
  }
}
