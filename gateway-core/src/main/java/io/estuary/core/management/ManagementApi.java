package io.estuary.core.management;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.estuary.api.ListenerInfo;
import io.estuary.api.ProtocolAdapter;
import io.estuary.core.session.Broker;
import io.estuary.core.session.SessionView;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The management HTTP API (EMQX-like paths): {@code GET /status} (EMQX's two lines, then one line
 * per adapter and per item of its {@link ProtocolAdapter#statusDetails()}), {@code GET /metrics} (Prometheus),
 * {@code GET /api/v5/stats}, {@code GET /api/v5/listeners}, {@code GET /api/v5/clients[/{id}]},
 * {@code DELETE /api/v5/clients/{id}}. One event loop thread; handlers only read concurrent state.
 */
public final class ManagementApi implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ManagementApi.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Broker broker;
  private final MicrometerMetrics metrics;
  private final Supplier<List<ListenerInfo>> listeners;
  private final Supplier<Map<String, ProtocolAdapter>> adapters;
  private EventLoopGroup group;
  private Channel server;

  public ManagementApi(Broker broker, MicrometerMetrics metrics, Supplier<List<ListenerInfo>> listeners,
      Supplier<Map<String, ProtocolAdapter>> adapters) {
    this.broker = broker;
    this.metrics = metrics;
    this.listeners = listeners;
    this.adapters = adapters;
  }

  /**
   * {@code GET /status}: EMQX's first two lines (kept for tools that parse them), then
   * {@code adapter <protocol>: <state>} and {@code   <item>: <json>} per status detail.
   */
  private String statusText() throws Exception {
    StringBuilder sb = new StringBuilder("Node ").append(broker.nodeName()).append(" is started\nestuary is running\n");
    for (var e : new TreeMap<>(adapters.get()).entrySet()) {
      ProtocolAdapter a = e.getValue();
      sb.append("adapter ").append(e.getKey()).append(": ").append(a.status().name().toLowerCase(Locale.ROOT)).append('\n');
      for (var d : new TreeMap<>(a.statusDetails()).entrySet()) {
        sb.append("  ").append(d.getKey()).append(": ").append(JSON.writeValueAsString(d.getValue())).append('\n');
      }
    }
    return sb.toString();
  }

  public InetSocketAddress start(InetSocketAddress bind) {
    group = new NioEventLoopGroup(1, new DefaultThreadFactory("estuary-api", true));
    ChannelFuture f = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(64 * 1024), new Handler());
          }
        }).bind(bind).awaitUninterruptibly();
    if (!f.isSuccess()) {
      group.shutdownGracefully();
      throw new IllegalStateException("management API cannot bind " + bind.getHostString() + ":" + bind.getPort() + ": "
          + f.cause().getMessage(), f.cause());
    }
    server = f.channel();
    InetSocketAddress addr = (InetSocketAddress) server.localAddress();
    LOG.info("listener http api on {}:{} (/status, /metrics, /api/v5)", addr.getHostString(), addr.getPort());
    return addr;
  }

  @Override
  public void close() {
    if (server != null) {
      server.close().awaitUninterruptibly();
    }
    if (group != null) {
      group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).awaitUninterruptibly(2000);
    }
  }

  private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) throws Exception {
      String path = new QueryStringDecoder(req.uri()).path();
      HttpMethod method = req.method();
      FullHttpResponse resp;
      if (method.equals(HttpMethod.GET) && path.equals("/status")) {
        resp = text(HttpResponseStatus.OK, statusText(), "text/plain");
      } else if (method.equals(HttpMethod.GET) && path.equals("/metrics")) {
        resp = text(HttpResponseStatus.OK, metrics.scrape(), "text/plain; version=0.0.4");
      } else if (method.equals(HttpMethod.GET) && path.equals("/api/v5/stats")) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("node", broker.nodeName());
        s.put("uptime_seconds", broker.uptimeMillis() / 1000);
        s.put("connections.count", broker.connectedCount());
        s.put("connections.by_protocol", broker.connectedByProtocol());
        s.put("sessions.count", broker.sessionCount());
        s.put("subscriptions.count", broker.subscriptionCount());
        s.put("retained.count", broker.retainedCount());
        resp = json(HttpResponseStatus.OK, s);
      } else if (method.equals(HttpMethod.GET) && path.equals("/api/v5/listeners")) {
        resp = json(HttpResponseStatus.OK, listeners.get());
      } else if (method.equals(HttpMethod.GET) && path.equals("/api/v5/clients")) {
        resp = json(HttpResponseStatus.OK, Map.of("data", broker.sessionViews()));
      } else if (path.startsWith("/api/v5/clients/")) {
        String id = QueryStringDecoder.decodeComponent(path.substring("/api/v5/clients/".length()));
        if (method.equals(HttpMethod.GET)) {
          SessionView v = broker.sessionView(id);
          resp = v == null ? json(HttpResponseStatus.NOT_FOUND, Map.of("code", "CLIENTID_NOT_FOUND")) : json(HttpResponseStatus.OK, v);
        } else if (method.equals(HttpMethod.DELETE)) {
          resp = broker.kick(id, true)
              ? new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT)
              : json(HttpResponseStatus.NOT_FOUND, Map.of("code", "CLIENTID_NOT_FOUND"));
        } else {
          resp = json(HttpResponseStatus.METHOD_NOT_ALLOWED, Map.of("code", "METHOD_NOT_ALLOWED"));
        }
      } else {
        resp = json(HttpResponseStatus.NOT_FOUND, Map.of("code", "NOT_FOUND"));
      }
      resp.headers().set(HttpHeaderNames.CONTENT_LENGTH, resp.content().readableBytes());
      ctx.writeAndFlush(resp).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      LOG.debug("management API request failed", cause);
      ctx.close();
    }
  }

  private static FullHttpResponse text(HttpResponseStatus status, String body, String type) {
    FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
    r.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
    return r;
  }

  private static FullHttpResponse json(HttpResponseStatus status, Object body) throws Exception {
    FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(JSON.writeValueAsBytes(body)));
    r.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
    return r;
  }
}
