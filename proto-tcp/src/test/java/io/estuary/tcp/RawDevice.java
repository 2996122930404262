package io.estuary.tcp;

import io.estuary.tcp.codec.Hex;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Arrays;

/** A device on a plain socket: writes bytes, reads exact counts, sees the server close. */
final class RawDevice implements AutoCloseable {
  final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  RawDevice(Socket socket) throws IOException {
    this.socket = socket;
    socket.setSoTimeout(10_000);
    socket.setTcpNoDelay(true);
    this.in = socket.getInputStream();
    this.out = socket.getOutputStream();
  }

  static RawDevice connect(InetSocketAddress at) throws IOException {
    return new RawDevice(new Socket(at.getAddress(), at.getPort()));
  }

  RawDevice write(byte[] b) throws IOException {
    out.write(b);
    out.flush();
    return this;
  }

  RawDevice writeHex(String hex) throws IOException {
    return write(Hex.bytes(hex));
  }

  /** Exactly {@code n} bytes, or fails if the server closes first. */
  byte[] read(int n) throws IOException {
    byte[] b = in.readNBytes(n);
    if (b.length < n) {
      throw new IOException("closed after " + b.length + " of " + n + " bytes: " + Hex.of(b));
    }
    return b;
  }

  String readHex(int n) throws IOException {
    return Hex.of(read(n));
  }

  /** True when the server closed the connection (after any bytes it still sent) within the socket timeout. */
  boolean closedByServer() throws IOException {
    try {
      while (true) {
        int r = in.read();
        if (r < 0) {
          return true;
        }
      }
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) { // reset
      return true;
    }
  }

  /** Everything until the server closes. */
  byte[] readToClose() throws IOException {
    byte[] all = in.readAllBytes();
    return Arrays.copyOf(all, all.length);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
