package io.estuary.mqttsn.transport;

import io.estuary.api.GatewayContext;
import io.estuary.api.Metrics;
import io.estuary.api.limits.LogThrottle;
import io.estuary.mqttsn.channel.AddressWatcher;
import io.estuary.mqttsn.channel.MqttSnDispatcher;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.socket.nio.NioDatagramChannel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One plain-UDP listener's per-client connected sockets (issue #13, {@code connected_sockets}), as QUIC and
 * DTLS servers do: the listener socket is bound with SO_REUSEPORT and, for each address that gets a channel
 * (a client's CONNECT accepted, half-open included; a forwarder's address once for all its nodes), a second
 * socket is bound to the same local address and port with SO_REUSEPORT and {@code connect()}ed to that
 * address. Linux delivers a datagram to the socket whose 4-tuple matches exactly before the wildcard one, so
 * that client's datagrams queue on their own socket and a flood filling the listener socket's queue no longer
 * drops them. The socket is closed when the address loses its last channel (DISCONNECT, keepalive expiry,
 * half-open timeout or drop, kick, takeover; a sleeping client keeps it: it is still a channel, and the cap
 * bounds them all). Replies still leave through the listener socket: same source address and port, one
 * write path, and no reply lost to a socket closed right after it (a DISCONNECT's answer, then the close).
 *
 * <p>Beyond {@code connected_sockets}, or when a socket cannot be opened (out of file descriptors, EMFILE),
 * the client simply stays on the listener socket (counted, logged at most once every 10 s). Every socket is
 * registered on the listener's event loop, which owns this object and the dispatcher; datagrams read from
 * them go to the same dispatcher marked as coming from an established client (no unknown-source filter).
 */
final class ConnectedSockets implements AddressWatcher {
  private static final Logger log = LoggerFactory.getLogger(ConnectedSockets.class);
  private static final LogThrottle FAILURES = LogThrottle.every(10_000);
  /** Datagrams read per wake-up from one client's socket: a client sends a few at a time. */
  private static final int READ_BATCH = 16;

  private final String listener;
  private final EventLoop loop;
  private final InetSocketAddress local;
  private final int cap;
  private final MqttSnDatagramHandler handler;
  private final MqttSnDispatcher dispatcher;
  private final Map<InetSocketAddress, Socket> sockets = new HashMap<>();
  /** Where {@link #retire} reads what is still queued on a socket it closes; the loop's. */
  private final ByteBuffer drainBuffer = ByteBuffer.allocate(MqttSnAdapter.RECEIVE_BUFFER);
  private final Metrics.Counter full;
  private final Metrics.Counter failed;
  private volatile int openMirror;

  /**
   * @param local the listener socket's bound address and port (its SO_REUSEPORT group)
   * @param cap {@code connected_sockets}, at least 1
   */
  ConnectedSockets(String listener, EventLoop loop, InetSocketAddress local, int cap, MqttSnDispatcher dispatcher,
      GatewayContext ctx) {
    this.listener = listener;
    this.loop = loop;
    this.local = local;
    this.cap = cap;
    this.dispatcher = dispatcher;
    this.handler = new MqttSnDatagramHandler(dispatcher, true);
    this.full = ctx.metrics().counter("connected_sockets_full", "listener", listener);
    this.failed = ctx.metrics().counter("connected_socket_errors", "listener", listener);
    ctx.metrics().gauge("connected_sockets", () -> openMirror, "listener", listener);
  }

  @Override
  public void attached(InetSocketAddress address) {
    if (sockets.containsKey(address)) {
      return;
    }
    if (sockets.size() >= cap) {
      full.increment(); // the client shares the listener socket, as every client did before
      return;
    }
    Socket socket = open(address);
    if (socket != null) {
      sockets.put(address, socket);
      openMirror = sockets.size();
    }
  }

  @Override
  public void detached(InetSocketAddress address) {
    Socket socket = sockets.remove(address);
    if (socket != null) {
      openMirror = sockets.size();
      // not from within the dispatcher, which is telling us: the client may already have sent its next
      // datagram (a new CONNECT after a refusal) to this socket
      loop.execute(() -> retire(socket));
    }
  }

  /**
   * Closes a socket whose address has no channel any more, after handing what is still queued on it to the
   * dispatcher (a datagram left there would be lost: once the socket is closed the kernel delivers the
   * address's datagrams to the listener socket, but not those it already queued here). A CONNECT among them
   * opens a new channel and a new socket for the address, before this one closes.
   */
  private void retire(Socket socket) {
    try {
      for (int i = 0; i < READ_BATCH; i++) {
        drainBuffer.clear();
        if (!(socket.jdk().receive(drainBuffer) instanceof InetSocketAddress from)) {
          break;
        }
        drainBuffer.flip();
        byte[] bytes = new byte[drainBuffer.remaining()];
        drainBuffer.get(bytes);
        MqttSnDatagramHandler.dispatch(dispatcher, from, bytes, null);
      }
    } catch (IOException | RuntimeException e) { // ICMP reported, or closed meanwhile: nothing left to read
      log.debug("mqttsn listener {}: draining the socket of {}: {}", listener, socket.peer(), e.toString());
    }
    socket.netty().close();
  }

  /** Number of connected sockets open now (any thread). */
  int open() {
    return openMirror;
  }

  /** Closes every connected socket (adapter stop); on the loop. */
  void closeAll() {
    for (Socket socket : new ArrayList<>(sockets.values())) {
      socket.netty().close();
    }
    sockets.clear();
    openMirror = 0;
  }

  /** A socket connected to {@code peer} and registered on the loop, or null (counted and logged). */
  private Socket open(InetSocketAddress peer) {
    DatagramChannel jdk = null;
    try {
      // the same family as Netty's listener socket (the JDK's default: dual-stack where IPv6 is on)
      jdk = SelectorProvider.provider().openDatagramChannel();
      jdk.setOption(StandardSocketOptions.SO_REUSEPORT, true);
      jdk.bind(local);
      jdk.connect(peer);
    } catch (IOException | RuntimeException e) { // EMFILE/ENFILE, or the address cannot be joined: fall back
      closeQuietly(jdk);
      fail(peer, e);
      return null;
    }
    NioDatagramChannel ch;
    try {
      ch = new NioDatagramChannel(jdk);
    } catch (RuntimeException e) {
      closeQuietly(jdk);
      fail(peer, e);
      return null;
    }
    ch.config().setRecvByteBufAllocator(
        new FixedRecvByteBufAllocator(MqttSnAdapter.RECEIVE_BUFFER).maxMessagesPerRead(READ_BATCH));
    ch.pipeline().addLast(handler);
    ChannelFuture f = loop.register(ch); // on the loop: registered before this returns
    if (f.isDone() && !f.isSuccess()) {
      ch.unsafe().closeForcibly();
      fail(peer, f.cause());
      return null;
    }
    return new Socket(peer, ch, jdk);
  }

  /** One client address's connected socket: the Netty channel reading it, and its JDK channel for draining. */
  private record Socket(InetSocketAddress peer, Channel netty, DatagramChannel jdk) {
  }

  private void fail(InetSocketAddress peer, Throwable e) {
    failed.increment();
    long suppressed = FAILURES.admit();
    if (suppressed >= 0) {
      log.warn("mqttsn listener {}: no connected socket for {} ({}); it shares the listener socket{}", listener,
          peer, e.toString(), LogThrottle.suffix(suppressed));
    }
  }

  private static void closeQuietly(DatagramChannel c) {
    if (c != null) {
      try {
        c.close();
      } catch (IOException ignored) {
        // nothing more to do for a socket that never worked
      }
    }
  }
}
