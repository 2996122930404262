package io.estuary.mqtt.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.mqtt.MqttMessageFactory;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Sits before Netty's {@code MqttDecoder}: cuts the byte stream into whole packets by their remaining length and
 * checks two rules that decoder gets wrong: a CONNECT, and an MQTT 5 SUBSCRIBE, reach it only whole (every
 * other packet passes through as its bytes arrive). A CONNECT whose Will Flag, User Name Flag or Password Flag
 * announces fields its remaining length does not hold (MQTT-3.1.2-9, -17, -19) would make
 * the replaying decoder wait for bytes past the packet's end; an MQTT 5 SUBSCRIBE with reserved bits 6-7 of the
 * Subscription Options set (MQTT-3.8.3-5) would be granted because the decoder drops those bits. Either becomes
 * a failed {@code MqttMessage} (a malformed packet for the connection handler) and the rest of the input is
 * discarded. A remaining length over {@code maxPacketSize} or a broken one is left to {@code MqttDecoder}: from
 * then on bytes pass through unchecked.
 *
 * <p>While the connection's {@link ReadGate} stops reading, it also stops cutting at the next packet boundary: the rest
 * of the socket read waits here as bytes (at most one read, ≤ 64 KiB), not as decoded packets (a read of 2-byte
 * PINGREQs was ~30,000 queued packets; QoS 1 PUBLISHes ~520 KiB of heap per paused connection, BENCHMARKS.md), and
 * {@link #decodeHeld} goes on when the gate lets packets through again. Thread: the channel's event loop (Netty's
 * handler contract).
 */
final class PacketInspector extends ByteToMessageDecoder {
  private final int maxPacketSize;
  private final BooleanSupplier stopped;
  private ChannelHandlerContext ctx;
  private boolean reading;
  private int version;
  private boolean transparent;
  private boolean failed;
  /** Bytes of an uninspected packet still to pass through as they arrive. */
  private int passing;

  /** @param stopped whether the read gate stops reading now: no packet is started then */
  PacketInspector(int maxPacketSize, BooleanSupplier stopped) {
    this.maxPacketSize = maxPacketSize;
    this.stopped = stopped;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    reading = true;
    try {
      super.channelRead(ctx, msg);
    } finally {
      reading = false;
    }
  }

  /**
   * Holding bytes for the gate: no read is asked for. {@link ByteToMessageDecoder} asks for one when a read passed
   * nothing on while {@code autoRead} is off (it takes that for a partial packet), which would read on, one read at
   * a time, into what is held here.
   */
  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
    if (stopped.getAsBoolean() && passing == 0) {
      discardSomeReadBytes();
      ctx.fireChannelReadComplete();
      return;
    }
    super.channelReadComplete(ctx);
  }

  /**
   * Cuts and passes on the bytes held while the gate stopped reading (until it stops again); returns whether any
   * were held. Call on the event loop, outside a read of this connection.
   */
  boolean decodeHeld() {
    if (reading || ctx == null || ctx.isRemoved() || actualReadableBytes() == 0) {
      return false;
    }
    try {
      channelRead(ctx, Unpooled.EMPTY_BUFFER);
    } catch (Exception e) {
      ctx.fireExceptionCaught(e);
    }
    return true;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    int readable = in.readableBytes();
    if (failed) {
      in.skipBytes(readable);
      return;
    }
    if (passing == 0 && stopped.getAsBoolean()) {
      return; // at a packet boundary while reading is stopped: the rest waits here as bytes
    }
    if (transparent) {
      out.add(in.readRetainedSlice(readable));
      return;
    }
    if (passing > 0) {
      int n = Math.min(passing, readable);
      passing -= n;
      out.add(in.readRetainedSlice(n));
      return;
    }
    int start = in.readerIndex();
    int length = 0;
    int i = 1;
    for (int shift = 0; ; shift += 7, i++) {
      if (i > 4) { // a remaining length of more than four bytes: MqttDecoder reports it
        transparent = true;
        out.add(in.readRetainedSlice(readable));
        return;
      }
      if (i >= readable) {
        return;
      }
      int b = in.getUnsignedByte(start + i);
      length |= (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        break;
      }
    }
    int headerLength = i + 1;
    if (length > maxPacketSize) {
      transparent = true;
      out.add(in.readRetainedSlice(readable));
      return;
    }
    int first = in.getUnsignedByte(start);
    boolean inspect;
    if (first == 0x10) { // a CONNECT: held whole only if it starts like one (else MqttDecoder fails it at once)
      if (readable < headerLength + 3) {
        return;
      }
      int nameLength = in.getUnsignedShort(start + headerLength);
      inspect = length >= 3 && (nameLength == 4 || nameLength == 6) && in.getUnsignedByte(start + headerLength + 2) == 'M';
    } else {
      inspect = first == 0x82 && version == 5;
    }
    if (!inspect) { // every other packet goes through as its bytes arrive
      passing = headerLength + length;
      int n = Math.min(passing, readable);
      passing -= n;
      out.add(in.readRetainedSlice(n));
      return;
    }
    if (readable < headerLength + length) {
      return;
    }
    String problem = check(in.getUnsignedByte(start) >> 4, new Cursor(in, start + headerLength, start + headerLength + length));
    if (problem != null) {
      failed = true;
      in.skipBytes(readable);
      out.add(MqttMessageFactory.newInvalidMessage(new DecoderException(problem)));
      return;
    }
    out.add(in.readRetainedSlice(headerLength + length));
  }

  /** The rule the packet breaks, or null (also when it is broken in a way MqttDecoder reports itself). */
  private String check(int type, Cursor c) {
    if (type == 1) {
      if (c.skipString() && c.has(4)) {
        version = c.buf.getUnsignedByte(c.pos);
        int flags = c.buf.getUnsignedByte(c.pos + 1);
        c.pos += 4;
        if ((version == 5 && !c.skipProperties()) || !c.skipString()) {
          return null; // before the will fields: the decoder's own checks apply
        }
        boolean ok = ((flags & 0x04) == 0 || ((version != 5 || c.skipProperties()) && c.skipString() && c.skipString()))
            && ((flags & 0x80) == 0 || c.skipString())
            && ((flags & 0x40) == 0 || c.skipString());
        return ok ? null : "CONNECT flags announce will, user name or password fields the packet does not hold";
      }
    } else if (type == 8 && version == 5 && c.has(2)) {
      c.pos += 2;
      if (!c.skipProperties()) {
        return null;
      }
      while (c.pos < c.end) {
        if (!c.skipString() || !c.has(1)) {
          return null;
        }
        if ((c.buf.getUnsignedByte(c.pos++) & 0xC0) != 0) {
          return "reserved bits 6-7 of the Subscription Options set";
        }
      }
    }
    return null;
  }

  /** Reads within one packet's bytes without moving the buffer's reader index. */
  private static final class Cursor {
    final ByteBuf buf;
    final int end;
    int pos;

    Cursor(ByteBuf buf, int pos, int end) {
      this.buf = buf;
      this.pos = pos;
      this.end = end;
    }

    boolean has(int n) {
      return end - pos >= n;
    }

    /** A two-byte length and that many bytes (a UTF-8 string or binary data). */
    boolean skipString() {
      if (!has(2)) {
        return false;
      }
      int n = buf.getUnsignedShort(pos);
      pos += 2;
      if (!has(n)) {
        return false;
      }
      pos += n;
      return true;
    }

    /** An MQTT 5 property length (variable byte integer) and that many bytes. */
    boolean skipProperties() {
      int n = 0;
      for (int shift = 0; shift < 28; shift += 7) {
        if (!has(1)) {
          return false;
        }
        int b = buf.getUnsignedByte(pos++);
        n |= (b & 0x7F) << shift;
        if ((b & 0x80) == 0) {
          if (!has(n)) {
            return false;
          }
          pos += n;
          return true;
        }
      }
      return false;
    }
  }
}
