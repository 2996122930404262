package io.estuary.lua.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The memcached connection reads a server's answers as hostile: a malformed, oversized or truncated answer is an
 * IOException (the module discards the connection and raises a Lua error), never a hang or a huge allocation.
 */
@Timeout(30)
class MemcachedHostileServerIT {

  @ParameterizedTest
  @ValueSource(strings = {
      "VALUE k 0 99999999\r\n",                 // larger than max_value_size
      "VALUE k 0 -1\r\n",                       // negative length
      "VALUE k 0 abc\r\n",                      // not a number
      "VALUE k 0 5\r\nab",                      // truncated value
      "VALUE k 0 2\r\nabXX",                    // value not followed by CRLF END
      "SERVER_ERROR out of memory\r\n",         // an error answer
      "HELLO\r\n",                              // an unknown answer
      "END\n",                                  // a bare LF line ending
  })
  void a_malformed_get_answer_is_an_io_error(String answer) throws Exception {
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      CompletableFuture<Void> peer = CompletableFuture.runAsync(() -> answerOnce(server, answer));
      try (MemcachedConnection c = new MemcachedConnection("127.0.0.1", server.getLocalPort(), Duration.ofSeconds(2), 1024)) {
        assertThatThrownBy(() -> c.get("k")).isInstanceOf(IOException.class);
      }
      peer.join();
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {1025, 1 << 20})
  void an_endless_answer_line_is_cut_at_one_kibibyte(int length) throws Exception {
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      CompletableFuture<Void> peer = CompletableFuture.runAsync(() -> answerOnce(server, "x".repeat(length)));
      try (MemcachedConnection c = new MemcachedConnection("127.0.0.1", server.getLocalPort(), Duration.ofSeconds(2), 1024)) {
        assertThatThrownBy(() -> c.delete("k")).isInstanceOf(IOException.class).hasMessageContaining("longer than 1024");
      }
      peer.exceptionally(e -> null).join();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"VALUE k 7 3\r\nabc\r\nEND\r\n"})
  void a_well_formed_answer_with_flags_is_read(String answer) throws Exception {
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      CompletableFuture<Void> peer = CompletableFuture.runAsync(() -> answerOnce(server, answer));
      try (MemcachedConnection c = new MemcachedConnection("127.0.0.1", server.getLocalPort(), Duration.ofSeconds(2), 1024)) {
        assertThat(new String(c.get("k"), StandardCharsets.UTF_8)).isEqualTo("abc");
      }
      peer.join();
    }
  }

  /** Reads one command line, writes {@code answer}, closes. */
  private static void answerOnce(ServerSocket server, String answer) {
    try (Socket s = server.accept()) {
      InputStream in = s.getInputStream();
      int prev = -1;
      for (int b; (b = in.read()) >= 0; prev = b) {
        if (prev == '\r' && b == '\n') {
          break;
        }
      }
      OutputStream out = s.getOutputStream();
      out.write(answer.getBytes(StandardCharsets.US_ASCII));
      out.flush();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
