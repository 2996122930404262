package io.estuary.core.management;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.estuary.api.ListenerInfo;
import io.estuary.api.Metrics;
import io.estuary.api.AdapterApi;
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
 * The management HTTP API (EMQX-like paths): {@code GET /status} (EMQX's two lines, then one line
 * per adapter and per item of its {@link ProtocolAdapter#statusDetails()}), {@code GET /metrics} (Prometheus),
 * {@code GET /api/v5/stats}, {@code GET /api/v5/listeners}, {@code GET /api/v5/clients[/{id}]} (the list
 * paged: {@code page}, {@code limit}, {@code meta}), {@code DELETE /api/v5/clients/{id}},
 * {@code GET|POST /api/v5/api_key}, {@code DELETE /api/v5/api_key/{name}}.
 *
 * <p>Every {@code /api/v5} call needs an API key ({@link ApiKeys}) as HTTP Basic credentials, else
 * 401 {@code {code: BAD_API_KEY_OR_SECRET, message}}; {@code /status} and {@code /metrics} only when
 * configured. Optional TLS (1.2+), an idle timeout per connection and a request size cap. Errors are
 * {@code {code, message}}. One event loop thread; handlers only read concurrent state.
 */
public final class ManagementApi implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ManagementApi.class);
  private static final Logger DROPS = LoggerFactory.getLogger("io.estuary.core.management.drops");
  private static final ObjectMapper JSON = new ObjectMapper();
  static final int DEFAULT_LIMIT = 100;
  static final int MAX_LIMIT = 10_000;

  private final Broker broker;
  private final MicrometerMetrics metrics;
  private final Supplier<List<ListenerInfo>> listeners;
  private final Supplier<Map<String, ProtocolAdapter>> adapters;
  private final ApiConfig config;
  private final ApiKeys keys;
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
  private volatile ExtraRoutes extraRoutes;

  public ManagementApi(Broker broker, MicrometerMetrics metrics, Supplier<List<ListenerInfo>> listeners,
      Supplier<Map<String, ProtocolAdapter>> adapters, ApiConfig config, ApiKeys keys) {
    this.broker = broker;
    this.metrics = metrics;
    this.listeners = listeners;
    this.adapters = adapters;
    this.config = config;
    this.keys = keys;
    this.authFailures = metrics.counter("api.auth_failures");
    this.idleClosed = metrics.counter("api.idle_closed");
  }

  /** Routes served elsewhere ({@code /api/v5/webhooks}, {@code /api/v5/reload}); set before {@link #start}. */
  public void extraRoutes(ExtraRoutes routes) {
    this.extraRoutes = routes;
  }

  /** Whether the API speaks HTTPS. */
  public boolean secure() {
    return config.tls() != null;
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
      FullHttpResponse resp;
      try {
        resp = respond(ctx, req);
      } catch (BadRequest e) {
        resp = error(HttpResponseStatus.BAD_REQUEST, "BAD_REQUEST", e.getMessage());
      }
      resp.headers().set(HttpHeaderNames.CONTENT_LENGTH, resp.content().readableBytes());
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
    String path = uri.path();
    HttpMethod method = req.method();
    boolean needsKey = path.startsWith("/api/") || (path.equals("/status") && config.statusAuth())
        || (path.equals("/metrics") && config.metricsAuth());
    if (needsKey && !authenticated(req)) {
      authFailures.increment();
      if (dropLog.allow()) {
        DROPS.info("management API: {} {} from {} refused: no valid API key", method, path, ctx.channel().remoteAddress());
      }
      FullHttpResponse r = error(HttpResponseStatus.UNAUTHORIZED, "BAD_API_KEY_OR_SECRET",
          "this call needs an API key: HTTP Basic auth with the key and its secret (estuary ctl api-key create)");
      r.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Basic realm=\"estuary\"");
      return r;
    }
    if (method.equals(HttpMethod.GET) && path.equals("/status")) {
      return text(HttpResponseStatus.OK, statusText(), "text/plain");
    } else if (method.equals(HttpMethod.GET) && path.equals("/metrics")) {
      return text(HttpResponseStatus.OK, metrics.scrape(), "text/plain; version=0.0.4");
    } else if (method.equals(HttpMethod.GET) && path.equals("/api/v5/stats")) {
      Map<String, Object> s = new LinkedHashMap<>();
      s.put("node", broker.nodeName());
      s.put("uptime_seconds", broker.uptimeMillis() / 1000);
      s.put("connections.count", broker.connectedCount());
      s.put("connections.by_protocol", broker.connectedByProtocol());
      s.put("sessions.count", broker.sessionCount());
      s.put("subscriptions.count", broker.subscriptionCount());
      s.put("retained.count", broker.retainedCount());
      return json(HttpResponseStatus.OK, s);
    } else if (method.equals(HttpMethod.GET) && path.equals("/api/v5/listeners")) {
      return json(HttpResponseStatus.OK, listeners.get());
    } else if (method.equals(HttpMethod.GET) && path.equals("/api/v5/clients")) {
      return json(HttpResponseStatus.OK, clientsPage(uri));
    } else if (path.startsWith("/api/v5/clients/")) {
      String id = QueryStringDecoder.decodeComponent(path.substring("/api/v5/clients/".length()));
      if (method.equals(HttpMethod.GET)) {
        SessionView v = broker.sessionView(id);
        return v == null ? error(HttpResponseStatus.NOT_FOUND, "CLIENTID_NOT_FOUND", "no session " + id)
            : json(HttpResponseStatus.OK, v);
      } else if (method.equals(HttpMethod.DELETE)) {
        return broker.kick(id, true)
            ? new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT)
            : error(HttpResponseStatus.NOT_FOUND, "CLIENTID_NOT_FOUND", "no session " + id);
      }
      return error(HttpResponseStatus.METHOD_NOT_ALLOWED, "METHOD_NOT_ALLOWED", method + " " + path);
    } else if (path.equals("/api/v5/api_key")) {
      if (method.equals(HttpMethod.GET)) {
        return json(HttpResponseStatus.OK, Map.of("data", keys.list()));
      } else if (method.equals(HttpMethod.POST)) {
        return createKey(req);
      }
      return error(HttpResponseStatus.METHOD_NOT_ALLOWED, "METHOD_NOT_ALLOWED", method + " " + path);
    } else if (path.startsWith("/api/v5/gateways/")) {
      return adapterApi(method, path, req);
    } else if (path.startsWith("/api/v5/api_key/") && method.equals(HttpMethod.DELETE)) {
      String name = QueryStringDecoder.decodeComponent(path.substring("/api/v5/api_key/".length()));
      return keys.delete(name) ? new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT)
          : error(HttpResponseStatus.NOT_FOUND, "NOT_FOUND", "no created API key named " + name);
    }
    ExtraRoutes extra = extraRoutes;
    if (extra != null && path.startsWith("/api/v5/")) {
      ExtraRoutes.Answer a;
      try {
        a = extra.handle(method.name(), path, uri.parameters(), req.content().toString(StandardCharsets.UTF_8));
      } catch (IllegalArgumentException e) {
        throw new BadRequest(e.getMessage());
      }
      if (a != null) {
        return a.body() == null ? new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(a.status()))
            : json(HttpResponseStatus.valueOf(a.status()), a.body());
      }
    }
    return error(HttpResponseStatus.NOT_FOUND, "NOT_FOUND", "no such resource: " + method + " " + path);
  }

  /** {@code /api/v5/gateways/<protocol>/...}: the adapter's own resources ({@link AdapterApi}), if it has any. */
  private FullHttpResponse adapterApi(HttpMethod method, String path, FullHttpRequest req) throws Exception {
    String rest = path.substring("/api/v5/gateways/".length());
    int slash = rest.indexOf('/');
    String protocol = slash < 0 ? rest : rest.substring(0, slash);
    ProtocolAdapter adapter = adapters.get().get(protocol);
    AdapterApi api = adapter == null ? null : adapter.api();
    if (api == null) {
      return error(HttpResponseStatus.NOT_FOUND, "NOT_FOUND", "no management resources for gateway '" + protocol + "'");
    }
    byte[] body = new byte[req.content().readableBytes()];
    req.content().getBytes(req.content().readerIndex(), body);
    AdapterApi.Response r = api.handle(new AdapterApi.Request(method.name(), slash < 0 ? "/" : rest.substring(slash), body));
    if (r.json().isEmpty()) {
      return new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(r.status()));
    }
    return text(HttpResponseStatus.valueOf(r.status()), r.json(), "application/json");
  }

  private FullHttpResponse createKey(FullHttpRequest req) throws Exception {
    String name = "key-" + ApiKeyHash.random(4);
    if (req.content().isReadable()) {
      var body = JSON.readTree(req.content().toString(StandardCharsets.UTF_8));
      if (body != null && body.hasNonNull("name")) {
        name = body.get("name").asText();
      }
    }
    ApiKeys.Created c;
    try {
      c = keys.create(name);
    } catch (IllegalArgumentException e) {
      throw new BadRequest(e.getMessage());
    } catch (IllegalStateException e) {
      return error(HttpResponseStatus.CONFLICT, "ALREADY_EXISTS", e.getMessage());
    }
    LOG.info("management API: API key {} ({}) created", c.name(), c.key());
    Map<String, String> out = new LinkedHashMap<>();
    out.put("name", c.name());
    out.put("api_key", c.key());
    out.put("api_secret", c.secret());
    return json(HttpResponseStatus.OK, out);
  }

  /** EMQX's paging: {@code page} from 1, {@code limit} 1..10000 (default 100), sorted by client id. */
  private Map<String, Object> clientsPage(QueryStringDecoder uri) {
    int page = intParam(uri, "page", 1, 1, Integer.MAX_VALUE);
    int limit = intParam(uri, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT);
    List<SessionView> all = new java.util.ArrayList<>(broker.sessionViews());
    all.sort(Comparator.comparing(SessionView::clientId));
    long from = (long) (page - 1) * limit;
    List<SessionView> data = from >= all.size() ? List.of() : all.subList((int) from, (int) Math.min(all.size(), from + limit));
    Map<String, Object> meta = new LinkedHashMap<>();
    meta.put("page", page);
    meta.put("limit", limit);
    meta.put("count", all.size());
    meta.put("hasnext", from + limit < all.size());
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("data", data);
    out.put("meta", meta);
    return out;
  }

  private static int intParam(QueryStringDecoder uri, String name, int dflt, int min, int max) {
    List<String> v = uri.parameters().get(name);
    if (v == null || v.isEmpty()) {
      return dflt;
    }
    try {
      int n = Integer.parseInt(v.get(0));
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new BadRequest(name + " must be an integer " + min + ".." + max + ", was " + v.get(0));
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

  /** A client mistake in the query: answered 400. */
  private static final class BadRequest extends RuntimeException {
    BadRequest(String message) {
      super(message, null, false, false);
    }
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

  private static FullHttpResponse error(HttpResponseStatus status, String code, String message) throws Exception {
    Map<String, String> body = new LinkedHashMap<>();
    body.put("code", code);
    body.put("message", message);
    return json(status, body);
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
