package io.estuary.mqttsn.transport;

import io.estuary.mqttsn.channel.MqttSnDispatcher;
import io.estuary.mqttsn.codec.DecodeResult;
import io.estuary.mqttsn.codec.MqttSnCodec;
import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Decodes each datagram and hands it to the listener's dispatcher. Runs on the event loop. */
final class MqttSnDatagramHandler extends SimpleChannelInboundHandler<DatagramPacket> {
  private static final Logger log = LoggerFactory.getLogger(MqttSnDatagramHandler.class);
  private static final Logger drops = LoggerFactory.getLogger("io.estuary.mqttsn.drops");

  private final MqttSnDispatcher dispatcher;

  MqttSnDatagramHandler(MqttSnDispatcher dispatcher) {
    this.dispatcher = dispatcher;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
    InetSocketAddress from = packet.sender();
    if (!dispatcher.admitDatagram(from)) {
      return; // over its source's source_datagram_rate: not even copied (counted by the dispatcher)
    }
    ByteBuf buf = packet.content();
    byte[] bytes = new byte[buf.readableBytes()];
    buf.getBytes(buf.readerIndex(), bytes);
    decode(dispatcher, from, bytes, null);
  }

  /** Decodes one datagram (plain or DTLS) and hands it over; on the event loop. */
  static void dispatch(MqttSnDispatcher dispatcher, InetSocketAddress from, byte[] bytes, io.estuary.cf.PeerIdentity identity) {
    if (!dispatcher.admitDatagram(from)) {
      return; // over its source's source_datagram_rate: not even decoded (counted by the dispatcher)
    }
    decode(dispatcher, from, bytes, identity);
  }

  private static void decode(MqttSnDispatcher dispatcher, InetSocketAddress from, byte[] bytes,
      io.estuary.cf.PeerIdentity identity) {
    DecodeResult result;
    try {
      result = MqttSnCodec.decode(bytes);
    } catch (RuntimeException e) { // a codec bug must not take the listener down; the fuzz tests look for these
      drops.debug("mqttsn decoder failed on a datagram from {}", from, e);
      result = new DecodeResult.FrameError("decoder failure: " + e);
    }
    if (result instanceof DecodeResult.Decoded d) {
      if (log.isTraceEnabled()) {
        log.trace("mqttsn in  {} {}", from, d.frame());
      }
      dispatcher.onFrame(from, d.frame(), identity, bytes.length);
    } else {
      dispatcher.onFrameError(from, ((DecodeResult.FrameError) result).reason());
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // UDP: ICMP port unreachable and the like arrive here; the socket stays open for everyone else
    log.debug("mqttsn listener {}: {}", ctx.channel().localAddress(), cause.toString());
  }
}
