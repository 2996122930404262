package io.estuary.lua.db;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * One connection speaking memcached's text protocol (memcached's protocol.txt: {@code get}, {@code set},
 * {@code add}, {@code replace}, {@code delete}, {@code flush_all}). The server's answers are read with bounds (a
 * line of at most 1 KiB, a value of at most {@code maxValue} bytes); anything else is an {@link IOException} and
 * the pool discards the connection. Used by one script thread at a time (borrowed from the pool).
 */
final class MemcachedConnection implements AutoCloseable {
  private static final int MAX_LINE = 1024;

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private final int maxValue;

  MemcachedConnection(String host, int port, Duration timeout, int maxValue) throws IOException {
    this.maxValue = maxValue;
    socket = new Socket();
    try {
      socket.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
      socket.setSoTimeout((int) timeout.toMillis());
      socket.setTcpNoDelay(true);
      in = new BufferedInputStream(socket.getInputStream());
      out = socket.getOutputStream();
    } catch (IOException e) {
      socket.close();
      throw e;
    }
  }

  /** The value stored under {@code key}, or null. */
  byte[] get(String key) throws IOException {
    send(("get " + key + "\r\n").getBytes(StandardCharsets.US_ASCII));
    String line = readLine();
    if (line.equals("END")) {
      return null;
    }
    String[] parts = line.split(" ");
    if (parts.length < 4 || !parts[0].equals("VALUE")) {
      throw new IOException("unexpected answer to get: " + abbreviate(line));
    }
    int length;
    try {
      length = Integer.parseInt(parts[3]);
    } catch (NumberFormatException e) {
      throw new IOException("bad value length: " + abbreviate(line));
    }
    if (length < 0 || length > maxValue) {
      throw new IOException("value of " + length + " bytes exceeds " + maxValue);
    }
    byte[] value = in.readNBytes(length);
    if (value.length < length) {
      throw new EOFException("value truncated");
    }
    if (in.read() != '\r' || in.read() != '\n' || !readLine().equals("END")) {
      throw new IOException("malformed get answer after the value");
    }
    return value;
  }

  /** {@code set}, {@code add} or {@code replace}: true when the server answered STORED. */
  boolean store(String verb, String key, byte[] value, int expiration) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream(value.length + 64);
    b.writeBytes((verb + " " + key + " 0 " + expiration + " " + value.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
    b.writeBytes(value);
    b.writeBytes(new byte[] {'\r', '\n'});
    send(b.toByteArray());
    String line = readLine();
    return switch (line) {
      case "STORED" -> true;
      case "NOT_STORED", "EXISTS", "NOT_FOUND" -> false;
      default -> throw new IOException("unexpected answer to " + verb + ": " + abbreviate(line));
    };
  }

  /** True when the key existed. */
  boolean delete(String key) throws IOException {
    send(("delete " + key + "\r\n").getBytes(StandardCharsets.US_ASCII));
    String line = readLine();
    return switch (line) {
      case "DELETED" -> true;
      case "NOT_FOUND" -> false;
      default -> throw new IOException("unexpected answer to delete: " + abbreviate(line));
    };
  }

  boolean flushAll() throws IOException {
    send("flush_all\r\n".getBytes(StandardCharsets.US_ASCII));
    String line = readLine();
    if (!line.equals("OK")) {
      throw new IOException("unexpected answer to flush_all: " + abbreviate(line));
    }
    return true;
  }

  boolean isOpen() {
    return !socket.isClosed() && socket.isConnected();
  }

  private void send(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  private String readLine() throws IOException {
    StringBuilder sb = new StringBuilder();
    while (true) {
      int c = in.read();
      if (c < 0) {
        throw new EOFException("memcached closed the connection");
      }
      if (c == '\r') {
        if (in.read() != '\n') {
          throw new IOException("malformed line ending");
        }
        String line = sb.toString();
        if (line.startsWith("SERVER_ERROR") || line.startsWith("CLIENT_ERROR") || line.equals("ERROR")) {
          throw new IOException("memcached: " + abbreviate(line));
        }
        return line;
      }
      if (sb.length() >= MAX_LINE) {
        throw new IOException("answer line longer than " + MAX_LINE + " bytes");
      }
      sb.append((char) c);
    }
  }

  private static String abbreviate(String s) {
    return s.length() <= 80 ? s : s.substring(0, 80) + "…";
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing a broken connection
    }
  }
}
