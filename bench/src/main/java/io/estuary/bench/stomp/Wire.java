package io.estuary.bench.stomp;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/** A minimal STOMP 1.2 frame reader/writer over a blocking socket (no escaping: the tool sends none). */
final class Wire implements AutoCloseable {
  record Frame(String command, Map<String, String> headers, byte[] body) {}

  final Socket socket;
  final InputStream in;
  final OutputStream out;

  Wire(String host, int port) throws IOException {
    socket = new Socket(host, port);
    socket.setTcpNoDelay(true);
    in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
    out = new BufferedOutputStream(socket.getOutputStream(), 1 << 16);
  }

  void write(String command, byte[] body, String... headers) throws IOException {
    StringBuilder b = new StringBuilder(command).append('\n');
    for (int i = 0; i < headers.length; i += 2) {
      b.append(headers[i]).append(':').append(headers[i + 1]).append('\n');
    }
    if (body != null) {
      b.append("content-length:").append(body.length).append('\n');
    }
    b.append('\n');
    out.write(b.toString().getBytes(StandardCharsets.UTF_8));
    if (body != null) {
      out.write(body);
    }
    out.write(0);
  }

  void flush() throws IOException {
    out.flush();
  }

  /** Connects with STOMP 1.2: host "/" is RabbitMQ's default vhost, guest/guest its loopback-only default user (Estuary ignores host and admits anonymous clients). */
  void connect(String host) throws IOException {
    write("CONNECT", null, "accept-version", "1.2", "host", "/", "login", "guest", "passcode", "guest",
        "heart-beat", "0,0");
    flush();
    Frame f = read();
    if (f == null || !f.command().equals("CONNECTED")) {
      throw new IOException("not connected: " + (f == null ? "closed" : f.command() + " " + f.headers()));
    }
  }

  /**
   * The next frame, skipping heart-beats and EOLs after frames; null at end of stream. Whatever was written
   * is flushed before the read would block (acks must not wait behind a blocked read).
   */
  Frame read() throws IOException {
    int c;
    do {
      if (in.available() == 0) {
        out.flush();
      }
      c = in.read();
    } while (c == '\n' || c == '\r');
    if (c < 0) {
      return null;
    }
    ByteArrayOutputStream line = new ByteArrayOutputStream(64);
    String command = null;
    Map<String, String> headers = new HashMap<>();
    while (true) {
      if (c < 0) {
        return null;
      }
      if (c == '\n') {
        String l = line.toString(StandardCharsets.UTF_8);
        if (l.endsWith("\r")) {
          l = l.substring(0, l.length() - 1);
        }
        line.reset();
        if (command == null) {
          command = l;
        } else if (l.isEmpty()) {
          break;
        } else {
          int colon = l.indexOf(':');
          headers.putIfAbsent(l.substring(0, colon), l.substring(colon + 1));
        }
      } else {
        line.write(c);
      }
      c = in.read();
    }
    byte[] body;
    String len = headers.get("content-length");
    if (len != null) {
      body = in.readNBytes(Integer.parseInt(len.trim()));
      in.read(); // NUL
    } else {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      while ((c = in.read()) > 0) {
        b.write(c);
      }
      body = b.toByteArray();
    }
    return new Frame(command, headers, body);
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
