package io.estuary.stomp.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageDecoder;
import io.netty.handler.codec.MessageToMessageEncoder;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.util.List;

/**
 * STOMP over WebSocket (RabbitMQ Web-STOMP, stomp.js): text or binary messages carry the STOMP byte
 * stream; we answer in text messages, as Web-STOMP does by default. Copied from proto-mqtt's transport
 * and adapted (MQTT refuses text frames).
 */
final class WebSocketFrames {
  private WebSocketFrames() {}

  @ChannelHandler.Sharable
  static final class Decoder extends MessageToMessageDecoder<WebSocketFrame> {
    static final Decoder INSTANCE = new Decoder();

    @Override
    protected void decode(ChannelHandlerContext ctx, WebSocketFrame frame, List<Object> out) {
      if (frame instanceof TextWebSocketFrame || frame instanceof BinaryWebSocketFrame
          || frame instanceof ContinuationWebSocketFrame) {
        out.add(frame.content().retain());
      }
    }
  }

  @ChannelHandler.Sharable
  static final class Encoder extends MessageToMessageEncoder<ByteBuf> {
    static final Encoder INSTANCE = new Encoder();

    @Override
    protected void encode(ChannelHandlerContext ctx, ByteBuf msg, List<Object> out) {
      out.add(new TextWebSocketFrame(msg.retain()));
    }
  }
}
