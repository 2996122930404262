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
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.spi.SelectorProvider;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One plain-UDP listener's per-client connected sockets (issue #13, {@code connected_sockets}), as QUIC and
 * DTLS servers do: the listener socket is bound with SO_REUSEPORT and, for each address that gets a channel
 * (a client's CONNECT accepted, half-open included; a forwarder's address once for all its nodes), a second
 * socket is bound to the same local address and port with SO_REUSEPORT and {@code connect()}ed to that
 * address. Linux delivers a datagram to the socket whose 4-tuple matches exactly before the wildcard one, so
 * that client's datagrams queue on their own socket and a flood filling the listener socket's queue no longer
 * drops them. When the address loses its last channel (DISCONNECT, refusal, keepalive expiry, half-open timeout
 * or drop, kick, takeover; a sleeping client keeps it: it is still a channel) the socket <em>lingers</em>: it
 * stays open and reading for {@code linger} (the client's next datagram, a CONNECT right after a refusal or a
 * DISCONNECT, may already be queued on it), a new channel for the address within that time takes it back
 * ({@code mqttsn.connected_sockets_reattached}), and only then is it drained and closed. Attached and lingering
 * sockets together stay within the cap: when it is reached, the oldest lingering socket is closed to make room. Replies still leave through the listener socket: same source address and port, one
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
  /** Sockets of addresses that have a channel. */
  private final Map<InetSocketAddress, Socket> sockets = new HashMap<>();
  /** Sockets of addresses that lost their last channel less than {@link #linger} ago, oldest first. */
  private final LinkedHashMap<InetSocketAddress, Lingering> lingering = new LinkedHashMap<>();
  private final Duration linger;
  /** Where {@link #drainAndClose} reads what is still queued on a socket it closes; the loop's. */
  private final ByteBuffer drainBuffer = ByteBuffer.allocate(MqttSnAdapter.RECEIVE_BUFFER);
  private final Metrics.Counter full;
  private final Metrics.Counter failed;
  private final Metrics.Counter reattached;
  private volatile int openMirror;
  private volatile int lingeringMirror;

  /**
   * @param local the listener socket's bound address and port (its SO_REUSEPORT group)
   * @param cap {@code connected_sockets}, at least 1: attached and lingering sockets together
   * @param linger how long a detached address's socket keeps reading, waiting for a new channel
   */
  ConnectedSockets(String listener, EventLoop loop, InetSocketAddress local, int cap, Duration linger,
      MqttSnDispatcher dispatcher, GatewayContext ctx) {
    this.listener = listener;
    this.loop = loop;
    this.local = local;
    this.cap = cap;
    this.linger = linger;
    this.dispatcher = dispatcher;
    this.handler = new MqttSnDatagramHandler(dispatcher, true);
    this.full = ctx.metrics().counter("connected_sockets_full", "listener", listener);
    this.failed = ctx.metrics().counter("connected_socket_errors", "listener", listener);
    this.reattached = ctx.metrics().counter("connected_sockets_reattached", "listener", listener);
    ctx.metrics().gauge("connected_sockets", () -> openMirror, "listener", listener);
    ctx.metrics().gauge("connected_sockets_lingering", () -> lingeringMirror, "listener", listener);
  }

  @Override
  public void attached(InetSocketAddress address) {
    if (sockets.containsKey(address)) {
      return;
    }
    Lingering back = lingering.remove(address);
    if (back != null) { // the address came back within the grace: its socket never stopped reading
      back.expiry().cancel(false);
      sockets.put(address, back.socket());
      reattached.increment();
      mirror();
      return;
    }
    if (sockets.size() + lingering.size() >= cap && !lingering.isEmpty()) {
      // the oldest lingering socket makes room: closed now, what it still held handed over after this call
      // (we are inside the dispatcher, which must not be called back)
      Map.Entry<InetSocketAddress, Lingering> oldest = lingering.entrySet().iterator().next();
      lingering.remove(oldest.getKey());
      oldest.getValue().expiry().cancel(false);
      List<Datagram> held = drainAndClose(oldest.getValue().socket());
      if (!held.isEmpty()) {
        loop.execute(() -> dispatch(held));
      }
    }
    if (sockets.size() + lingering.size() >= cap) {
      full.increment(); // the client shares the listener socket, as every client did before
      mirror();
      return;
    }
    Socket socket = open(address);
    if (socket != null) {
      sockets.put(address, socket);
    }
    mirror();
  }

  @Override
  public void detached(InetSocketAddress address) {
    Socket socket = sockets.remove(address);
    if (socket != null) {
      // kept open and reading for LINGER: the client may already have sent its next datagram (a new CONNECT
      // right after a refusal or a DISCONNECT) to this socket; a new channel for the address takes it back
      ScheduledFuture<?> expiry = loop.schedule(() -> expire(address, socket), linger.toMillis(), TimeUnit.MILLISECONDS);
      lingering.put(address, new Lingering(socket, expiry));
      mirror();
    }
  }

  /**
   * The grace of a detached address's socket ended without a new channel: closed, after handing what is still
   * queued on it to the dispatcher (a datagram left there would be lost: once the socket is closed the kernel
   * delivers the address's datagrams to the listener socket, but not those it already queued here). A CONNECT
   * among them opens a new channel and a new socket; the old one is closed by then, so there are never two
   * sockets for one 4-tuple. The only datagram that can still be lost is one the kernel queues in the
   * microseconds between the last read and the close, after the address was silent for the whole grace.
   */
  private void expire(InetSocketAddress address, Socket socket) {
    Lingering l = lingering.get(address);
    if (l == null || l.socket() != socket) {
      return; // taken back (or evicted) meanwhile
    }
    lingering.remove(address);
    mirror();
    dispatch(drainAndClose(socket));
  }

  /** Reads what is queued on {@code socket} (at most a batch), then closes it; on the loop, no dispatcher call. */
  private List<Datagram> drainAndClose(Socket socket) {
    List<Datagram> held = new ArrayList<>(0);
    try {
      for (int i = 0; i < READ_BATCH; i++) {
        drainBuffer.clear();
        if (!(socket.jdk().receive(drainBuffer) instanceof InetSocketAddress from)) {
          break;
        }
        drainBuffer.flip();
        byte[] bytes = new byte[drainBuffer.remaining()];
        drainBuffer.get(bytes);
        held.add(new Datagram(from, bytes));
      }
    } catch (IOException | RuntimeException e) { // ICMP reported, or closed meanwhile: nothing left to read
      log.debug("mqttsn listener {}: draining the socket of {}: {}", listener, socket.peer(), e.toString());
    }
    socket.netty().close();
    return held;
  }

  private void dispatch(List<Datagram> held) {
    for (Datagram d : held) {
      MqttSnDatagramHandler.dispatch(dispatcher, d.from(), d.bytes(), null);
    }
  }

  private void mirror() {
    openMirror = sockets.size();
    lingeringMirror = lingering.size();
  }

  /** Number of connected sockets attached to a channel now (any thread); lingering ones not included. */
  int open() {
    return openMirror;
  }

  /** Closes every connected socket (adapter stop); on the loop. */
  void closeAll() {
    for (Socket socket : new ArrayList<>(sockets.values())) {
      socket.netty().close();
    }
    for (Lingering l : new ArrayList<>(lingering.values())) {
      l.expiry().cancel(false);
      l.socket().netty().close();
    }
    sockets.clear();
    lingering.clear();
    mirror();
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

  /** A detached address's socket during its grace, and the task that closes it at the end. */
  private record Lingering(Socket socket, ScheduledFuture<?> expiry) {
  }

  /** A datagram read from a socket being closed, for the dispatcher. */
  private record Datagram(InetSocketAddress from, byte[] bytes) {
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
