package io.estuary.mqtt.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageDecoder;
import io.netty.handler.codec.MessageToMessageEncoder;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.util.List;

/** MQTT over WebSocket: binary frames carry the MQTT byte stream (MQTT 5 §6). */
final class WebSocketFrames {
  private WebSocketFrames() {}

  @ChannelHandler.Sharable
  static final class Decoder extends MessageToMessageDecoder<WebSocketFrame> {
    static final Decoder INSTANCE = new Decoder();

    @Override
    protected void decode(ChannelHandlerContext ctx, WebSocketFrame frame, List<Object> out) {
      if (frame instanceof BinaryWebSocketFrame || frame instanceof io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame) {
        out.add(frame.content().retain());
      } else {
        ctx.close(); // MQTT 5 §6.0: text frames are not MQTT
      }
    }
  }

  @ChannelHandler.Sharable
  static final class Encoder extends MessageToMessageEncoder<ByteBuf> {
    static final Encoder INSTANCE = new Encoder();

    @Override
    protected void encode(ChannelHandlerContext ctx, ByteBuf msg, List<Object> out) {
      out.add(new BinaryWebSocketFrame(msg.retain()));
    }
  }
}
