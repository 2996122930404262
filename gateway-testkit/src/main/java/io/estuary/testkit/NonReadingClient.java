package io.estuary.testkit;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;

/**
 * A raw {@code java.nio} client for the "sends but never reads" case: a 4 KiB receive buffer set before it connects
 * (so the gateway's answers back up quickly), non-blocking, and it writes only what its socket takes at once. It
 * keeps a request stream aligned: a chunk of requests the socket took only in part is finished before anything else
 * is written. Used by one test thread at a time. The MQTT, STOMP and TCP adapters' "client that never reads" tests.
 */
public final class NonReadingClient implements AutoCloseable {
  private final SocketChannel socket;
  private final Selector readable;
  private ByteBuffer pending = ByteBuffer.allocate(0);
  /** Request bytes the socket has taken. */
  private long accepted;

  private NonReadingClient(SocketChannel socket) throws IOException {
    this.socket = socket;
    this.readable = Selector.open();
    socket.register(readable, SelectionKey.OP_READ);
  }

  public static NonReadingClient connect(InetSocketAddress address) throws IOException {
    SocketChannel s = SocketChannel.open();
    s.setOption(StandardSocketOptions.SO_RCVBUF, 4096);
    // a small send buffer of its own (no autotuning to megabytes): what the socket has taken is about what reached
    // the gateway; no Nagle: every chunk goes out at once
    s.setOption(StandardSocketOptions.SO_SNDBUF, 64 * 1024);
    s.setOption(StandardSocketOptions.TCP_NODELAY, true);
    s.connect(address);
    s.configureBlocking(false);
    return new NonReadingClient(s);
  }

  /** Writes {@code bytes} whole, waiting (bounded) for the socket to take them; only while nothing else is pending. */
  public void writeFully(byte[] bytes) throws IOException {
    if (pending.hasRemaining()) {
      throw new IllegalStateException("a chunk is still being written");
    }
    pending = ByteBuffer.wrap(bytes);
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!finishPending()) { // polled with a deadline: the gateway reads at its own pace
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the socket did not take " + bytes.length + " bytes within 10 s");
      }
      java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(5).toNanos());
    }
  }

  /**
   * Writes chunks of {@code chunk} (whole requests) while the socket takes them; answers how many bytes it took
   * now (0: its send buffer is full, the gateway is not reading).
   */
  public long writeWhileAccepted(byte[] chunk) throws IOException {
    long before = accepted;
    while (true) {
      if (!pending.hasRemaining()) {
        pending = ByteBuffer.wrap(chunk);
      }
      int n = socket.write(pending);
      accepted += n;
      if (n == 0 || pending.hasRemaining()) {
        return accepted - before;
      }
    }
  }

  /**
   * Tries to write more of {@code chunk}: true once the socket fails (the peer closed or reset it), false while it
   * takes bytes or none.
   */
  public boolean writeFails(byte[] chunk) {
    try {
      writeWhileAccepted(chunk);
      return false;
    } catch (IOException e) {
      return true;
    }
  }

  /** Writes what is left of a partly written chunk; true once nothing is left. */
  public boolean finishPending() throws IOException {
    accepted += socket.write(pending);
    return !pending.hasRemaining();
  }

  /**
   * Reads into {@code into} what arrives within {@code wait} (returns as soon as something is there); -1 at the end of
   * the stream.
   */
  public int read(ByteBuffer into, Duration wait) throws IOException {
    int n = socket.read(into);
    if (n == 0 && readable.select(Math.max(1, wait.toMillis())) > 0) {
      readable.selectedKeys().clear();
      n = socket.read(into);
    }
    return n;
  }

  /** WebSocket: the HTTP upgrade (RFC 6455 §4.1) to {@code path} for {@code subprotocol}, answered 101. */
  public void webSocketHandshake(String path, String subprotocol) throws IOException {
    writeFully(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: "
        + subprotocol + "\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    StringBuilder head = new StringBuilder();
    ByteBuffer one = ByteBuffer.allocate(1);
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!head.toString().endsWith("\r\n\r\n")) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no complete HTTP answer to the upgrade within 10 s: " + head);
      }
      if (read(one, Duration.ofMillis(10)) == 1) {
        head.append((char) one.get(0));
        one.clear();
      }
    }
    if (!head.toString().startsWith("HTTP/1.1 101")) {
      throw new AssertionError("the upgrade was answered " + head);
    }
  }

  /** One client WebSocket frame (FIN, {@code opcode}), masked with the all-zero key (RFC 6455 §5.3: any key). */
  public static byte[] webSocketFrame(int opcode, byte[] payload) {
    ByteBuffer f = ByteBuffer.allocate(payload.length + 8);
    f.put((byte) (0x80 | opcode));
    if (payload.length < 126) {
      f.put((byte) (0x80 | payload.length));
    } else {
      f.put((byte) (0x80 | 126)).putShort((short) payload.length);
    }
    f.putInt(0).put(payload).flip();
    byte[] out = new byte[f.remaining()];
    f.get(out);
    return out;
  }

  /**
   * As {@link #webSocketFrame}, followed by an empty Ping frame (opcode 9): the server answers each with an empty Pong
   * (opcode 10), and Netty's WebSocket handler asks for a read of its own after each.
   */
  public static byte[] webSocketFrameAndPing(int opcode, byte[] payload) {
    byte[] frame = webSocketFrame(opcode, payload);
    byte[] ping = webSocketFrame(9, new byte[0]);
    byte[] both = java.util.Arrays.copyOf(frame, frame.length + ping.length);
    System.arraycopy(ping, 0, both, frame.length, ping.length);
    return both;
  }

  /**
   * Moves the payloads of the whole (unmasked, server) WebSocket frames at the start of {@code raw} (ready to read)
   * into {@code into}, leaving a partial frame in {@code raw}; a frame whose opcode is not one of {@code opcodes}
   * fails.
   */
  public static void webSocketPayloads(ByteBuffer raw, ByteBuffer into, int... opcodes) {
    while (raw.remaining() >= 2) {
      int at = raw.position();
      int op = raw.get(at) & 0x0F;
      int len = raw.get(at + 1) & 0x7F;
      int header = 2;
      if (len == 126) {
        if (raw.remaining() < 4) {
          break;
        }
        len = raw.getShort(at + 2) & 0xFFFF;
        header = 4;
      }
      if (raw.remaining() < header + len) {
        break;
      }
      if (java.util.Arrays.stream(opcodes).noneMatch(o -> o == op)) {
        throw new AssertionError("a WebSocket frame of opcode " + op);
      }
      into.put(raw.slice(at + header, len));
      raw.position(at + header + len);
    }
  }

  /**
   * The flood: {@code chunk} after {@code chunk} as fast as the socket takes them, nothing read, until for a whole
   * second the socket takes nothing and {@code pauses} (the gateway's counter of reads paused for an unwritable
   * connection) is at least 1 — polled every 10 ms for at most 90 s. The gateway reads on until its answers fill the
   * kernel's send buffer of its socket and then Netty's outbound buffer to its high water mark; from then on it reads
   * nothing. A gateway slow to read (a cold JIT) also leaves the writes refused for a while: the counter tells the two
   * apart. Fails once the gateway has taken {@code maxAccepted} request bytes without pausing. Returns the request
   * bytes it took.
   */
  public long floodUntilNotRead(byte[] chunk, java.util.function.DoubleSupplier pauses, long maxAccepted)
      throws IOException {
    long start = accepted;
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    long heldSince = -1;
    while (true) {
      boolean refused = writeWhileAccepted(chunk) == 0 && pauses.getAsDouble() >= 1;
      if (accepted - start >= maxAccepted) {
        throw new AssertionError("the gateway took " + (accepted - start) + " request bytes without pausing");
      }
      long now = System.nanoTime();
      if (!refused) {
        heldSince = -1;
      } else if (heldSince < 0) {
        heldSince = now;
      } else if (now - heldSince >= Duration.ofSeconds(1).toNanos()) {
        return accepted - start;
      }
      if (now > deadline) {
        throw new AssertionError("the gateway did not stop reading within 90 s (" + (accepted - start) + " bytes taken)");
      }
      java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(10).toNanos());
    }
  }

  /** Request bytes the socket has taken so far. */
  public long accepted() {
    return accepted;
  }

  @Override
  public void close() throws IOException {
    readable.close();
    socket.close();
  }

  /**
   * A client's side of the wire over plain TCP or WebSocket: frames what it sends (WebSocket: one masked frame of
   * {@code opcode} per write, followed by a Ping when {@code pings}) and unframes what it reads (the server's
   * unmasked frames of {@code opcode}, and of {@code alsoAccepted}; the Pongs to our Pings are empty).
   */
  public static final class Framing {
    private final NonReadingClient client;
    private final boolean ws;
    private final boolean pings;
    private final int opcode;
    private final int[] accepted;
    private final ByteBuffer raw = ByteBuffer.allocate(1 << 16);

    public Framing(NonReadingClient client, boolean ws, boolean pings, int opcode, int... alsoAccepted) {
      this.client = client;
      this.ws = ws;
      this.pings = pings;
      this.opcode = opcode;
      this.accepted = java.util.stream.IntStream.concat(java.util.stream.IntStream.of(opcode, 10),
          java.util.Arrays.stream(alsoAccepted)).toArray();
    }

    /** WebSocket: the HTTP upgrade to {@code path} with {@code subprotocol} (RFC 6455 §4.1), answered 101. */
    public void handshake(String path, String subprotocol) throws IOException {
      if (ws) {
        client.webSocketHandshake(path, subprotocol);
      }
    }

    public byte[] frame(byte[] payload) {
      if (!ws) {
        return payload;
      }
      return pings ? webSocketFrameAndPing(opcode, payload) : webSocketFrame(opcode, payload);
    }

    /** Reads what arrives within 20 ms and puts the payload bytes in {@code into}; fails if the gateway closed. */
    public void read(ByteBuffer into) throws IOException {
      if (client.read(raw, Duration.ofMillis(20)) < 0) {
        throw new AssertionError("closed by the gateway");
      }
      raw.flip();
      if (ws) {
        webSocketPayloads(raw, into, accepted);
      } else {
        into.put(raw);
      }
      raw.compact();
    }
  }
}
