package io.estuary.core.management;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.estuary.api.ListenerInfo;
import io.estuary.api.Metrics;
import io.estuary.api.ProtocolAdapter;
import io.estuary.core.config.ApiConfig;
import io.estuary.core.config.ConfigError;
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
import io.netty.util.concurrent.DefaultEventExecutorGroup;
import io.netty.util.concurrent.EventExecutorGroup;
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
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.estuary.tls.PemLoader;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
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
 * The management HTTP API in EMQX 5's shapes ({@link ApiRoutes}: {@code /status}, {@code /metrics}
 * (Prometheus), {@code /api-docs} (OpenAPI) and {@code /api/v5/...}: clients, subscriptions, topics,
 * retainer, publish, gateways, stats, metrics, listeners, api_key). This class is the Netty side: TLS,
 * idle timeout, request size cap, API key check.
 *
 * <p>Every {@code /api/v5} call needs an API key ({@link ApiKeys}) as HTTP Basic credentials, else
 * 401 {@code {code: BAD_API_KEY_OR_SECRET, message}}; {@code /status} and {@code /metrics} only when
 * configured. Errors are {@code {code, message}}. One event loop thread; requests run on two handler threads
 * and only read concurrent state.
 */
public final class ManagementApi implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ManagementApi.class);
  private static final Logger DROPS = LoggerFactory.getLogger("io.estuary.core.management.drops");

  private final MicrometerMetrics metrics;
  private final ApiConfig config;
  private final ApiKeys keys;
  private final ApiRoutes routes;
  private final Metrics.Counter authFailures;
  private final Metrics.Counter idleClosed;
  private final DropLog dropLog = new DropLog();
  private EventLoopGroup group;
  /**
   * Runs the request handler: checking an API key's secret for the first time costs a PBKDF2 hash (tens of
   * ms) and some calls read the store, so neither happens on the I/O loop, which keeps accepting, reading
   * and closing idle connections while a burst of wrong secrets is being checked.
   */
  private EventExecutorGroup handlers;
  private Channel server;

  public ManagementApi(Broker broker, MicrometerMetrics metrics, Supplier<List<ListenerInfo>> listeners,
      Supplier<Map<String, ProtocolAdapter>> adapters, ApiConfig config, ApiKeys keys) {
    this.metrics = metrics;
    this.config = config;
    this.keys = keys;
    this.routes = new ApiRoutes(broker, metrics, listeners, adapters, keys);
    this.authFailures = metrics.counter("api.auth_failures");
    this.idleClosed = metrics.counter("api.idle_closed");
  }

  /** Routes served elsewhere ({@code /api/v5/webhooks}, {@code /api/v5/reload}); set before {@link #start}. */
  public void extraRoutes(ExtraRoutes routes) {
    this.routes.extraRoutes(routes);
  }

  /** Whether the API speaks HTTPS. */
  public boolean secure() {
    return config.tls() != null;
  }

  /** Binds {@code api.bind}; a TLS file that cannot be used or a busy port fails here. */
  public InetSocketAddress start() {
    InetSocketAddress bind = config.bind();
    SslContext tls = config.tls() == null ? null : tlsContext(config.tls());
    long idleMillis = config.idleTimeout().toMillis();
    group = new NioEventLoopGroup(1, new DefaultThreadFactory("estuary-api", true));
    handlers = new DefaultEventExecutorGroup(2, new DefaultThreadFactory("estuary-api-handler", true));
    ChannelFuture f = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            if (tls != null) {
              ch.pipeline().addLast(tls.newHandler(ch.alloc()));
            }
            ch.pipeline().addLast(new IdleStateHandler(0, 0, idleMillis, TimeUnit.MILLISECONDS),
                new HttpServerCodec(), new HttpObjectAggregator(config.maxRequestSize()));
            ch.pipeline().addLast(handlers, "api", new Handler());
          }
        }).bind(bind).awaitUninterruptibly();
    if (!f.isSuccess()) {
      group.shutdownGracefully();
      handlers.shutdownGracefully();
      throw new IllegalStateException("management API cannot bind " + bind.getHostString() + ":" + bind.getPort() + ": "
          + f.cause().getMessage(), f.cause());
    }
    server = f.channel();
    InetSocketAddress addr = (InetSocketAddress) server.localAddress();
    LOG.info("listener {} api on {}:{} (/status, /metrics, /api/v5)", tls != null ? "https" : "http", addr.getHostString(),
        addr.getPort());
    if (!addr.getAddress().isLoopbackAddress()) {
      LOG.warn("the management API listens on {}, not loopback: every /api/v5 call needs an API key{}", addr.getHostString(),
          tls == null ? "; without api.ssl the key crosses the network in clear text" : "");
    }
    return addr;
  }

  /** TLS ≥ 1.2 from PEM files (tls-support's {@link PemLoader}). */
  static SslContext tlsContext(ApiConfig.Tls t) {
    try {
      SslContextBuilder b = SslContextBuilder.forServer(PemLoader.keyManagers(Path.of(t.certFile()), Path.of(t.keyFile())))
          .protocols(t.versions());
      if (t.ciphers() != null) {
        b.ciphers(t.ciphers());
      }
      if (!t.caCertFile().isEmpty()) {
        b.trustManager(PemLoader.trustManagers(Path.of(t.caCertFile())));
      }
      if (t.verifyPeer()) {
        b.clientAuth(ClientAuth.REQUIRE);
      }
      return b.build();
    } catch (Exception e) {
      throw new ConfigError("api.ssl.certfile", "PEM files a TLS context can be built from (" + e.getMessage() + ")");
    }
  }

  @Override
  public void close() {
    if (server != null) {
      server.close().awaitUninterruptibly();
    }
    if (group != null) {
      group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).awaitUninterruptibly(2000);
    }
    if (handlers != null) {
      handlers.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).awaitUninterruptibly(2000);
    }
  }

  private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) throws Exception {
      FullHttpResponse resp = respond(ctx, req);
      resp.headers().set(HttpHeaderNames.CONTENT_LENGTH, resp.content().readableBytes());
      // one request per connection: say so, or a keep-alive client may send its next request on a socket being closed
      resp.headers().set(HttpHeaderNames.CONNECTION, io.netty.handler.codec.http.HttpHeaderValues.CLOSE);
      ctx.writeAndFlush(resp).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
      if (evt instanceof IdleStateEvent) {
        idleClosed.increment();
        DROPS.debug("api connection from {} idle for {}: closed", ctx.channel().remoteAddress(), config.idleTimeout());
        ctx.close();
        return;
      }
      super.userEventTriggered(ctx, evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      LOG.debug("management API request failed", cause);
      ctx.close();
    }
  }

  private FullHttpResponse respond(ChannelHandlerContext ctx, FullHttpRequest req) throws Exception {
    QueryStringDecoder uri = new QueryStringDecoder(req.uri());
    String path = uri.rawPath();
    HttpMethod method = req.method();
    boolean needsKey = !ApiRoutes.open(path) || (path.equals("/status") && config.statusAuth())
        || (path.equals("/metrics") && config.metricsAuth());
    if (needsKey && !authenticated(req)) {
      authFailures.increment();
      if (dropLog.allow()) {
        DROPS.info("management API: {} {} from {} refused: no valid API key", method, path, ctx.channel().remoteAddress());
      }
      FullHttpResponse r = http(ApiResponse.error(401, "BAD_API_KEY_OR_SECRET",
          "this call needs an API key: HTTP Basic auth with the key and its secret (estuary ctl api-key create)"));
      r.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Basic realm=\"estuary\"");
      return r;
    }
    ApiRequest call = new ApiRequest(method.name(), path, uri.parameters(), req.content().toString(StandardCharsets.UTF_8));
    return http(routes.handle(call));
  }

  private static FullHttpResponse http(ApiResponse a) {
    FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(a.status()),
        Unpooled.wrappedBuffer(a.body()));
    if (a.contentType() != null) {
      r.headers().set(HttpHeaderNames.CONTENT_TYPE, a.contentType());
    }
    return r;
  }

  private boolean authenticated(FullHttpRequest req) {
    String h = req.headers().get(HttpHeaderNames.AUTHORIZATION);
    if (h == null || !h.regionMatches(true, 0, "Basic ", 0, 6)) {
      return false;
    }
    String decoded;
    try {
      decoded = new String(Base64.getDecoder().decode(h.substring(6).trim()), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return false;
    }
    int colon = decoded.indexOf(':');
    return colon > 0 && keys.verify(decoded.substring(0, colon), decoded.substring(colon + 1));
  }

  /** At most one INFO line per second about refused calls: a password-guessing flood must not flood the log. */
  private static final class DropLog {
    private long last;

    synchronized boolean allow() {
      long now = System.nanoTime();
      if (now - last >= 1_000_000_000L || last == 0) {
        last = now;
        return true;
      }
      return false;
    }
  }
}
