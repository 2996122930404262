package io.estuary.stomp.transport;

import io.estuary.stomp.codec.Command;
import io.estuary.stomp.codec.DecodeResult;
import io.estuary.stomp.codec.FrameLimits;
import io.estuary.stomp.codec.StompCodec;
import io.estuary.stomp.codec.StompFrame;
import io.estuary.stomp.codec.StompVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** A STOMP client on a plain socket that sends whatever bytes a test wants and decodes what comes back. */
final class RawStompClient implements AutoCloseable {
  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private final StompCodec codec = new StompCodec(new FrameLimits(1000, 1 << 20, 1 << 24));
  private byte[] buf = new byte[0];
  int heartBeats;

  RawStompClient(InetSocketAddress address) {
    this(plain(address));
  }

  private static Socket plain(InetSocketAddress address) {
    try {
      return new Socket(address.getAddress(), address.getPort());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Over a socket the test opened (TLS). */
  RawStompClient(Socket s) {
    try {
      socket = s;
      socket.setSoTimeout(10_000);
      in = socket.getInputStream();
      out = socket.getOutputStream();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  RawStompClient write(String s) {
    return write(s.getBytes(StandardCharsets.UTF_8));
  }

  RawStompClient write(byte[] b) {
    try {
      out.write(b);
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return this;
  }

  RawStompClient send(StompFrame f) {
    return write(codec.encode(f, StompVersion.V1_2));
  }

  /** CONNECT 1.2 and the answer. */
  StompFrame connect(String... headers) {
    StompFrame.Builder b = StompFrame.builder(Command.CONNECT).header("accept-version", "1.2").header("host", "localhost");
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    send(b.build());
    return next();
  }

  /** The next frame (heart-beats counted and skipped); null if the server closed the connection. */
  StompFrame next() {
    while (true) {
      DecodeResult r = codec.decode(ByteBuffer.wrap(buf), StompVersion.V1_2);
      if (r instanceof DecodeResult.Decoded d) {
        buf = Arrays.copyOfRange(buf, d.consumed(), buf.length);
        return d.frame();
      }
      if (r instanceof DecodeResult.HeartBeat h) {
        heartBeats++;
        buf = Arrays.copyOfRange(buf, h.consumed(), buf.length);
        continue;
      }
      if (r instanceof DecodeResult.FrameError e) {
        throw new AssertionError("server sent a bad frame: " + e);
      }
      byte[] chunk = new byte[8192];
      int n;
      try {
        n = in.read(chunk);
      } catch (SocketTimeoutException e) {
        throw new AssertionError("no frame from the server in 10 s");
      } catch (IOException e) {
        return null; // reset
      }
      if (n < 0) {
        return null;
      }
      byte[] grown = Arrays.copyOf(buf, buf.length + n);
      System.arraycopy(chunk, 0, grown, buf.length, n);
      buf = grown;
    }
  }

  /** True once the server has closed the connection (reads to the end, skipping frames). */
  boolean closedByServer() {
    while (true) {
      if (next() == null) {
        return true;
      }
    }
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }
}
